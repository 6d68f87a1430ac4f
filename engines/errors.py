"""Errors that carry a message meant for the user (the UI shows it, the CLI prints it on one line)."""


class InputError(ValueError):
    """Bad input from the user: a malformed expression, a hostile checkpoint, an unreadable file."""
