"""Webhooks: signed pushes of the change feed to other systems."""
