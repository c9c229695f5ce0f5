"""Serve a WSGI app on a loopback port in a background thread, over HTTP or HTTPS."""

from __future__ import annotations

import ssl
import tempfile
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from wooodoo.sandbox.faults import WSGIApp


class _QuietHandler(WSGIRequestHandler):
    """No request log; a ``Date`` the app sets (a store's clock) is the only one sent."""

    _dated = True

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())
        self._dated = False

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "date":
            self._dated = True
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        if not self._dated:
            self.send_header("Date", self.date_time_string())
        super().end_headers()

    def log_error(self, *args: Any) -> None:
        pass


class CertificateAuthority:
    """A throwaway CA for one sandbox run; its PEM is written to ``ca_path``."""

    def __init__(self, directory: Path | None = None) -> None:
        import trustme

        self._ca = trustme.CA()
        self._cert = self._ca.issue_cert("127.0.0.1", "localhost", "::1")
        self._dir = directory or Path(tempfile.mkdtemp(prefix="wooodoo-sandbox-"))
        self.ca_path = self._dir / "sandbox-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_path))

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._cert.configure_cert(ctx)
        return ctx


class LoopbackServer:
    """One threaded WSGI server on 127.0.0.1; ``port=0`` picks a free port."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        tls: CertificateAuthority | None = None,
    ) -> None:
        ctx = tls.server_context() if tls else None
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, ssl_context=ctx, request_handler=_QuietHandler
        )
        self.scheme = "https" if tls else "http"
        self.host = host
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(
            # a short poll interval makes stop() quick (tests start and stop many servers)
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.port}",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
