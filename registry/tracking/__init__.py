"""Assignments, replies and clock events of registered documents (R-TRACK, R-FOLLOW)."""
