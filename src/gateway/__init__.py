"""The official-mail gateway: intake, spool, pipeline wiring, outbox and command line."""
