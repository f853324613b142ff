"""The Games API: launch tokens, /launch, player sessions, game play and fairness."""

from common.auth import SECURITY_SCHEMES
from common.cli import register_common_cli
from common.web import build_app
from games.cors import install_cors
from games.sessions import COOKIE_NAME
from games.views import demo, health, launch, launch_tokens, play, session
from games.views import fairness as fairness_views

DESCRIPTION = (
    "Launch tokens (X-Aggregator-Key), the player's /launch entry point, and player endpoints "
    "authenticated by the bp_session cookie. Errors always have the body "
    '`{"error": {"code", "message", "details"?}}`.'
)
PLAYER_SECURITY = {"PlayerSession": {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME}}


def create_app(config=None):
    """Build the games app; `config` overrides settings read from the environment."""
    app, api = build_app(
        __name__,
        config,
        title="BetterPlay Games API",
        docs_prefix="/v1",
        description=DESCRIPTION,
        security_schemes={**SECURITY_SCHEMES, **PLAYER_SECURITY},
    )
    for module in (health, launch_tokens, launch, session, play, fairness_views):
        api.register_blueprint(module.blp)
    if app.config["APP_ENV"] == "development" or app.config.get("DEMO_PAGE"):
        app.register_blueprint(demo.bp)
    install_cors(app)
    register_common_cli(app)
    return app
