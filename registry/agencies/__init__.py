"""The agency directory: the sample file, imported and added agencies (DESIGN §4.9)."""
