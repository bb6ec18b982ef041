"""`wres serve`: a preview of the built site on 127.0.0.1, not a production server."""

from __future__ import annotations

import errno
import functools
import http.server
import sys
from pathlib import Path

from ..model.errors import BuildError


def bind_server(port: int):  # noqa: ANN201
    """A preview server bound to 127.0.0.1:port (not yet serving), or one line saying why it cannot be."""
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler)
    except OverflowError:
        return f"--port {port} is not a port number; choose one from 1024 to 65535"
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (f"port {port} is in use (another preview or server is running there); stop it, or "
                    f"choose another port with --port")
        return f"cannot listen on port {port}: {exc.strerror or exc}; choose another port with --port"


def serve_site(site_dir: Path, port: int, server=None) -> None:  # noqa: ANN001
    """Serve the built site on 127.0.0.1 until Ctrl-C: a preview, not a production server.

    `server`: one bind_server made already (else it is made here; a BuildError if it cannot be)."""
    if server is None:
        server = bind_server(port)
        if isinstance(server, str):
            raise BuildError(server)
    server.RequestHandlerClass = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    with server as httpd:
        print(f"Serving {site_dir} at http://127.0.0.1:{port}/ (Ctrl-C to stop)", file=sys.stderr)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
