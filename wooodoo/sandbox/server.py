"""Serve a WSGI app on a loopback port in a background thread, over HTTP or HTTPS.

Connections are kept open between requests (HTTP/1.1 keep-alive), as a real shop or Odoo
behind its web server (nginx, Apache, Odoo Online's proxies) keeps them for a client's session.
werkzeug's own handler closes every connection, so the handler here answers the request
itself: it reads what is left of the request's body before the next request line and says
``Connection: close`` only when it must (the client asked, HTTP/1.0, a chunked request, an
error mid-answer, or the server stopping). ``keep_alive=False`` closes every connection, like
an Odoo reached directly through its own werkzeug server.
Each request knows whether it opened its connection (``sandbox.new_connection`` in the WSGI
environ): ``Latency`` charges the handshakes of a new connection.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wsgi import LimitedStream

from wooodoo.sandbox.faults import WSGIApp

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0  # an open connection with no request for this long is closed (nginx: 75)
NEW_CONNECTION = "sandbox.new_connection"  # in the WSGI environ: this request opened it
_DROPPED = (ConnectionError, TimeoutError, ssl.SSLError)


class _Connections:
    """A server's open connections, so that stopping it can close the idle ones at once."""

    def __init__(self, keep_alive: bool) -> None:
        self.keep_alive = keep_alive
        self.stopping = False
        self._lock = threading.Lock()
        self._idle: set[socket.socket] = set()

    def busy(self, sock: socket.socket) -> None:
        with self._lock:
            self._idle.discard(sock)

    def idle(self, sock: socket.socket) -> bool:
        """Mark the connection waiting for its next request; False: close it instead."""
        with self._lock:
            if self.stopping or not self.keep_alive:
                return False
            self._idle.add(sock)
            return True

    def gone(self, sock: socket.socket) -> None:
        with self._lock:
            self._idle.discard(sock)

    def stop(self) -> None:
        """No more requests on any connection; wake those waiting for one (they see the end)."""
        with self._lock:
            self.stopping = True
            idle, self._idle = list(self._idle), set()
        for sock in idle:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _QuietHandler(WSGIRequestHandler):
    """No request log; a ``Date`` the app sets (a store's clock) is the only one sent; the
    connection stays open for the next request unless it must close (see the module)."""

    timeout = IDLE_SECONDS
    connections = _Connections(keep_alive=False)  # each server's own: see LoopbackServer
    _dated = True

    def setup(self) -> None:
        super().setup()
        # An answer goes out in two writes (head, then body); on a kept connection Nagle's
        # algorithm would hold the body until the client acknowledges the head, which it
        # delays by up to 40 ms. Web servers turn it off (nginx: tcp_nodelay on).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._served = 0

    def finish(self) -> None:
        self.connections.gone(self.connection)
        super().finish()

    def run_wsgi(self) -> None:
        connections = self.connections
        connections.busy(self.connection)
        environ = self.make_environ()
        chunked = "wsgi.input_terminated" in environ
        body = None
        if not chunked:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                self.send_error(400, "Content-Length is not a number")  # closes
                return
            body = LimitedStream(self.rfile, length)  # type: ignore[arg-type]
            environ["wsgi.input"] = body
        environ[NEW_CONNECTION] = self._served == 0
        self._served += 1
        if chunked or not connections.keep_alive or connections.stopping:
            self.close_connection = True  # else the client's wish (and HTTP/1.0) decides
        answer = _Answer(self, environ["REQUEST_METHOD"] == "HEAD")
        try:
            answer.run(self.server.app, environ)
            if body is not None:
                body.exhaust()  # the next request line follows the body
        except _DROPPED:
            self.close_connection = True
        except Exception:  # the app's bug: logged, a 500 if nothing was sent yet, then close
            log.exception("sandbox: error on %s %s", self.command, self.path.split("?")[0])
            self.close_connection = True
            if not answer.started:
                with contextlib.suppress(*_DROPPED):
                    answer.fail()
        if not self.close_connection and not connections.idle(self.connection):
            self.close_connection = True

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

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log_error(self, *args: Any) -> None:
        pass


class _Answer:
    """One WSGI answer written to the handler's connection: headers on the first write, the
    body with its length or in chunks, ``Connection`` as the handler decided."""

    def __init__(self, handler: _QuietHandler, head: bool) -> None:
        self.handler = handler
        self.head = head
        self.started = False
        self._status = ""
        self._headers: list[tuple[str, str]] = []
        self._chunked = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        self._status, self._headers = status, list(headers)
        return self.write

    def run(self, app: WSGIApp, environ: dict[str, Any]) -> None:
        result: Iterable[bytes] = app(environ, self.start_response)
        try:
            for data in result:
                self.write(data)
            if not self.started:
                self.write(b"")
            if self._chunked:
                self.handler.wfile.write(b"0\r\n\r\n")
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def write(self, data: bytes) -> None:
        out = self.handler.wfile
        if not self.started:
            self._send_headers()
        if data and not self.head:
            if self._chunked:
                out.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            else:
                out.write(data)
        out.flush()

    def fail(self) -> None:
        self.handler.close_connection = True
        self._status, self._headers = "500 Internal Server Error", [("Content-Length", "0")]
        self.write(b"")

    def _send_headers(self) -> None:
        handler = self.handler
        code_text, _, reason = self._status.partition(" ")
        code = int(code_text)
        handler.send_response(code, reason)
        names = set()
        for name, value in self._headers:
            if name.lower() != "connection":
                handler.send_header(name, value)
                names.add(name.lower())
        if (
            "content-length" not in names
            and not self.head
            and code >= 200
            and code not in (204, 304)
        ):
            self._chunked = True
            handler.send_header("Transfer-Encoding", "chunked")
        handler.send_header("Connection", "close" if handler.close_connection else "keep-alive")
        handler.end_headers()
        self.started = True


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
    """One threaded WSGI server on 127.0.0.1; ``port=0`` picks a free port.

    ``keep_alive``: connections stay open between requests (False: one request each).
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        tls: CertificateAuthority | None = None,
        keep_alive: bool = True,
    ) -> None:
        ctx = tls.server_context() if tls else None
        self._connections = _Connections(keep_alive)
        handler = type("_Handler", (_QuietHandler,), {"connections": self._connections})
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, ssl_context=ctx, request_handler=handler
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
        self._connections.stop()  # open connections end after their request in flight
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
