"""Where the server may send a push or the webhook, as pure rules (no network, no DNS).

A push endpoint is typed by whoever turns alerts on, so it must not become a way to make the
server call inside its own network: outside the origins an admin lists in ASTREINTE_PUSH_ALLOW,
only https, and only to public addresses. The same rules hold for the webhook."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 6052's well-known NAT64 prefix: the last 32 bits are an IPv4 address the gateway reaches.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

Refusal = Literal["url", "scheme", "address"]


def origin(url: str) -> str:
    """`scheme://host:port` of a URL, lower-case and with the port always written, so that
    `https://Push.example` and `https://push.example:443/x` compare equal. ValueError if the URL
    is not http(s) or has no host."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower-case, IPv6 brackets removed
    if scheme not in DEFAULT_PORTS or not host:
        raise ValueError(f"{url!r} is not an http(s) address")
    port = parts.port or DEFAULT_PORTS[scheme]  # .port raises ValueError when out of range
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def parse_allow(value: str) -> frozenset[str]:
    """ASTREINTE_PUSH_ALLOW: comma-separated origins. ValueError naming a bad entry (a path, a
    query or a user name means it is a URL, not an origin)."""
    origins = set()
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        parts = urlsplit(entry)
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError(f"{entry!r} is not an origin (scheme://host:port)")
        origins.add(origin(entry))
    return frozenset(origins)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo client, NAT64), if any:
    `::ffff:127.0.0.1` reaches 127.0.0.1."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(text: str) -> bool:
    """True only for a global unicast address: not loopback, private, shared (CGNAT),
    link-local, multicast, unspecified, reserved or documentation, in IPv4 or IPv6, nor an IPv6
    address carrying such an IPv4 one. Anything that does not parse is not public."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone is not the address
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def refusal(url: str, allow: frozenset[str]) -> Refusal | None:
    """Why the server may not call this URL, judged on the URL alone; None when it may (a host
    name is then checked again on each address it resolves to, when connecting)."""
    try:
        where = origin(url)
    except ValueError:
        return "url"
    if where in allow:
        return None
    if not where.startswith("https://"):
        return "scheme"
    host = urlsplit(url.strip()).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        return "address"
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None  # a name: its addresses are checked
    return None if is_public_address(host) else "address"
