"""Route guards: every route names the smallest role that may use it.

Guards are coroutines: Litestar would run a plain function in a worker thread on every request."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.accounts.models import CurrentUser
from server.i18n import gettext as _


def user_of(connection: ASGIConnection) -> CurrentUser:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return user


async def requires_login(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    user_of(connection)


async def requires_manager(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if not user_of(connection).is_manager:
        raise PermissionDeniedException()


async def requires_admin(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if not user_of(connection).is_admin:
        raise PermissionDeniedException()


async def requires_api_key(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if connection.scope.get("auth") is None:
        raise NotAuthorizedException(
            _("A valid API key is needed: send it as Authorization: Bearer KEY.")
        )


async def public(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """Open to anyone: the login page, invitations, the app shell and feeds with secret URLs."""
