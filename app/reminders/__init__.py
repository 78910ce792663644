"""催办: the office reminds a unit of reports it owes, and the unit replies."""
