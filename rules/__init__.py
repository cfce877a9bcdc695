"""Business decisions: a pure function of (facts, policy) → Decision, with a trace.

Nothing here touches storage or the clock; the gateway passes facts in and stores the
Decision (trace included) through the registry as plain data.
"""
