"""The outgoing register (sổ đăng ký văn bản đi, R-OUTREG) and its deliveries (R-DELIVERY)."""
