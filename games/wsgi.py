"""WSGI entry for deploying the games API alone: gunicorn games.wsgi:app."""

from games import create_app

app = create_app()
