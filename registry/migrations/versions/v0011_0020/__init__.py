"""Migrations 0011–0020 (the second round: issuing, distribution, first day, instances)."""
