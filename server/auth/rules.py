"""Pure rules of logging in: the failed-login limit and safe redirects."""

from __future__ import annotations

import math
from datetime import datetime, timedelta


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


def safe_next(target: str | None) -> str:
    """Only local paths are followed after login, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith(("/login", "/logout")):
        return "/"
    return target
