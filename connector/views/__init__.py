"""The read side for people: what `owners` and `report` show (queries and rendering); never writes."""
