"""The `gateway` command line (DESIGN §4.1)."""
