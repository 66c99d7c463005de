"""A small threaded HTTP/1.1 WSGI server with keep-alive, for the local stack and its moto.

Why not werkzeug's development server: it closes every connection after one response, so each
AWS call of a handler (and each request of a client) pays a new TCP connection and a new
thread; with moto in the same process that doubles the cost of a DynamoDB call. This server
keeps connections open (`Content-Length` framing, ``TCP_NODELAY``, headers and body in one
write), reads every request body completely before the application sees it (a connection is
never left mid-request; chunked request bodies are de-chunked), answers ``Expect:
100-continue``, and turns an application exception into a 500. Responses are buffered (the
applications served here answer with small bodies).

It holds under load and refuses instead of dropping: the listen backlog is `LISTEN_BACKLOG`
(socketserver's default of 5 reset connections under a burst); at most `max_connections`
connections are served at once (each on its own thread; one more is answered 503 and closed);
at most `max_active` requests run inside the application at once (one more waits up to
`QUEUE_WAIT_S`, then is answered 503). A request that cannot be framed (`framing`: too long a
request line, bad lengths, smuggling, too large a body...) is answered with its 4xx/5xx status,
a JSON body ``{"message": ...}`` and ``Connection: close``, and the connection is closed
gracefully (`_linger`), so the client reads the answer.

`wsgi_environ` and `call_app` are how a request reaches the application; `in_process` uses them to
answer without HTTP. `WsgiServer(app, host, port)` binds at once (``OSError`` as the socket raises it), `start()`
serves from a thread, `stop()` stops accepting, closes every open connection and joins all
threads. Each request is logged to ``access_log`` at INFO when given, else not at all.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from generator.dev.http.framing import FramingError, Limits, RequestHead, body_length, read_body, read_head

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)
IDLE_TIMEOUT_S = 30.0
LISTEN_BACKLOG = 128
MAX_CONNECTIONS = 256  # open connections (one thread each); beyond: 503 and close
MAX_ACTIVE = 64  # requests inside the application at once; beyond: wait QUEUE_WAIT_S, then 503
QUEUE_WAIT_S = 5.0
LINGER_S = 1.0
LINGER_BYTES = 16 * 1024 * 1024
Answer = tuple[str, list[tuple[str, str]], bytes]
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


def call_app(app: WSGIApplication, environ: dict[str, Any]) -> Answer:
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


def json_answer(status: str, message: str, extra: list[tuple[str, str]] | None = None) -> Answer:
    """An answer of the server itself (not the application): ``{"message": ...}`` as JSON."""
    body = (json.dumps({"message": message}) + "\n").encode("utf-8")
    return status, [("Content-Type", "application/json"), *(extra or [])], body


def _linger(connection: socket.socket) -> None:
    """Close gracefully after a refusal: stop writing, then read (and drop) what the client still
    sends for a moment. Closing with unread bytes makes the kernel send a reset, and the client
    may lose the answer it has not read yet (seen as a dropped connection)."""
    try:
        connection.shutdown(socket.SHUT_WR)
        connection.settimeout(LINGER_S)
        deadline = time.monotonic() + LINGER_S
        drained = 0
        while time.monotonic() < deadline and drained < LINGER_BYTES:
            data = connection.recv(65536)
            if not data:
                break
            drained += len(data)
    except OSError:
        pass


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

    def _environ(self, head: RequestHead, body: bytes) -> dict[str, Any]:
        return wsgi_environ(
            head.method,
            head.target,
            head.headers,
            body,
            server=(str(self.server.server_address[0]), int(self.server.server_address[1])),
            client=(str(self.client_address[0]), int(self.client_address[1])),
            protocol=head.version,
        )

    def _respond(self, answer: Answer) -> None:
        status, headers, body = answer
        lines = [f"{self.protocol_version} {status}", f"Date: {self.date_time_string()}"]
        lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _HOP_BY_HOP]
        if self.close_connection:
            lines.append("Connection: close")
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        # Headers and body leave in one write: no Nagle / delayed-ACK stall between them.
        self.wfile.write(head + (b"" if self.command == "HEAD" else body))
        self.wfile.flush()

    def _refuse(self, error: FramingError) -> None:
        """Answer a request that cannot be framed, then close (its end is unknown)."""
        self.close_connection = True
        log.info("refused a request from %s: %s %s", self.client_address[0], error.status, error.message)
        self._respond(json_answer(error.status_line, error.message))
        _linger(self.connection)

    def handle_one_request(self) -> None:
        self.command = ""  # not HEAD until the request line says so
        limits = self.server.limits
        try:
            head = read_head(self.rfile, limits)
            if head is None:
                self.close_connection = True
                return
            self.command, self.path, self.request_version = head.method, head.target, head.version
            self.close_connection = not head.keep_alive
            length = body_length(head, limits)
            if length != 0 and (head.get("expect") or "").lower() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.wfile.flush()
            started = time.perf_counter()
            body = read_body(self.rfile, head, limits)
        except FramingError as error:
            self._refuse(error)
            return
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        answer = self.server.call(self._environ(head, body))
        if answer is None:  # every worker busy for a while: refuse, never queue without bound
            self.close_connection = True
            answer = json_answer(
                "503 Service Unavailable", "The local server is busy; retry", [("Retry-After", "1")]
            )
        self._respond(answer)
        self.server.log_access(head.method, head.target, answer[0], started)


def _refuse_connection(request: socket.socket, client: Any) -> None:
    """A connection over `max_connections`: read its request head briefly, answer 503, close."""
    try:
        request.settimeout(1.0)
        request.recv(65536)
        _, headers, body = json_answer(
            "503 Service Unavailable", "Too many open connections; retry", [("Retry-After", "1")]
        )
        head = "HTTP/1.1 503 Service Unavailable\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
        head += f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
        request.sendall(head.encode("latin-1") + body)
        _linger(request)
    except OSError:
        log.debug("refusing %s failed", client, exc_info=True)
    finally:
        request.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver listens with a backlog of 5: a burst of new connections beyond it was refused
    # or reset by the kernel before the accept loop saw it.
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        app: WSGIApplication,
        access_log: logging.Logger | None,
        limits: Limits,
        max_connections: int,
        max_active: int,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.limits = limits
        self.max_connections = max_connections
        self._active = threading.BoundedSemaphore(max_active)
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer is not worth a traceback on the console.
        log.debug("connection from %s failed", client_address, exc_info=True)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._handler_threads = {t for t in self._handler_threads if t.is_alive()}
            full = len(self._handler_threads) >= self.max_connections
        if full:
            threading.Thread(
                target=_refuse_connection, args=(request, client_address), daemon=True
            ).start()
            return
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._lock:
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

    def call(self, environ: dict[str, Any]) -> Answer | None:
        """The application's answer, or None when no worker was free within `QUEUE_WAIT_S`."""
        if not self._active.acquire(timeout=QUEUE_WAIT_S):
            return None
        try:
            return call_app(self.app, environ)
        finally:
            self._active.release()

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
        *,
        limits: Limits = Limits(),
        max_connections: int = MAX_CONNECTIONS,
        max_active: int = MAX_ACTIVE,
    ) -> None:
        self._server = _Server((host, port), app, access_log, limits, max_connections, max_active)
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
