"""Qt's console messages, less the offscreen platform's "This plugin does not support propagateSizeHints()".

Qt's offscreen platform plugin warns that it cannot propagate size hints every time a widget with a
layout is shown; commands that render figures offscreen would print it on every run. :func:`quiet_offscreen`
installs a message handler that drops that one message and passes every other one on unchanged.
"""
from __future__ import annotations

import sys

DROPPED = ("This plugin does not support propagateSizeHints()",)

_installed = False


def quiet_offscreen() -> None:
    """Drop :data:`DROPPED` from Qt's messages, once per process; other messages go where they went."""
    global _installed
    if _installed:
        return
    from PySide6 import QtCore

    previous = None

    def handler(mode, context, message: str) -> None:
        if message in DROPPED:
            return
        if previous is not None:
            previous(mode, context, message)
        else:  # Qt's default handler: the formatted message on stderr
            print(QtCore.qFormatLogMessage(mode, context, message), file=sys.stderr, flush=True)

    previous = QtCore.qInstallMessageHandler(handler)
    _installed = True
