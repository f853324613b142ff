"""Flask without per-request work that neither BetterPlay app nor the reference wallet uses.

Both keep no Flask session (players carry their own cookie, games/sessions.py; aggregators and
wallets sign each call), yet Flask's default session interface derives a signing key on every
request only to find no cookie. And Flask asks, about every hook and view on every request,
whether it is a coroutine function (inspect's check, several times a request), though the
answer never changes for a function.
"""

from flask import Flask
from flask.sessions import SessionInterface


class NoSessions(SessionInterface):
    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response):
        pass


class LeanFlask(Flask):
    session_interface = NoSessions()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions = set()

    def ensure_sync(self, func):
        # Keyed by the function itself: a view's bound method is a new object every request
        # (MethodView makes an instance per request), so keying by it would grow without end.
        key = getattr(func, "__func__", func)
        if key in self._sync_functions:
            return func
        wrapped = super().ensure_sync(func)
        if wrapped is func:
            self._sync_functions.add(key)
        return wrapped
