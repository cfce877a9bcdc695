"""The one exception tree of :mod:`gateway`.

Every failure is either transient (retry later; SMTP ``451``) or permanent (quarantine
with a recorded reason; SMTP ``550``). Third-party errors are translated at the boundary
where they occur, with ``raise … from exc``.
"""


class GatewayError(Exception):
    """Base of every error raised by :mod:`gateway`."""


class TransientError(GatewayError):
    """Worth retrying later: a database, scanner or relay that is busy or down."""


class PermanentError(GatewayError):
    """Retrying will not help; the item is parked for a person with this reason."""


class ConfigError(GatewayError):
    """The configuration is unusable; the message names the file, the key and the problem."""


class UsageError(GatewayError):
    """A command was given a value it cannot use (a date, a unit code); the message names
    the value. The command line exits 2 (DESIGN §4.1: usage or configuration error)."""


class SpoolError(TransientError):
    """The spool could not store or move an item (disk full, permissions)."""


class ScannerUnavailableError(TransientError):
    """The virus scanner (clamd) is configured but cannot scan now: the item waits, however
    long, and is never passed unscanned (R-VIRUS); it does not count toward quarantine."""


class DeliveryError(GatewayError):
    """An outgoing mail could not be handed over."""


class TransientDeliveryError(DeliveryError, TransientError):
    """The relay said 4xx or could not be reached: try again with backoff."""


class PermanentDeliveryError(DeliveryError, PermanentError):
    """The relay said 5xx: give up and record the reason."""


class ImapError(GatewayError):
    """An IMAP mailbox could not be read or changed (translated in gateway.imap_client)."""


class ImapConnectionError(ImapError, TransientError):
    """The server dropped us, timed out or is unreachable: reconnect with backoff."""


class ImapAccountError(ImapError, PermanentError):
    """Retrying soon will not help: wrong password, TLS failure, missing folder."""


class PipelineProcessDiedError(GatewayError):
    """The process running an item's pipeline died with the item in it: counted as a crash
    of that item (``spool.ItemState``), which then runs alone; never a failure of its own."""
