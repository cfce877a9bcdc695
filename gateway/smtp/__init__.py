"""Intake over SMTP and LMTP: listener, TLS, AUTH, per-client limits (DESIGN §1.1)."""
