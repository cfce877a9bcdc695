"""Who really sent a message and whether we may answer: DKIM, SPF, DMARC, loops (R-FORGE)."""
