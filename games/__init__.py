"""The Games API: token minting, /launch, player sessions and game play (health for now)."""

from common.auth import SECURITY_SCHEMES
from common.web import build_app
from games.views import health

DESCRIPTION = (
    "Launch tokens, player sessions and game play. Errors always have the body "
    '`{"error": {"code", "message", "details"?}}`.'
)


def create_app(config=None):
    """Build the games app; `config` overrides settings read from the environment."""
    app, api = build_app(
        __name__,
        config,
        title="BetterPlay Games API",
        docs_prefix="/v1",
        description=DESCRIPTION,
        security_schemes=SECURITY_SCHEMES,
    )
    api.register_blueprint(health.blp)
    return app
