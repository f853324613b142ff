"""Named points where tests inject a crash, to prove a failure between two steps loses nothing.

`FAULT_POINTS` (a set of names) is empty outside tests, so a checkpoint costs one lookup.
"""

from flask import current_app


class InjectedFault(Exception):
    """Raised at a checkpoint named in FAULT_POINTS: the process 'dies' right there."""


def checkpoint(name):
    if name in current_app.config.get("FAULT_POINTS", ()):
        raise InjectedFault(name)
