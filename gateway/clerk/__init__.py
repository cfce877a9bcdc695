"""People's actions on documents and held mail: assign, correct, paper, quarantine (R-ACCOUNT)."""
