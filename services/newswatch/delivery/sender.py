"""The HTTP edge: POST one signed body to a pinned address through a shared httpx pool."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass

import httpx

from newswatch.delivery.policy.classify import Result
from newswatch.delivery.policy.ssrf import pinned


@dataclass(frozen=True, slots=True)
class Sent:
    result: Result
    latency: float  # seconds spent on the HTTP exchange


class HttpSender:
    """Thread-safe; one per process so connections to a receiver are reused.

    HTTPS to a pinned address still verifies the certificate against the URL's
    host name: it is sent as SNI and checked, only the TCP address is fixed.

    Redirects are never followed (a 3xx gives up): following one would bypass
    the SSRF guard. The response body is never read, so a receiver cannot make
    us download a large answer.
    """

    def __init__(
        self, timeout: float = 15.0, max_connections: int = 100, verify: ssl.SSLContext | bool = True
    ) -> None:
        """`verify`: TLS trust (tests pass a context trusting their own CA)."""
        self._client = httpx.Client(
            timeout=timeout,
            verify=verify,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=20),
        )

    def post(self, url: str, address: str, headers: dict[str, str], body: bytes) -> Sent:
        """POST `body` to `url`, connecting to the already vetted `address`. Never raises on I/O."""
        target, host, sni = pinned(url, address)
        start = time.perf_counter()
        try:
            with self._client.stream(
                "POST",
                target,
                content=body,
                headers={**headers, "host": host},
                extensions={"sni_hostname": sni},
            ) as response:
                result = Result(response.status_code, retry_after=response.headers.get("retry-after"))
        except httpx.TimeoutException as exc:
            result = Result(None, f"timeout: {type(exc).__name__}", timed_out=True)
        except httpx.HTTPError as exc:
            result = Result(None, f"{type(exc).__name__}: {exc}"[:300])
        return Sent(result, time.perf_counter() - start)

    def close(self) -> None:
        self._client.close()
