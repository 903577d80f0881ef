"""The engine: configuration, planning, process running, events. Never prints, never imports Typer or Rich."""
