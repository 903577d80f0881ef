"""Processes: the one function that runs subprocesses, bounded output, finding programs."""
