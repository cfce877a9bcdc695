"""Virus scanning: the clamd client and the scan stage (R-VIRUS, DESIGN §1.5)."""
