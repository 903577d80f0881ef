"""The command line: Typer, Rich, argv, exit codes; the only package that talks to the user."""
