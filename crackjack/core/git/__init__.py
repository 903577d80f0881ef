"""Git safety: the work tree, git calls, refusals, the lock, hiding, recovery, the hook."""
