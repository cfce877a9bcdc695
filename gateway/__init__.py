"""The official-mail gateway: intake, spool, pipeline wiring, outbox and command line."""

import warnings

# cryptography >= 48 deprecates DSA and pyHanko imports it: every command and every
# verification worker would print the warning, which says nothing to an operator.
warnings.filterwarnings("ignore", message="DSA is deprecated")
