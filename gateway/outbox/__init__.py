"""The mail we send: answers, composition, DKIM, transports and delivery (DESIGN §1.8, §4.4)."""
