"""Git safety: git calls, refused states, the run lock, hiding and restoring changes, the hook."""
