"""What outlives the spool: raw messages byte for byte, durable writes (DESIGN §3, R-INTACT)."""
