"""Pure rules of logging in: the failed-login limit and safe redirects."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from server.settings import Settings


def retry_after_seconds(
    failures: list[datetime], *, limit: int, window: timedelta, now: datetime
) -> int | None:
    """Seconds to wait when `failures` inside the window reached `limit`, else None.

    The lock lifts when the oldest failure that still counts leaves the window, so a person
    who waits is never locked out longer than the window.
    """
    recent = sorted(at for at in failures if now - at < window)
    if len(recent) < limit:
        return None
    unlock = recent[-limit] + window
    return max(1, math.ceil((unlock - now).total_seconds()))


def lock_seconds(
    by_account: list[datetime], by_address: list[datetime], *, settings: Settings, now: datetime
) -> int | None:
    """How long logging in stays refused after these failures (of the account tried, and from
    the address), if either reached its limit."""
    window = timedelta(minutes=settings.login_lock_minutes)
    account = retry_after_seconds(
        by_account, limit=settings.login_max_failures_account, window=window, now=now
    )
    address = retry_after_seconds(
        by_address, limit=settings.login_max_failures_address, window=window, now=now
    )
    return max(account or 0, address or 0) or None


def safe_next(target: str | None) -> str:
    """Only local paths are followed after login, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith(("/login", "/logout")):
        return "/"
    return target
