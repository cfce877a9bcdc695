"""Migrations 0001–0010 (the first round: intake, register, routing, console)."""
