"""A leader's distribution of incoming documents (R-DISTRIB, DESIGN §4.8)."""
