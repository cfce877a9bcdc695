"""Commands of the administrator: backups, the directory, trust roots, accounts, rules."""
