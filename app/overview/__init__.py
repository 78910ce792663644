"""Overviews: plan dashboard, unit scorecard, the ledger (台账)."""
