"""Settings, their sections and the deployment `gateway init` writes (DESIGN §4.2)."""
