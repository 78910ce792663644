"""Audit trail: every write, who made it, what changed."""
