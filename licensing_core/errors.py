"""Errors that reach a person: each carries a message fit to show as it is."""


class LicensingError(Exception):
    """Base of every error the product reports to a person instead of a traceback."""


class Refused(LicensingError):
    """The request is wrong (bad argument, bad input, a rule says no); nothing changed."""


class NotFound(Refused):
    """A tenant, term or account that the request names does not exist."""


class Forbidden(Refused):
    """The signed-in person may not see or change this."""


class RunFailed(LicensingError):
    """Valid request that failed while running (SMTP down, database unreachable)."""
