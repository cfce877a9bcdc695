"""Routing in a running gateway: rules in force, the routing step, routed copies (R-LEAD)."""
