"""WSGI entry for the reference wallet: gunicorn refwallet.wsgi:app."""

from refwallet import create_app

app = create_app()
