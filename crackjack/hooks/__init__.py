"""The built-in hook catalogue and the checks that run in-process."""
