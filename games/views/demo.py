"""The demo game frontend that `make run` points its operator at (development only)."""

from flask import Blueprint

bp = Blueprint("demo", __name__, static_folder="../static", static_url_path="/demo/static")


@bp.get("/demo/")
def demo_page():
    return bp.send_static_file("demo.html")
