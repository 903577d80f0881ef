"""Pinned tool environments: a hook's ``requires`` (and ``python``) installed once into an
isolated environment in a shared folder, reused by every project and run that asks for the
same set (DESIGN.md 10)."""
