"""The register pages: list, search, one document, paper entries, clerk and officer actions."""
