"""Reading each document of a message: text layer, OCR, stamps drawn as pictures, fields."""
