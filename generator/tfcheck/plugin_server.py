"""Serve gRPC services the way HashiCorp go-plugin expects a plugin process to.

Contract: `serve(register)` checks the magic cookie Terraform sets, listens on a fresh unix
socket in a private temp dir with a throw-away TLS certificate (go-plugin's AutoMTLS: Terraform
pins the certificate we print in the handshake line), prints that line on stdout, and blocks until Terraform asks the plugin to shut down.
"""

from __future__ import annotations

import base64
import datetime
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any, Final

import grpc  # type: ignore[import-untyped,unused-ignore]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from tf.gen import (  # type: ignore[import-untyped,unused-ignore]
    grpc_controller_pb2 as controller_pb,
    grpc_controller_pb2_grpc as controller_rpc,
    grpc_stdio_pb2_grpc as stdio_rpc,
)

MAGIC_COOKIE_KEY: Final = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE: Final = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION: Final = 1
APP_PROTOCOL_VERSION: Final = 6  # tfplugin6

Register = Callable[[grpc.Server], None]


class NotLaunchedByTerraformError(Exception):
    """The process was started by hand instead of by Terraform."""


def _self_signed_certificate() -> tuple[bytes, bytes, bytes]:
    """Return (key PEM, certificate PEM, certificate DER) for a one-run localhost identity."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        # go-plugin puts this certificate itself in the client's root pool, so it must be a
        # CA that is also valid for TLS server auth on "localhost".
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        key_pem,
        cert.public_bytes(serialization.Encoding.PEM),
        cert.public_bytes(serialization.Encoding.DER),
    )


class _Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop

    def Shutdown(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        self._stop.set()
        return controller_pb.Empty()


class _Stdio(stdio_rpc.GRPCStdioServicer):  # type: ignore[misc]
    # Our stdout carries only the handshake and stderr goes straight to Terraform's log, so
    # there is nothing to stream; answering (with nothing) keeps go-plugin from logging errors.
    def StreamStdio(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:  # noqa: N802
        return iter(())


def _credentials(cert_pem: bytes, key_pem: bytes) -> grpc.ServerCredentials:
    # Client certificates are not required: go-plugin's is ECDSA P-521, whose signature
    # scheme BoringSSL (inside grpcio) does not offer, so Go would send none and the
    # handshake would fail.  The socket sits in a private 0700 temp dir instead.
    return grpc.ssl_server_credentials([(key_pem, cert_pem)])


def _offered_protocols() -> set[str]:
    raw = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", str(APP_PROTOCOL_VERSION))
    return {part.strip() for part in raw.split(",") if part.strip()}


def serve(register: Register) -> None:
    """Run until Terraform shuts the plugin down; `register` adds the provider services."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        raise NotLaunchedByTerraformError(
            "this program is a Terraform provider plugin; Terraform starts it, not people"
        )
    if str(APP_PROTOCOL_VERSION) not in _offered_protocols():
        raise NotLaunchedByTerraformError(
            f"Terraform did not offer plugin protocol {APP_PROTOCOL_VERSION}"
        )
    # Ctrl-C reaches the whole process group; Terraform itself decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop = threading.Event()
    key_pem, cert_pem, cert_der = _self_signed_certificate()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    register(server)
    controller_rpc.add_GRPCControllerServicer_to_server(_Controller(stop), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    socket_parent = os.environ.get("PLUGIN_UNIX_SOCKET_DIR") or None
    with tempfile.TemporaryDirectory(prefix="tfcheck-plugin-", dir=socket_parent) as tmp:
        socket_path = Path(tmp) / "plugin.sock"
        server.add_secure_port(f"unix:{socket_path}", _credentials(cert_pem, key_pem))
        server.start()
        cert_b64 = base64.b64encode(cert_der).decode().rstrip("=")
        handshake = "|".join(
            (
                str(CORE_PROTOCOL_VERSION),
                str(APP_PROTOCOL_VERSION),
                "unix",
                str(socket_path),
                "grpc",
                cert_b64,
            )
        )
        sys.stdout.write(handshake + "\n")
        sys.stdout.flush()
        stop.wait()
        server.stop(grace=0.5).wait()
