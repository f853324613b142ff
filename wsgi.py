"""WSGI entry serving both APIs in one process (their paths never overlap): gunicorn wsgi:app."""

from flask.cli import FlaskGroup

import backoffice
import games

BACKOFFICE_PREFIX = "/api/v1/bo"


class PathDispatcher:
    """Sends /api/v1/bo/... to the backoffice app and everything else to the games app.

    Unlike werkzeug's DispatcherMiddleware it leaves PATH_INFO whole, because each app already
    registers its full paths.
    """

    def __init__(self, games_app, backoffice_app):
        self.games_app = games_app
        self.backoffice_app = backoffice_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == BACKOFFICE_PREFIX or path.startswith(BACKOFFICE_PREFIX + "/"):
            return self.backoffice_app(environ, start_response)
        return self.games_app(environ, start_response)


def create_app(config=None):
    return PathDispatcher(games.create_app(config), backoffice.create_app(config))


app = create_app()


# The `betterplay` command: the backoffice's admin and db commands plus the games' worker (this
# module imports both apps, so the worker's passes include finishing idle multi-step rounds).
cli = FlaskGroup(create_app=lambda: backoffice.create_app(), help="BetterPlay platform commands.")
