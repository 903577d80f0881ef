"""Simple checks and fixers run in-process on worker threads (no interpreter start per hook)."""
