"""After registering: replies, status notices, the working-hours clock (DESIGN §1.9, R-TRACK)."""
