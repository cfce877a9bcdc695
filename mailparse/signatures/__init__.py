"""PDF signatures: fields, pyHanko validation, verdicts and reports (R-SIGN, DESIGN §4.5)."""
