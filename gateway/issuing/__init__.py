"""Issuing the agency's own documents (văn bản đi, DESIGN §4.7): check, register, send,
and follow every recipient's answer (R-ISSUE, R-OUTREG, R-RESPONSE, R-DELIVERY)."""
