"""Configuration: the settings a user writes, finding and loading them, the hook catalogue merged."""
