"""The change feed: every committed write, in transaction order, read from the audit trail."""
