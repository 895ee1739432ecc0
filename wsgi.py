"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from kerjasama_flow import create_app

app = create_app()
