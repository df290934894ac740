"""Which IP addresses a custom_script call may connect to, and resolving a host to them.

A script endpoint is named by a user's node, so the server must not become a way into its own
network: an address is refused when it is unspecified, loopback, link-local (169.254.169.254,
the cloud metadata service, among them), multicast, private (10/8, 172.16/12, 192.168/16),
unique-local (fc00::/7), shared (100.64/10), reserved or otherwise not globally routable —
unless it lies in a network the operator allowed (FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_NETWORKS). An
IPv6 address that carries an IPv4 one (mapped `::ffff:a.b.c.d`, 6to4 `2002::/16`, NAT64
`64:ff9b::/96`) is judged by that IPv4 address too (Teredo, 2001::/32, is private as a whole).

`resolve` asks the system resolver once and returns every address the host has; the caller
refuses the host if any of them is refused and connects to one of these very addresses (never
resolving again), so an answer that changes between the check and the connection (DNS
rebinding) cannot move the call.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _kind(address: IPAddress) -> str | None:
    """What makes `address` one not to call, as a message says it; None for a public address."""
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.version == 6 and address in _UNIQUE_LOCAL:
        return "a unique-local address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if address.version == 4 and address in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if not address.is_global:
        return "a reserved address"
    return None


def refusal(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why `address` may not be called ("a loopback address"), or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address.version == net.version and address in net for net in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address in _NAT64:
        # NAT64 (an IPv6-only network reaching IPv4): judged by the IPv4 address alone, since
        # Python counts the whole prefix as reserved (::/8).
        inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        why = refusal(inner, allowed)
        return None if why is None else f"{why} ({inner}, inside {address})"
    kind = _kind(address)
    if kind is not None:
        return kind
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        why = refusal(address.sixtofour, allowed)
        if why is not None:
            return f"{why} ({address.sixtofour}, inside {address})"
    return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of `host` (an IP literal is its own), in the resolver's order, each once.
    socket.gaierror when the host does not resolve."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         proto=socket.IPPROTO_TCP)
    found: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).partition("%")[0]  # an IPv6 zone (fe80::1%eth0) is link-local anyway
        address = ipaddress.ip_address(text)
        if address not in found:
            found.append(address)
    return found
