"""BetterPlay's reference wallet: the operator side of the wallet protocol, on its own database.

Operators copy it. Start with README.md beside this file.
"""

from flask import Flask
from flask.sessions import SessionInterface

from refwallet import views
from refwallet.cli import wallet_cli
from refwallet.config import load_config
from refwallet.db import init_database, install_request_hooks
from refwallet.errors import register_error_handlers
from refwallet.protocol import sign_response


class NoSessions(SessionInterface):
    """The wallet keeps no session and sets no cookie; Flask's default interface would look for
    a signing key on every call only to find there is none."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response):
        pass


class WalletFlask(Flask):
    """Flask without the per-call work the wallet has no use for."""

    session_interface = NoSessions()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions = set()

    def ensure_sync(self, func):
        """Flask asks, about every hook and view on every call, whether it is a coroutine
        function (inspect's check, five times a call); the answer never changes, so keep it."""
        if func in self._sync_functions:
            return func
        wrapped = super().ensure_sync(func)
        if wrapped is func:
            self._sync_functions.add(func)
        return wrapped


def create_app(config=None):
    """Build the wallet app; `config` overrides settings read from the environment."""
    app = WalletFlask(__name__, static_folder=None)
    app.config.update(load_config(config))
    init_database(app.config["WALLET_DATABASE_URL"], app.config["WALLET_DATABASE_POOL_SIZE"])
    install_request_hooks(app)
    app.after_request(sign_response)
    register_error_handlers(app)
    app.register_blueprint(views.blp)
    app.cli.add_command(wallet_cli)
    return app
