"""Configuration: the settings a user writes, loading them, and the hook catalogue they make."""
