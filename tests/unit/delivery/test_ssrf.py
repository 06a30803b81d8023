from __future__ import annotations

import ipaddress
from collections.abc import Callable

import pytest

from newswatch.delivery.policy.ssrf import (
    SsrfPolicy,
    UnresolvableHost,
    UnsafeWebhookURL,
    check_url,
    pinned,
    refusal,
)

STRICT = SsrfPolicy()
OPEN = SsrfPolicy(allow_private=True)
ALLOW_10_1 = SsrfPolicy(allowed_subnets=(ipaddress.ip_network("10.1.0.0/16"),))
ALLOW_META = SsrfPolicy(allowed_subnets=(ipaddress.ip_network("169.254.169.254/32"),))

REFUSAL_CASES = [
    # a public address is fine
    ("93.184.216.34", STRICT, None),
    # a public IPv6 address is fine
    ("2606:4700::1111", STRICT, None),
    # loopback v4
    ("127.0.0.1", STRICT, "loopback"),
    # anywhere in 127/8
    ("127.8.9.10", STRICT, "loopback"),
    # loopback v6
    ("::1", STRICT, "loopback"),
    # RFC 1918 ranges
    ("10.0.0.5", STRICT, "private"),
    ("172.16.3.4", STRICT, "private"),
    ("192.168.1.1", STRICT, "private"),
    # 172.32/16 is outside 172.16/12 and public
    ("172.32.0.1", STRICT, None),
    # carrier-grade NAT
    ("100.64.1.2", STRICT, "cgnat"),
    # link-local v4 and v6
    ("169.254.10.10", STRICT, "link-local"),
    ("fe80::1", STRICT, "link-local"),
    # unique-local v6
    ("fd12:3456::1", STRICT, "unique-local"),
    # multicast v4 and v6
    ("239.1.1.1", STRICT, "multicast"),
    ("ff02::1", STRICT, "multicast"),
    # unspecified
    ("0.0.0.0", STRICT, "unspecified"),
    ("::", STRICT, "unspecified"),
    # cloud metadata, both families
    ("169.254.169.254", STRICT, "cloud-metadata"),
    ("fd00:ec2::254", STRICT, "cloud-metadata"),
    # IPv4-mapped IPv6 cannot smuggle loopback
    ("::ffff:127.0.0.1", STRICT, "loopback"),
    # IPv4-mapped metadata too
    ("::ffff:169.254.169.254", STRICT, "cloud-metadata"),
    # documentation range is not global
    ("192.0.2.7", STRICT, "reserved"),
    # allow_private opens loopback and private ranges
    ("127.0.0.1", OPEN, None),
    ("10.0.0.5", OPEN, None),
    # ... but never the metadata service
    ("169.254.169.254", OPEN, "cloud-metadata"),
    # an allowlisted subnet opens only itself
    ("10.1.2.3", ALLOW_10_1, None),
    ("10.2.0.1", ALLOW_10_1, "private"),
    # metadata can be opened only by naming it in the allowlist
    ("169.254.169.254", ALLOW_META, None),
    # IPv4-compatible IPv6 (::a.b.c.d) is the IPv4 address
    ("::127.0.0.1", STRICT, "loopback"),
    ("::10.0.0.1", STRICT, "private"),
    ("::169.254.169.254", OPEN, "cloud-metadata"),
    # NAT64 (64:ff9b::/96) around loopback, link-local, private and metadata addresses
    ("64:ff9b::127.0.0.1", STRICT, "loopback"),
    ("64:ff9b::169.254.10.10", STRICT, "link-local"),
    ("64:ff9b::10.1.2.3", STRICT, "private"),
    ("64:ff9b::192.168.0.1", STRICT, "private"),
    ("64:ff9b::169.254.169.254", OPEN, "cloud-metadata"),
    # NAT64 around a public address reaches that public address
    ("64:ff9b::93.184.216.34", STRICT, None),
    # local-use NAT64 prefix is special-purpose
    ("64:ff9b:1::a00:1", STRICT, "reserved"),
    # 6to4 (2002::/16) around loopback, link-local, private and metadata addresses
    ("2002:7f00:1::1", STRICT, "loopback"),
    ("2002:a9fe:a0a::1", STRICT, "link-local"),
    ("2002:c0a8:101::1", STRICT, "private"),
    ("2002:a9fe:a9fe::", OPEN, "cloud-metadata"),
    ("2002:5db8:d822::1", STRICT, None),
    # Teredo carries its client's IPv4 address; the prefix itself is special-purpose
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", STRICT, "reserved"),
    # IANA IPv4 special-purpose: IETF protocol assignments, benchmarking, reserved, broadcast
    ("192.0.0.192", STRICT, "reserved"),
    ("192.0.0.8", STRICT, "reserved"),
    ("198.18.0.1", STRICT, "reserved"),
    ("240.0.0.1", STRICT, "reserved"),
    ("255.255.255.255", STRICT, "reserved"),
    ("203.0.113.9", STRICT, "reserved"),
    # IANA IPv6 special-purpose: discard-only, documentation (both), SRv6 SIDs
    ("100::1", STRICT, "reserved"),
    ("2001:db8::1", STRICT, "reserved"),
    ("3fff::1", STRICT, "reserved"),
    ("5f00::1", STRICT, "reserved"),
    # cloud credential endpoints stay blocked with private addresses allowed
    ("169.254.170.2", OPEN, "cloud-metadata"),
    ("169.254.170.23", OPEN, "cloud-metadata"),
    ("fd00:ec2::254", OPEN, "cloud-metadata"),
    ("fd00:ec2::23", OPEN, "cloud-metadata"),
    ("100.100.100.200", OPEN, "cloud-metadata"),
    ("168.63.129.16", STRICT, "cloud-metadata"),
    ("::ffff:169.254.170.2", OPEN, "cloud-metadata"),
    # allow_private still opens the private ranges wrapped in IPv6
    ("64:ff9b::10.1.2.3", OPEN, None),
    ("::127.0.0.1", OPEN, None),
]


@pytest.mark.parametrize(("addr", "policy", "expected"), REFUSAL_CASES)
def test_refusal(addr: str, policy: SsrfPolicy, expected: str | None) -> None:
    assert refusal(ipaddress.ip_address(addr), policy) == expected


def resolver_for(table: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise UnresolvableHost("unresolvable", host)
        return table[host]

    return resolve


DNS = resolver_for(
    {
        "hooks.example.com": ["93.184.216.34"],
        "mixed.example.com": ["93.184.216.34", "10.0.0.1"],  # one bad answer refuses the URL
        "empty.example.com": [],
        "127.0.0.1": ["127.0.0.1"],
    }
)

CHECK_CASES = [
    # a public host passes and returns its addresses
    ("https://hooks.example.com/h", STRICT, ["93.184.216.34"]),
    # literal loopback passes when private is allowed
    ("http://127.0.0.1:8081/hook", OPEN, ["127.0.0.1"]),
]


@pytest.mark.parametrize(("url", "policy", "expected"), CHECK_CASES)
def test_check_url_accepts(url: str, policy: SsrfPolicy, expected: list[str]) -> None:
    assert check_url(url, policy, DNS) == expected


CHECK_REFUSED = [
    # loopback literal under the strict default
    ("http://127.0.0.1:8081/hook", "loopback", UnsafeWebhookURL),
    # any private answer among several refuses
    ("https://mixed.example.com/", "private", UnsafeWebhookURL),
    # unknown host
    ("https://nope.example.com/", "unresolvable", UnresolvableHost),
    # a host with no addresses
    ("https://empty.example.com/", "unresolvable", UnresolvableHost),
    # only http(s)
    ("ftp://hooks.example.com/", "bad-url", UnsafeWebhookURL),
    # relative URL
    ("/hook", "bad-url", UnsafeWebhookURL),
    # invalid port
    ("http://hooks.example.com:99999/", "bad-url", UnsafeWebhookURL),
]


@pytest.mark.parametrize(("url", "reason", "kind"), CHECK_REFUSED)
def test_check_url_refuses(url: str, reason: str, kind: type[Exception]) -> None:
    with pytest.raises(kind) as info:
        check_url(url, STRICT, DNS)
    assert info.value.reason == reason  # type: ignore[attr-defined]


PIN_CASES = [
    # default port: Host header without port
    (
        "https://hooks.example.com/a?b=1",
        "93.184.216.34",
        ("https://93.184.216.34/a?b=1", "hooks.example.com", "hooks.example.com"),
    ),
    # explicit port carried into both
    ("http://h.example:8080/x", "1.2.3.4", ("http://1.2.3.4:8080/x", "h.example:8080", "h.example")),
    # IPv6 addresses are bracketed
    ("http://h.example:81/", "2001:db8::1", ("http://[2001:db8::1]:81/", "h.example:81", "h.example")),
    # basic-auth credentials survive
    ("https://u:p@h.example/", "1.2.3.4", ("https://u:p@1.2.3.4/", "h.example", "h.example")),
]


@pytest.mark.parametrize(("url", "addr", "expected"), PIN_CASES)
def test_pinned(url: str, addr: str, expected: tuple[str, str, str]) -> None:
    assert pinned(url, addr) == expected


def test_policy_from_env() -> None:
    env = {
        "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1",
        "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "10.1.0.0/16, fd12::/64",
    }
    assert SsrfPolicy.from_env(env) == SsrfPolicy(
        True, (ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("fd12::/64"))
    )
    assert SsrfPolicy.from_env({}) == STRICT


def test_real_resolver_refuses_localhost() -> None:
    with pytest.raises(UnsafeWebhookURL) as info:
        check_url("http://localhost:9/", STRICT)
    assert info.value.reason == "loopback"
