"""Queries and values behind the reports and rule statistics (R-MONTHLY)."""
