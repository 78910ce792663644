"""The change feed: every committed write, in commit order, read from the audit trail."""
