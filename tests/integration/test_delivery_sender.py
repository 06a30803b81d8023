"""The HTTP edge against real servers on 127.0.0.1: pinning (HTTP, HTTPS), timeouts, refusals, redirects."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from newswatch.delivery.policy.classify import Result
from newswatch.delivery.sender import HttpSender


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        Handler.seen.append((self.path, self.headers.get("host", "")))
        if self.path == "/slow":
            time.sleep(1.0)
        if self.path == "/redirect":
            self.send_response(307)
            self.send_header("location", "http://127.0.0.1:1/elsewhere")
        elif self.path == "/busy":
            self.send_response(429)
            self.send_header("retry-after", "30")
        else:
            self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Handler.seen = []
    yield int(server.server_port)
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connects_to_the_pinned_address_whatever_dns_says(port: int) -> None:
    # `rebind.invalid` never resolves: the request can only arrive through the pinned address.
    sent = HttpSender(timeout=2).post(f"http://rebind.invalid:{port}/hook", "127.0.0.1", {}, b"{}")
    assert sent.result == Result(204)
    assert Handler.seen == [("/hook", f"rebind.invalid:{port}")]


CASES = [
    # success
    ("/ok", Result(204)),
    # Retry-After is passed on raw
    ("/busy", Result(429, retry_after="30")),
    # redirects are returned, never followed (the target was not vetted)
    ("/redirect", Result(307)),
]


@pytest.mark.parametrize(("path", "expected"), CASES)
def test_results(port: int, path: str, expected: Result) -> None:
    assert (
        HttpSender(timeout=2).post(f"http://127.0.0.1:{port}{path}", "127.0.0.1", {}, b"{}").result
        == expected
    )
    assert len(Handler.seen) == 1


def test_timeout_is_a_transport_error(port: int) -> None:
    sent = HttpSender(timeout=0.2).post(f"http://127.0.0.1:{port}/slow", "127.0.0.1", {}, b"{}")
    assert sent.result.status is None and sent.result.timed_out
    assert 0.2 <= sent.latency < 1.0


def test_refused_connection_is_a_transport_error() -> None:
    sent = HttpSender(timeout=2).post(f"http://127.0.0.1:{closed_port()}/", "127.0.0.1", {}, b"{}")
    assert sent.result.status is None and not sent.result.timed_out and sent.result.error


@pytest.fixture(scope="module")
def tls_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, ssl.SSLContext]]:
    """An HTTPS server on 127.0.0.1 with a certificate for `hooks.test`, and a context trusting it."""
    cert, key = _self_signed("hooks.test", tmp_path_factory.mktemp("tls"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_port), ssl.create_default_context(cafile=str(cert))
    server.shutdown()
    server.server_close()


def _self_signed(host: str, where: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = where / "cert.pem", where / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


TLS_CASES = [
    # the URL's host matches the certificate: verified although we connect to the pinned IP
    ("hooks.test", 204),
    # another name for the same address fails verification: no status, a transport error
    ("other.test", None),
]


@pytest.mark.parametrize(("host", "status"), TLS_CASES)
def test_https_to_a_pinned_address_verifies_the_url_host(
    tls_port: tuple[int, ssl.SSLContext], host: str, status: int | None
) -> None:
    port, trust = tls_port
    sent = HttpSender(timeout=5, verify=trust).post(f"https://{host}:{port}/hook", "127.0.0.1", {}, b"{}")
    assert sent.result.status == status
