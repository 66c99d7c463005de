"""A small threaded HTTP/1.1 WSGI server with keep-alive, for the local stack and its moto.

Why not werkzeug's development server: it closes every connection after one response, so each
AWS call of a handler (and each request of a client) pays a new TCP connection and a new
thread; with moto in the same process that doubles the cost of a DynamoDB call. This server
keeps connections open (`Content-Length` framing, ``TCP_NODELAY``, headers and body in one
write), reads every request body completely before the application sees it (a connection is
never left mid-request; chunked request bodies are de-chunked), answers ``Expect:
100-continue``, and turns an application exception into a 500. Responses are buffered (the
applications served here answer with small bodies).

`wsgi_environ` and `call_app` are how a request reaches the application; `in_process` uses them to
answer without HTTP. `WsgiServer(app, host, port)` binds at once (``OSError`` as the socket raises it), `start()`
serves from a thread, `stop()` stops accepting, closes every open connection and joins all
threads. Each request is logged to ``access_log`` at INFO when given, else not at all.
"""

from __future__ import annotations

import io
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)
IDLE_TIMEOUT_S = 30.0
MAX_BODY_BYTES = 64 * 1024 * 1024
_HOP_BY_HOP = frozenset({"connection", "content-length", "keep-alive", "transfer-encoding"})


def wsgi_environ(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    server: tuple[str, int],
    client: tuple[str, int],
    protocol: str = "HTTP/1.1",
) -> dict[str, Any]:
    """The WSGI environ of one request (`target`: the request line's path and query)."""
    url = urlsplit(target)
    path = url.path
    if not url.scheme and url.netloc:  # a path that starts with //
        path = f"/{url.netloc}{url.path}"
    environ: dict[str, Any] = {
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # PEP 3333: the decoded path's bytes as latin-1 text (what werkzeug does too)
        "PATH_INFO": unquote(path).encode("utf-8").decode("latin-1"),
        "QUERY_STRING": url.query,
        "REQUEST_URI": target,
        "RAW_URI": target,
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": protocol,
        "CONTENT_LENGTH": str(len(body)),
    }
    for key, value in headers:
        name = key.upper().replace("-", "_")
        if name == "CONTENT_TYPE":
            environ[name] = value
        elif name not in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            name = "HTTP_" + name
            environ[name] = f"{environ[name]},{value}" if name in environ else value
    return environ


def call_app(app: WSGIApplication, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run `app` on `environ`: (status line, headers, whole body); a crash answers 500."""
    answer: dict[str, Any] = {}
    written: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        answer["status"], answer["headers"] = status, headers
        return written.append

    try:
        result: Iterable[bytes] = app(environ, start_response)
        try:
            written.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    except Exception:
        log.exception("%s %s: the application failed", environ["REQUEST_METHOD"], environ["RAW_URI"])
        return "500 Internal Server Error", [("Content-Type", "text/plain")], b"internal error\n"
    return answer["status"], answer["headers"], b"".join(written)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        log.debug(format, *args)

    def _body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts: list[bytes] = []
            size = 0
            while True:
                line = self.rfile.readline(65537)
                length = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if length == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                size += length
                if size > MAX_BODY_BYTES:
                    return None
                parts.append(self.rfile.read(length))
                self.rfile.readline(3)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _environ(self, body: bytes) -> dict[str, Any]:
        return wsgi_environ(
            self.command,
            self.path,
            self.headers.items(),
            body,
            server=(str(self.server.server_address[0]), int(self.server.server_address[1])),
            client=(str(self.client_address[0]), int(self.client_address[1])),
            protocol=self.request_version,
        )

    def _respond(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        lines = [f"{self.protocol_version} {status}", f"Date: {self.date_time_string()}"]
        lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _HOP_BY_HOP]
        if self.close_connection:
            lines.append("Connection: close")
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        # Headers and body leave in one write: no Nagle / delayed-ACK stall between them.
        self.wfile.write(head + (b"" if self.command == "HEAD" else body))
        self.wfile.flush()

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        if not self.raw_requestline or len(self.raw_requestline) > 65536:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        started = time.perf_counter()
        body = self._body()
        if body is None:
            self.close_connection = True
            self._respond("413 Payload Too Large", [("Content-Type", "text/plain")], b"too large\n")
            return
        status, headers, payload = self.server.call(self._environ(body))
        self._respond(status, headers, payload)
        self.server.log_access(self.command, self.path, status, started)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self, address: tuple[str, int], app: WSGIApplication, access_log: logging.Logger | None
    ) -> None:
        self.app = app
        self.access_log = access_log
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer is not worth a traceback on the console.
        log.debug("connection from %s failed", client_address, exc_info=True)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._lock:
            self._handler_threads = {t for t in self._handler_threads if t.is_alive()}
            self._handler_threads.add(thread)
        thread.start()

    def track(self, connection: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self, timeout: float) -> None:
        with self._lock:
            connections = list(self._connections)
            threads = list(self._handler_threads)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        return call_app(self.app, environ)

    def log_access(self, method: str, path: str, status: str, started: float) -> None:
        if self.access_log is not None and self.access_log.isEnabledFor(logging.INFO):
            took = (time.perf_counter() - started) * 1000
            self.access_log.info("%s %s -> %s (%.1f ms)", method, path, status[:3], took)


class WsgiServer:
    def __init__(
        self,
        app: WSGIApplication,
        host: str,
        port: int,
        access_log: logging.Logger | None = None,
    ) -> None:
        self._server = _Server((host, port), app, access_log)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self, name: str = "wsgi-server") -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name=name, daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout)
            self._thread = None
        self._server.close_connections(timeout)
        self._server.server_close()
