"""SSRF guard for webhook URLs.

A subscriber chooses the URL we POST to, so without a guard they could make
newswatch call its own admin ports, the cloud metadata service or hosts on the
private network. The URL's host is resolved and every address checked; one
bad address refuses the whole URL (an attacker controls which one we'd pick).
It runs when a subscription is saved and again right before each delivery,
and the delivery then connects to the checked address (`pinned`), so a DNS
answer that changes in between (rebinding) cannot redirect the request.

IPv6 addresses that carry an IPv4 address (IPv4-mapped and -compatible, NAT64,
6to4, Teredo) are judged by the IPv4 address too, so `64:ff9b::127.0.0.1` is
loopback. `allow_private` (`NEWSWATCH_WEBHOOK_ALLOW_PRIVATE=1`) lifts every rule
except the cloud metadata and credential endpoints, which only an explicit
subnet allowlist can open.
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

_NET = ipaddress.ip_network
# Cloud metadata and credential endpoints: refused even with private addresses allowed (only an
# explicit NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS entry opens one). Instance metadata (AWS, GCP, Azure,
# OpenStack, Oracle), ECS task credentials, EKS pod identity, Alibaba's metadata, Azure's WireServer
# (a public address, so no private-range rule would catch it).
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "fd00:ec2::254",
        "fd00:ec2::23",
        "100.100.100.200",
        "168.63.129.16",
    )
)
# (network, reason) checked in order; the first match names the refusal. After the named ranges,
# the rest of IANA's special-purpose registries (IPv4 and IPv6) that are not globally reachable.
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
    (_NET("192.0.0.0/24"), "reserved"),  # IETF protocol assignments (192.0.0.192 and the like)
    (_NET("192.0.2.0/24"), "reserved"),  # documentation
    (_NET("192.88.99.0/24"), "reserved"),  # deprecated 6to4 relay anycast
    (_NET("198.18.0.0/15"), "reserved"),  # benchmarking
    (_NET("198.51.100.0/24"), "reserved"),  # documentation
    (_NET("203.0.113.0/24"), "reserved"),  # documentation
    (_NET("240.0.0.0/4"), "reserved"),  # reserved, and 255.255.255.255 broadcast
    (_NET("64:ff9b:1::/48"), "reserved"),  # local-use NAT64
    (_NET("100::/64"), "reserved"),  # discard-only
    (_NET("100:0:0:1::/64"), "reserved"),  # dummy prefix
    (_NET("2001::/23"), "reserved"),  # IETF protocol assignments (Teredo, benchmarking, ORCHID)
    (_NET("2001:db8::/32"), "reserved"),  # documentation
    (_NET("3fff::/20"), "reserved"),  # documentation
    (_NET("5f00::/16"), "reserved"),  # SRv6 SIDs
)
# Reasons that NEWSWATCH_WEBHOOK_ALLOW_PRIVATE lifts (all but the metadata endpoints).
PRIVATE_REASONS = frozenset(reason for _, reason in FORBIDDEN) | {"reserved"}
# IPv6 forms that carry an IPv4 address: it is the IPv4 address that would be reached.
_NAT64 = _NET("64:ff9b::/96")
_COMPATIBLE = _NET("::/96")  # deprecated IPv4-compatible addresses, ::a.b.c.d


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


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
    (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::) or Teredo's client; else None."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or (ip in _COMPATIBLE and int(ip) > 1):  # :: and ::1 are IPv6's own
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def refusal(ip: IPAddress, policy: SsrfPolicy) -> str | None:
    """Why `ip` may not be called under `policy`, or None if it may (pure).

    An IPv6 address carrying an IPv4 address is judged by both: the IPv4 one is where a
    translator would connect, the IPv6 one where the packet goes first.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            if ip.ipv4_mapped is not None:
                return refusal(inner, policy)  # ::ffff:127.0.0.1 is 127.0.0.1
            return refusal(inner, policy) or _refusal(ip, policy)
    return _refusal(ip, policy)


def _refusal(ip: IPAddress, policy: SsrfPolicy) -> str | None:
    if any(ip.version == net.version and ip in net for net in policy.allowed_subnets):
        return None
    if ip in METADATA:
        return "cloud-metadata"
    if policy.allow_private:
        return None
    for net, reason in FORBIDDEN:
        if ip.version == net.version and ip in net:
            return reason
    return None if ip.is_global else "reserved"


def hint(reason: str) -> str:
    """What an operator can do about a refusal, for API error messages."""
    if reason == "cloud-metadata":
        return (
            "cloud metadata and credential endpoints are never called; only an explicit"
            " NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS entry on the server opens one"
        )
    if reason in PRIVATE_REASONS:
        return (
            "for a receiver on this machine or a private network, the server's operator can set"
            " NEWSWATCH_WEBHOOK_ALLOW_PRIVATE=1 (or list the subnet in NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS)"
        )
    return "use an absolute http(s) URL whose host resolves to a public address"


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
