"""GET /launch: where a player's browser lands with a launch token."""

from flask import make_response, redirect, render_template_string, request
from flask.views import MethodView

from common.errors import ApiError, error_response
from common.schemas import is_http_url
from common.web import Blueprint, documented
from games.services.demo import launch_demo
from games.services.launch import LaunchError, launch
from games.sessions import set_session_cookie

blp = Blueprint("launch", __name__, description="The player's entry point.")

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cannot start the game</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto}</style>
</head><body><h1>Cannot start the game</h1><p>{{ message }}</p>
{% if return_url %}<p><a href="{{ return_url }}">Back to the lobby</a></p>{% endif %}
<p><small>Error code: {{ code }}</small></p></body></html>"""


HTML_ERRORS = {
    "default": {
        "description": "Errors: JSON when the client asks for it, else a small HTML page.",
        "content": {
            "application/json": {"schema": "Error"},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}


def _wants_json():
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _safe_link(url):
    return url if url and is_http_url(url) else None


def _error(exc, return_url=None):
    if _wants_json():
        return error_response(exc.status, exc.code, exc.message, exc.details)
    page = render_template_string(
        ERROR_PAGE, message=exc.message, code=exc.code, return_url=_safe_link(return_url)
    )
    return page, exc.status, {"Content-Type": "text/html; charset=utf-8"}


def _start(start, *args):
    """Run a launch step and answer with its redirect and cookie, or the error page."""
    try:
        redirect_url, cookie_token = start(*args)
    except LaunchError as exc:
        return _error(exc, exc.return_url)
    except ApiError as exc:
        return _error(exc)
    response = make_response(redirect(redirect_url, 302))
    response.headers["Cache-Control"] = "no-store"
    set_session_cookie(response, cookie_token)
    return response


@blp.route("/launch")
class Launch(MethodView):
    @blp.doc(
        parameters=[
            {"in": "query", "name": name, "required": name == "token", "schema": {"type": "string"}}
            for name in ("token", "game", "currency")
        ],
        responses={
            "302": {"description": "Session cookie set; redirect to the game frontend."},
            **HTML_ERRORS,
        },
    )
    @documented(blp, None, 401, 403, 409, 422, 502, 504)
    def get(self):
        """Verify a launch token, start the player's session and redirect to the game"""
        return _start(launch, request.args.get("token", ""))


@blp.route("/demo/launch")
class DemoLaunch(MethodView):
    @blp.doc(
        parameters=[
            {"in": "query", "name": name, "required": True, "schema": {"type": "string"}}
            for name in ("operator", "game", "currency")
        ],
        responses={
            "302": {"description": "Demo session cookie set; redirect to the game."},
            **HTML_ERRORS,
        },
    )
    @documented(blp, None, 403, 404, 422)
    def get(self):
        """Open a demo session (play money from the operator's demoStartingBalance)"""
        args = request.args
        return _start(launch_demo, args.get("operator"), args.get("game"), args.get("currency"))
