"""What people keep in the console: accounts, saved searches, alerts, to-do lists (R-ACCOUNT)."""
