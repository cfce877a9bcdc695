"""One spooled message through analysis, checks and registering (DESIGN §1.3-1.7)."""
