"""Trust store, signature verification workers and the trust commands (R-SIGN, DESIGN §1.4)."""
