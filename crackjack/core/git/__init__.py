"""Git safety: git calls, refused states, the run lock, hiding and restoring unstaged changes, the hook script."""
