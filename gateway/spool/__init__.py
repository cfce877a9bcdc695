"""The durable directory queue between intake and the worker (DESIGN §1.2)."""
