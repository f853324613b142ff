"""BetterPlay's reference wallet: the operator side of the wallet protocol, on its own database.

Operators copy it. Start with README.md beside this file.
"""

from common.lean_flask import LeanFlask
from refwallet import views
from refwallet.cli import wallet_cli
from refwallet.config import load_config
from refwallet.db import init_database, install_request_hooks
from refwallet.errors import register_error_handlers
from refwallet.protocol import sign_response


def create_app(config=None):
    """Build the wallet app; `config` overrides settings read from the environment."""
    app = LeanFlask(__name__, static_folder=None)
    app.config.update(load_config(config))
    init_database(app.config["WALLET_DATABASE_URL"], app.config["WALLET_DATABASE_POOL_SIZE"])
    install_request_hooks(app)
    app.after_request(sign_response)
    register_error_handlers(app)
    app.register_blueprint(views.blp)
    app.cli.add_command(wallet_cli)
    return app
