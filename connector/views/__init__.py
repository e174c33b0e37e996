"""The read side for people: pool, explain, status, report (queries + rendering); never writes."""
