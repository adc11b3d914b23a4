"""Temporal activities: every side effect of the workflows (database, messages) happens here."""
