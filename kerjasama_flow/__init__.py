"""kerjasama-flow: carrying inter-regional cooperation agreements from handshake to results.

The application factory lives in ``kerjasama_flow.app``; ``from kerjasama_flow import
create_app`` (``wsgi.py``, the tests, the benchmarks) is the way in.
"""

from kerjasama_flow.app import create_app, resource_dir

__all__ = ["create_app", "resource_dir"]
