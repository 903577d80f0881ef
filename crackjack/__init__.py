"""crackjack: one command for a Python project's quality workflow."""

__version__ = "0.1.0"
