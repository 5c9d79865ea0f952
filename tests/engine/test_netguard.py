"""The SSRF guard: which addresses are refused, and the resolver that enforces it."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.engine.netguard import (
    AddressGuard,
    BlockedAddress,
    GuardedResolver,
    blocked_reason,
    is_public_ip,
)
from tests.engine.aioserver import StaticResolver

BLOCKED = [
    # IPv4
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
    "192.168.0.1", "192.168.255.255", "169.254.169.254", "169.254.0.1", "100.64.0.1",
    "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "255.255.255.255", "198.18.0.1", "198.19.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.9",
    "192.0.0.8", "192.88.99.1",
    # IPv6
    "::", "::1", "fc00::1", "fd12:3456:789a::1", "fe80::1", "fe80::1%1", "fec0::1", "ff02::1",
    "2001:db8::1", "3fff::1", "100::1", "64:ff9b:1::1", "2001:10::1",
    # IPv4 hidden in IPv6
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "2002:7f00:1::1",            # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::",          # 6to4 of 169.254.169.254
    "64:ff9b::7f00:1",           # NAT64 of 127.0.0.1
    "64:ff9b::c0a8:101",         # NAT64 of 192.168.1.1
    "2001:0:402:202::80ff:fffe",  # Teredo, server 4.2.2.2, client 127.0.0.1 (obfuscated)
]
PUBLIC = [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "11.0.0.1", "100.63.255.255", "100.128.0.1",
    "172.15.255.255", "172.32.0.1", "198.17.255.255", "198.20.0.1", "223.255.255.254",
    "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001::1",
    "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808", "2001:0:402:202::f7f7:f7f7",
]


@pytest.mark.parametrize("text", BLOCKED)
def test_non_public_addresses_are_refused(text):
    ip = ipaddress.ip_address(text)
    assert not is_public_ip(ip)
    with pytest.raises(BlockedAddress):
        AddressGuard().check_ip("example.com", ip)


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_are_allowed(text):
    ip = ipaddress.ip_address(text)
    assert is_public_ip(ip), blocked_reason(ip)
    AddressGuard().check_ip("example.com", ip)


def test_reasons_name_the_embedded_address():
    assert blocked_reason(ipaddress.ip_address("169.254.169.254")) == "the cloud metadata address"
    reason = blocked_reason(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert reason == "an IPv4-mapped form of 127.0.0.1, a loopback address"
    assert "NAT64" in blocked_reason(ipaddress.ip_address("64:ff9b::a00:1"))


def test_allow_private_accepts_everything():
    guard = AddressGuard(allow_private=True)
    for text in BLOCKED:
        guard.check_ip("example.com", text)
    guard.check_target("127.0.0.1", 22)


def _v4_wrappers(v4: ipaddress.IPv4Address) -> list[ipaddress.IPv6Address]:
    n = int(v4)
    return [
        ipaddress.IPv6Address(f"::ffff:{v4}"),
        ipaddress.IPv6Address((0x2002 << 112) | (n << 80)),
        ipaddress.IPv6Address((0x0064FF9B << 96) | n),
    ]


@given(st.ip_addresses(v=4))
def test_ipv4_wrapped_in_ipv6_is_judged_like_the_ipv4(v4):
    for wrapped in _v4_wrappers(v4):
        assert is_public_ip(wrapped) == is_public_ip(v4), wrapped


@given(st.ip_addresses(v=4))
def test_stricter_than_the_standard_library(v4):
    # Everything we allow is globally routable by the stdlib's table; what the stdlib calls
    # global and we refuse is only multicast and the reserved 192.0.0.0/24, 192.88.99.0/24.
    if is_public_ip(v4):
        assert v4.is_global
    elif v4.is_global:
        assert v4.is_multicast or v4 in ipaddress.ip_network("192.0.0.0/24") \
            or v4 in ipaddress.ip_network("192.88.99.0/24")


@given(st.ip_addresses(v=6))
def test_ipv6_outside_global_unicast_is_refused(v6):
    if v6 not in ipaddress.ip_network("2000::/3") and v6.ipv4_mapped is None \
            and v6 not in ipaddress.ip_network("64:ff9b::/96"):
        assert not is_public_ip(v6)


def test_literal_hosts_and_ports():
    guard = AddressGuard()
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 is a loopback address"):
        guard.check_target("127.0.0.1", 80)
    with pytest.raises(BlockedAddress, match="loopback"):
        guard.check_target("::1", 443)
    # Legacy numeric forms are read the way the C library would connect to them.
    with pytest.raises(BlockedAddress, match=r"2130706433 is 127\.0\.0\.1"):
        guard.check_target("2130706433", 80)
    with pytest.raises(BlockedAddress, match=r"127\.1 is 127\.0\.0\.1"):
        guard.check_target("127.1", 80)
    with pytest.raises(BlockedAddress, match="port 25 is not allowed"):
        guard.check_target("example.com", 25)
    for port in (None, 80, 443, 1024, 8080, 65535):
        guard.check_target("example.com", port)
        guard.check_target("8.8.8.8", port)


def test_blocked_address_is_an_oserror_with_a_clear_message():
    exc = BlockedAddress("db.internal", "10.0.0.5", "a private address")
    assert isinstance(exc, OSError)
    assert str(exc) == "db.internal resolves to 10.0.0.5, a private address"
    assert (exc.host, exc.ip, exc.reason) == ("db.internal", "10.0.0.5", "a private address")


def test_resolver_checks_every_record():
    async def main():
        table = {"mixed.example": ["93.184.216.34", "10.0.0.1"],
                 "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]}
        resolver = GuardedResolver(AddressGuard(), StaticResolver(table))
        with pytest.raises(BlockedAddress, match=r"mixed\.example resolves to 10\.0\.0\.1"):
            await resolver.resolve("mixed.example", 80, socket.AF_UNSPEC)
        records = await resolver.resolve("public.example", 80, socket.AF_UNSPEC)
        assert [r["host"] for r in records] == table["public.example"]
        lenient = GuardedResolver(AddressGuard(allow_private=True), StaticResolver(table))
        assert len(await lenient.resolve("mixed.example", 80)) == 2

    asyncio.run(main())


def test_resolver_blocks_localhost_with_the_system_resolver():
    async def main():
        resolver = GuardedResolver(AddressGuard())
        try:
            with pytest.raises(BlockedAddress, match=r"localhost resolves to .*loopback"):
                await resolver.resolve("localhost", 80, socket.AF_UNSPEC)
        finally:
            await resolver.close()

    asyncio.run(main())


def test_invalid_tld_fails_at_once():
    async def main():
        resolver = GuardedResolver(AddressGuard(), StaticResolver({"x.invalid": ["8.8.8.8"]}))
        with pytest.raises(socket.gaierror, match="RFC 6761"):
            await resolver.resolve("x.invalid", 80)

    asyncio.run(main())
