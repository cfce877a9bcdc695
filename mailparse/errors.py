"""The one exception tree of :mod:`mailparse`.

Expected outcomes (an invalid signature, an unknown field) are values; these exceptions
mean the input itself could not be read at all.
"""


class MailparseError(Exception):
    """Base of every error raised by :mod:`mailparse`."""


class MalformedMessageError(MailparseError):
    """The message's MIME structure cannot be read (reason ``malformed-message``)."""


class UnreadableDocumentError(MailparseError):
    """A document is encrypted, damaged or not really a PDF (``unreadable-document``)."""
