"""Rows of mail in and out: the outbox and the IMAP ledger (DESIGN §1.1, §1.8)."""
