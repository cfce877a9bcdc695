"""The one exception tree of :mod:`registry`."""


class RegistryError(Exception):
    """Base of every error raised by :mod:`registry`."""


class DatabaseUnavailableError(RegistryError):
    """The database cannot be reached or is locked: transient, try again later."""


class NotFoundError(RegistryError):
    """No register entry or message with that key."""
