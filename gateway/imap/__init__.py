"""Intake from IMAP mailboxes: pollers, ledger, moves after commit (DESIGN §1.1)."""
