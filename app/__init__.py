"""Luoshi (落实): turn a government work plan into tasks and follow it through."""

__version__ = "0.1.0"
