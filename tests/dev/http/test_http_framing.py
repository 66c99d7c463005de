"""Request framing over a raw socket: every malformed request gets its status, a JSON message and
`Connection: close`; never a dropped connection. Well-formed requests still keep the connection."""

from __future__ import annotations

import pytest
from http_raw import closed_after, connect, exchange, read_answer

from generator.dev.http.framing import Limits
from generator.dev.http.wsgi_server import WsgiServer

HOST = b"Host: 127.0.0.1\r\n"


def _refused(server: WsgiServer, data: bytes, status: int, words: str) -> None:
    with connect(server.port) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_answer(sock)
        assert answer.status == status, answer
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["connection"] == "close"
        assert words.lower() in answer.json()["message"].lower()
        assert closed_after(sock)


def test_a_well_formed_request_keeps_the_connection(server: WsgiServer) -> None:
    with connect(server.port) as sock:
        for _ in range(3):
            sock.sendall(b"POST /x HTTP/1.1\r\n" + HOST + b"Content-Length: 5\r\n\r\nhello")
            answer = read_answer(sock)
            assert answer.status == 200
            assert answer.json() == {"method": "POST", "path": "/x", "length": 5, "body": "hello"}
            assert "connection" not in answer.headers


def test_a_chunked_body_is_dechunked(server: WsgiServer) -> None:
    data = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    answer = exchange(server.port, b"PUT /c HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n" + data)
    assert answer.status == 200
    assert answer.json()["body"] == "hello world"


def test_expect_100_continue_is_answered(server: WsgiServer) -> None:
    with connect(server.port) as sock:
        sock.sendall(b"POST /e HTTP/1.1\r\n" + HOST + b"Content-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(25).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"ok")
        assert read_answer(sock).json()["body"] == "ok"


def test_a_request_line_over_the_limit_is_414(server: WsgiServer) -> None:
    target = b"/" + b"a" * 70_000
    _refused(server, b"GET " + target + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414, "request line")


def test_a_request_line_at_api_gateways_url_limit_is_served(server: WsgiServer) -> None:
    target = b"/" + b"a" * 10_239
    answer = exchange(server.port, b"GET " + target + b" HTTP/1.1\r\n" + HOST + b"\r\n")
    assert answer.status == 200


def test_a_header_section_over_the_limit_is_431(server: WsgiServer) -> None:
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 1000) for i in range(70))
    _refused(server, b"GET / HTTP/1.1\r\n" + HOST + headers + b"\r\n", 431, "header")


def test_too_many_header_fields_are_431(server: WsgiServer) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    _refused(server, b"GET / HTTP/1.1\r\n" + HOST + headers + b"\r\n", 431, "header fields")


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1e3", b"0x10", b"+5", b""])
def test_a_content_length_that_is_not_a_number_is_400(server: WsgiServer, length: bytes) -> None:
    data = b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: " + length + b"\r\n\r\nbody"
    _refused(server, data, 400, "content-length")


def test_two_different_content_lengths_are_400(server: WsgiServer) -> None:
    data = b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nbody"
    _refused(server, data, 400, "conflicting")


@pytest.mark.parametrize("size", [b"zz", b"-1", b"", b"1 2", b"ffffffffffffffffff"])
def test_a_bad_chunk_size_is_400(server: WsgiServer, size: bytes) -> None:
    data = b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n" + size + b"\r\nabc\r\n0\r\n\r\n"
    _refused(server, data, 400, "chunk")


def test_a_chunk_without_its_crlf_is_400(server: WsgiServer) -> None:
    data = b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n"
    _refused(server, data, 400, "chunk")


def test_content_length_with_transfer_encoding_is_refused_as_smuggling(server: WsgiServer) -> None:
    smuggled = b"0\r\n\r\nGET /admin HTTP/1.1\r\n" + HOST + b"\r\n"
    data = (b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
            % len(smuggled)) + smuggled
    _refused(server, data, 400, "both content-length and transfer-encoding")


@pytest.mark.parametrize("coding", [b"gzip", b"gzip, chunked", b"chunked, chunked", b"identity"])
def test_an_unsupported_transfer_coding_is_501(server: WsgiServer, coding: bytes) -> None:
    data = b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: " + coding + b"\r\n\r\n0\r\n\r\n"
    _refused(server, data, 501, "transfer-encoding")


@pytest.mark.parametrize("method", [b"POST", b"PUT", b"PATCH"])
def test_a_body_method_without_a_length_is_411(server: WsgiServer, method: bytes) -> None:
    _refused(server, method + b" / HTTP/1.1\r\n" + HOST + b"\r\n", 411, "content-length")


def test_a_declared_body_over_the_limit_is_413_without_reading_it(server: WsgiServer) -> None:
    data = b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: %d\r\n\r\n" % (Limits().body + 1)
    _refused(server, data + b"x" * 65536, 413, "larger than")


def test_a_chunked_body_over_the_limit_is_413() -> None:
    server = WsgiServer(lambda e, s: [], "127.0.0.1", 0, limits=Limits(body=1000))
    server.start()
    try:
        chunk = b"400\r\n" + b"x" * 1024 + b"\r\n"
        data = b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 2
        _refused(server, data, 413, "larger than")
    finally:
        server.stop(5)


@pytest.mark.parametrize(
    "line",
    [b"GET /\r\n", b"GET  / HTTP/1.1\r\n", b"G(T / HTTP/1.1\r\n", b"GET / FTP/1.1\r\n", b"GET /a\x01b HTTP/1.1\r\n"],
    ids=["http09", "double-space", "bad-method", "bad-version", "control-char"],
)
def test_a_malformed_request_line_is_400(server: WsgiServer, line: bytes) -> None:
    _refused(server, line + HOST + b"\r\n", 400, "malformed")


def test_an_unsupported_http_version_is_505(server: WsgiServer) -> None:
    _refused(server, b"GET / HTTP/2.0\r\n" + HOST + b"\r\n", 505, "not supported")


@pytest.mark.parametrize(
    "header", [b"NoColon\r\n", b"Bad Name: v\r\n", b"X-A : v\r\n", b" folded\r\n"],
    ids=["no-colon", "space-in-name", "space-before-colon", "obs-fold"],
)
def test_a_malformed_header_field_is_400(server: WsgiServer, header: bytes) -> None:
    _refused(server, b"GET / HTTP/1.1\r\n" + HOST + header + b"\r\n", 400, "header")


def test_two_host_headers_are_400(server: WsgiServer) -> None:
    _refused(server, b"GET / HTTP/1.1\r\n" + HOST + b"Host: evil.example\r\n\r\n", 400, "host")


def test_a_get_without_a_length_has_an_empty_body(server: WsgiServer) -> None:
    answer = exchange(server.port, b"GET /g HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
    assert answer.status == 200
    assert answer.json()["length"] == 0
    assert answer.headers["connection"] == "close"
