"""Pure rules of notice (LAW.md): 15 days, or one clear day in exceptional circumstances."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

NoticeStatus = Literal["ok", "exceptional", "too_late"]


def notice_status(
    told_at: datetime, starts_at: datetime, timezone: str, notice_days: int, clear_days: int = 1
) -> NoticeStatus:
    """How a change told at `told_at` stands against the notice rule, in calendar days of the
    team's zone: `notice_days` between the day told and the day the shift starts is normal
    notice; fewer needs exceptional circumstances, and at least `clear_days` whole days must
    lie in between (told on Monday, a shift may start on Wednesday at the earliest)."""
    zone = ZoneInfo(timezone)
    told_day = told_at.astimezone(zone).date()
    start_day = starts_at.astimezone(zone).date()
    days = (start_day - told_day).days
    if days >= notice_days:
        return "ok"
    if days >= clear_days + 1:
        return "exceptional"
    return "too_late"


def first_day_allowed(told_at: datetime, timezone: str, clear_days: int = 1) -> date:
    """The first day a change told at `told_at` may start on, in exceptional circumstances:
    the day `notice_status` stops answering "too_late"."""
    return told_at.astimezone(ZoneInfo(timezone)).date() + timedelta(days=clear_days + 1)


def missing_for_short_notice(exceptional: bool, reason: str) -> Literal["tick", "reason"] | None:
    """What a change with shorter notice still lacks: the box ticked (first, as ticking is the
    manager's statement that circumstances are exceptional), then the reason. Each gets its own
    message, so the person knows which of the two to fix."""
    if not exceptional:
        return "tick"
    if not reason.strip():
        return "reason"
    return None
