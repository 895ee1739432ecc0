"""The app served over real HTTP on a loopback port, in a thread: for the browser tests and
the API fuzzer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from kerjasama_flow.extensions import db


class QuietHandler(WSGIRequestHandler):
    """No access log: the clients' requests would drown pytest's report."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def serving(app: Flask, name: str) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:<port>``).
    Afterwards the server is shut and the app's database connections are closed."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
