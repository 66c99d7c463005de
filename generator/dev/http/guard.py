"""Who may call the local control endpoints: the machine's own user, not a web page.

Contract: `refusal(environ)` returns None for a request the control endpoints may serve, else the
reason to answer it 403. The server applies it to ``/_local`` paths only (the API and the
dashboard are meant to be called from pages). A request is refused when
- its ``Host`` header names a host other than ``localhost``, ``127.0.0.1``, ``[::1]`` or the
  address the server is bound to (`SERVER_NAME`), with any port: a page on an attacker's domain
  that re-resolves to 127.0.0.1 (DNS rebinding) still sends the attacker's name;
- it carries an ``Origin`` that is not the server's own (``http://`` + its ``Host``), ``null``
  included: a page elsewhere can send a "simple" cross-origin POST without a CORS preflight;
- ``Sec-Fetch-Site: cross-site``: the browser itself says another site started it.
A request without ``Host`` or ``Origin`` (curl, scripts, tests) is served.

`is_loopback(host)`: whether binding `host` keeps the server on this machine.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host: str) -> str:
    """``[::1]:8000`` -> ``::1``; ``LocalHost:80`` -> ``localhost``; ``example.com`` as is."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        return name
    return host


def allowed_hosts(bound: str) -> frozenset[str]:
    return LOOPBACK_NAMES | {host_name(bound)} if bound else LOOPBACK_NAMES


def refusal(environ: Mapping[str, Any]) -> str | None:
    host = str(environ.get("HTTP_HOST") or "")
    allowed = allowed_hosts(str(environ.get("SERVER_NAME") or ""))
    if host and host_name(host) not in allowed:
        return (
            f"Host {host!r} is not this machine: the local endpoints answer only "
            f"localhost, 127.0.0.1, [::1] and the bound address (DNS rebinding guard)"
        )
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and (not host or str(origin).lower() != f"http://{host}".lower()):
        return f"Cross-origin request from {origin!r} refused: the local endpoints are same-origin only"
    if str(environ.get("HTTP_SEC_FETCH_SITE") or "").lower() == "cross-site":
        return "Cross-site request refused: the local endpoints are same-origin only"
    return None


def is_loopback(host: str) -> bool:
    name = host_name(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface
