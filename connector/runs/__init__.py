"""Runs beside `sync` (connector/sync.py): backfill, id reconcile and the full rescore; each takes the run lease
and records a run of its own kind. Their commands are in runs/commands.py."""
