"""The engine: settings, plans, processes, events. Never prints; never imports Typer or Rich."""
