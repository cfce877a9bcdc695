"""The console's outgoing register: ``/outgoing`` and ``/outgoing/new`` (DESIGN §4.7)."""
