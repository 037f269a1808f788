"""Serve the real tool site (demo, workbench, LTI tool) on 127.0.0.1 for the browser tests and bench.

Run as a subprocess: ``python tests/browser/serve_site.py`` with ``LDAI_VAR_DIR`` pointing at a
temporary directory. It applies the migrations to that directory's fresh SQLite database,
binds a free port itself (no race between choosing a port and using it), prints
``LISTENING http://127.0.0.1:<port>`` on stdout and serves until killed.

Why not ``runserver``: its autoreloader and its checks are slow to start and it cannot bind
port 0 and tell us which port it got. Django's own threaded WSGI server is what runserver
uses underneath, so requests go through the same stack (WhiteNoise, middleware, real HTTP).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti_tool.site.settings")
    if "LDAI_VAR_DIR" not in os.environ:
        print("LDAI_VAR_DIR must name a temporary directory", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", interactive=False, verbosity=0)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            if os.environ.get("LDAI_SERVER_LOG"):
                super().log_message(format, *args)

    host = os.environ.get("LDAI_SERVER_HOST", "127.0.0.1")
    server = ThreadedWSGIServer((host, int(os.environ.get("LDAI_SERVER_PORT", "0"))), QuietHandler, ipv6=False)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())
    print(f"LISTENING http://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
