"""What several instances share through the database alone: stored bytes, instances alive
(DESIGN §3: no shared filesystem)."""
