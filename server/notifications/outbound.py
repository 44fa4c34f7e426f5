"""The HTTP client for addresses people and settings choose: push endpoints and the webhook.

The rules of `destinations` are enforced where they cannot be dodged: on the very address each
connection is about to be made to, after DNS (a name that pointed outward when the device was
registered may point inward later), and no redirect is ever followed (an https endpoint could
otherwise bounce the request inward). Origins listed in ASTREINTE_PUSH_ALLOW go through a second
client without these checks: an admin chose them."""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from server.destinations import Refusal, is_public_address, origin, refusal

# A registration waits this long for DNS; after that the connection-time check decides.
REGISTRATION_LOOKUP_SECONDS = 3.0
_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


class AddressRefused(OSError):
    """Raised instead of connecting to an address that is not public. One message for every
    address, so that when all of a name's addresses are refused the error keeps its type."""

    def __init__(self) -> None:
        super().__init__(errno.EACCES, "not a public address: refused")


class DestinationRefused(aiohttp.ClientError):
    """A push or webhook not sent because of where it would go (the attempt records this name,
    the same whether or not anything listens there)."""


async def lookup(host: str, port: int, family: int = socket.AF_UNSPEC) -> list[tuple[int, str]]:
    """(family, address) for each address of a host name: the one place this client resolves
    names (tests put a fake DNS here)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, family=family
    )
    return [(found, sockaddr[0]) for found, _type, _proto, _name, sockaddr in infos]


class _Resolver(AbstractResolver):
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host, host=address, port=port, family=found, proto=0, flags=_NUMERIC
            )
            for found, address in await lookup(host, port, family)
        ]

    async def close(self) -> None:
        pass


def _checked_socket(addr_info: tuple) -> socket.socket:
    """aiohttp's socket factory: called with each address just before connecting to it, IP
    literals and resolved names alike."""
    family, kind, proto, _name, sockaddr = addr_info
    if not is_public_address(sockaddr[0]):
        raise AddressRefused()
    return socket.socket(family, kind, proto)


class _Call:
    """`session.post(...)` as aiohttp gives it (awaitable, or `async with`), with a refused
    address reported as DestinationRefused rather than as an unreachable host."""

    def __init__(self, request: Any) -> None:
        self._request = request
        self._response: aiohttp.ClientResponse | None = None

    async def _send(self) -> aiohttp.ClientResponse:
        try:
            return await self._request
        except aiohttp.ClientConnectorError as error:
            if isinstance(error.os_error, AddressRefused):
                raise DestinationRefused("not a public address") from None
            raise

    def __await__(self):
        return self._send().__await__()

    async def __aenter__(self) -> aiohttp.ClientResponse:
        self._response = await self._send()
        return self._response

    async def __aexit__(self, *exc_info: object) -> None:
        if self._response is not None:
            self._response.release()
            await self._response.wait_for_close()


class Outbound:
    """Duck-types the one method pywebpush and the webhook use, `post(url, **options)`."""

    def __init__(self, allow: frozenset[str], limit: int = 100) -> None:
        self.allow = allow
        self._checked = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=limit,
                limit_per_host=limit,
                resolver=_Resolver(),
                socket_factory=_checked_socket,
            ),
        )
        self._allowed = (
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit))
            if allow
            else None
        )

    def post(self, url: str, **options: Any) -> _Call:
        options["allow_redirects"] = False
        if self._allowed is not None and _origin_or_none(url) in self.allow:
            return _Call(self._allowed.post(url, **options))
        reason = refusal(url, frozenset())
        if reason is not None:
            raise DestinationRefused(reason)
        return _Call(self._checked.post(url, **options))

    async def close(self) -> None:
        await self._checked.close()
        if self._allowed is not None:
            await self._allowed.close()

    async def __aenter__(self) -> Outbound:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _origin_or_none(url: str) -> str | None:
    try:
        return origin(url)
    except ValueError:
        return None


async def registration_refusal(url: str, allow: frozenset[str]) -> Refusal | None:
    """`destinations.refusal`, plus a host name's current addresses, for a clear answer when a
    device is registered. A name that does not resolve now is accepted: the connection-time
    check still applies to whatever it resolves to later."""
    reason = refusal(url, allow)
    if reason is not None or origin(url) in allow:
        return reason
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        async with asyncio.timeout(REGISTRATION_LOOKUP_SECONDS):
            found = await lookup(host, parts.port or 443)
    except (OSError, TimeoutError, UnicodeError):
        return None
    if any(not is_public_address(address) for _family, address in found):
        return "address"
    return None
