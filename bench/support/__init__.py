"""What the benches share: the --smoke/--figures contract, signed mail, SMTP load and
sinks, process figures from /proc, the synthetic register, the ingest bench's parts."""
