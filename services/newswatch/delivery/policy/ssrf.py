"""SSRF guard for webhook URLs.

A subscriber chooses the URL we POST to, so without a guard they could make
newswatch call its own admin ports, the cloud metadata service or hosts on the
private network. The URL's host is resolved and every address checked; one
bad address refuses the whole URL (an attacker controls which one we'd pick).
It runs when a subscription is saved and again right before each delivery,
and the delivery then connects to the checked address (`pinned`), so a DNS
answer that changes in between (rebinding) cannot redirect the request.

`allow_private` (`NEWSWATCH_WEBHOOK_ALLOW_PRIVATE=1`) lifts every rule except
the metadata endpoints, which only an explicit subnet allowlist can open.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_NET = ipaddress.ip_network
# (network, reason) checked in order; the first match names the refusal.
FORBIDDEN: tuple[tuple[Network, str], ...] = (
    (_NET("0.0.0.0/8"), "unspecified"),
    (_NET("::/128"), "unspecified"),
    (_NET("127.0.0.0/8"), "loopback"),
    (_NET("::1/128"), "loopback"),
    (_NET("10.0.0.0/8"), "private"),
    (_NET("172.16.0.0/12"), "private"),
    (_NET("192.168.0.0/16"), "private"),
    (_NET("100.64.0.0/10"), "cgnat"),
    (_NET("169.254.0.0/16"), "link-local"),
    (_NET("fe80::/10"), "link-local"),
    (_NET("fc00::/7"), "unique-local"),
    (_NET("224.0.0.0/4"), "multicast"),
    (_NET("ff00::/8"), "multicast"),
)


class UnsafeWebhookURL(ValueError):
    """The URL must not be called; `reason` is a short slug for logs and API errors."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class UnresolvableHost(UnsafeWebhookURL):
    """DNS gave no answer: refused at save time, retried at delivery time."""


@dataclass(frozen=True, slots=True)
class SsrfPolicy:
    allow_private: bool = False
    allowed_subnets: tuple[Network, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SsrfPolicy:
        """`NEWSWATCH_WEBHOOK_ALLOW_PRIVATE=1`; `NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS=10.1.0.0/16,fd12::/64`."""
        subnets = env.get("NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS", "")
        return cls(
            allow_private=env.get("NEWSWATCH_WEBHOOK_ALLOW_PRIVATE", "") in {"1", "true", "yes"},
            allowed_subnets=tuple(_NET(s.strip(), strict=False) for s in subnets.split(",") if s.strip()),
        )


def refusal(ip: IPAddress, policy: SsrfPolicy) -> str | None:
    """Why `ip` may not be called under `policy`, or None if it may (pure)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in net for net in policy.allowed_subnets):
        return None
    if ip in METADATA:
        return "cloud-metadata"
    if policy.allow_private:
        return None
    for net, reason in FORBIDDEN:
        if ip.version == net.version and ip in net:
            return reason
    return None if ip.is_global else "reserved"


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (blocking DNS lookup)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost("unresolvable", f"{host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, policy: SsrfPolicy, resolver: Resolver = resolve) -> list[str]:
    """Resolve and vet `url`; returns the safe addresses or raises UnsafeWebhookURL."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeWebhookURL("bad-url", "webhook URLs must be absolute http(s) URLs")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeWebhookURL("bad-url", str(exc)) from exc
    addresses = resolver(parts.hostname, port)
    for addr in addresses:
        reason = refusal(ipaddress.ip_address(addr.split("%")[0]), policy)
        if reason:
            raise UnsafeWebhookURL(reason, f"{parts.hostname} resolves to {addr}")
    if not addresses:
        raise UnresolvableHost("unresolvable", f"{parts.hostname}: no addresses")
    return addresses


def pinned(url: str, address: str) -> tuple[str, str, str]:
    """`url` rewritten to connect to `address`; returns (url, Host header, TLS SNI name)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    ip_host = f"[{address}]" if ":" in address else address
    netloc = ip_host if parts.port is None else f"{ip_host}:{parts.port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc  # keep basic-auth credentials
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), host_header, host
