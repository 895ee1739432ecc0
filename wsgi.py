"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``.

Nothing is served from a database that is missing or behind: before gunicorn's worker
serves, the database must answer and its schema be at the migrations' head; otherwise one
line says why and the worker exits with the code that makes gunicorn stop ("App failed to
load") instead of restarting workers forever. Under the ``flask`` command only the
connection is checked here: ``db upgrade`` must work on an empty or old database, and the
app's own commands check the schema themselves (``readiness.needs_current_schema``); a
refusal there exits with status 1.
"""

import os
import sys

from kerjasama_flow import create_app
from kerjasama_flow.readiness import NotReady, check_ready

UNDER_FLASK_CLI = os.environ.get("FLASK_RUN_FROM_CLI") == "true"  # set by the flask command
GUNICORN_APP_LOAD_ERROR = 4  # gunicorn.arbiter.Arbiter.APP_LOAD_ERROR: halt, do not respawn

try:
    app = create_app()
    check_ready(app, schema=not UNDER_FLASK_CLI)
except NotReady as error:
    print(f"kerjasama-flow: {error}", file=sys.stderr, flush=True)
    raise SystemExit(1 if UNDER_FLASK_CLI else GUNICORN_APP_LOAD_ERROR) from None
