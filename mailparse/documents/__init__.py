"""What an official document says: text layer, layout fields, catalogue, marks (R-REG, R-FORMAT)."""
