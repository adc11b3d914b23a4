"""Temporal workflows: the durable process of each ressourceforløb. Deterministic; no I/O here."""
