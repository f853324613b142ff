"""The Backoffice API: aggregators manage operators; the platform admin manages aggregators."""

from backoffice.cli import register_cli
from backoffice.views import admin_aggregators, admin_operators, aggregator, api_keys, operators
from common.auth import SECURITY_SCHEMES
from common.web import build_app

DESCRIPTION = (
    "Operator management for aggregators (X-Aggregator-Key) and account management for the "
    "platform admin (X-Admin-Key). Errors always have the body "
    '`{"error": {"code", "message", "details"?}}`.'
)


def create_app(config=None):
    """Build the backoffice app; `config` overrides settings read from the environment."""
    app, api = build_app(
        __name__,
        config,
        title="BetterPlay Backoffice API",
        docs_prefix="/api/v1/bo",
        description=DESCRIPTION,
        security_schemes=SECURITY_SCHEMES,
    )
    for module in (aggregator, operators, api_keys, admin_aggregators, admin_operators):
        api.register_blueprint(module.blp)
    register_cli(app)
    return app
