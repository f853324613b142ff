"""WSGI entry for deploying the backoffice alone: gunicorn backoffice.wsgi:app."""

from backoffice import create_app

app = create_app()
