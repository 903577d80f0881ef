"""The test phase: pytest's interpreter, options and shards, and running it."""
