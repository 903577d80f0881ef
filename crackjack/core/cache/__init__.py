"""The result cache: a hook's pass remembered for the exact inputs that produced it."""
