"""File selection: which files a run looks at, globs and types, argument batches, safe writes."""
