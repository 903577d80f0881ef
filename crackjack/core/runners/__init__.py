"""Hook runners: what a hook is, and how each kind of hook runs to its result."""
