"""Responsibilities domain."""
