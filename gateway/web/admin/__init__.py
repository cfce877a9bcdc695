"""Administrators' pages: the system board, health, the routing rules."""
