"""Notice imports."""
