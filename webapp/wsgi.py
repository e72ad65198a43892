"""WSGI entry point for gunicorn: ``gunicorn webapp.wsgi:server`` (see Procfile)."""

from webapp import create_app

app = create_app()
server = app.server
