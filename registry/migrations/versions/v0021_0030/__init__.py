"""Migrations 0021–0030 (the third round: the register at scale)."""
