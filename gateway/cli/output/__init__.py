"""What the command line prints: contract JSON and tables for clerks (DESIGN §4.1, §4.3)."""
