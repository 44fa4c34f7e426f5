"""Pure rules of notice (LAW.md): 15 days, or one clear day in exceptional circumstances."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from server.errors import RuleViolation
from server.i18n import format_datetime
from server.i18n import gettext as _
from server.schedules.models import Shift
from server.teams.models import Team

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


def team_notice(team: Team, told_at: datetime, starts_at: datetime) -> NoticeStatus:
    """`notice_status` with the team's zone and policy."""
    policy = team.policy
    return notice_status(
        told_at,
        starts_at,
        team.timezone,
        policy.notice_days,
        policy.exceptional_notice_clear_days,
    )


def _refuse_missing(missing: Literal["tick", "reason"] | None, tick_message: str) -> None:
    if missing == "tick":
        raise RuleViolation(tick_message, field="exceptional")
    if missing == "reason":
        raise RuleViolation(
            _("Exceptional circumstances are ticked: give the reason for the shorter notice."),
            field="reason",
        )


def check_publication(
    team: Team, too_late: Sequence[Shift], short: Sequence[Shift], exceptional: bool, reason: str
) -> None:
    """Refuse a publication with shifts too close to be told at all, or with shifts told at
    shorter notice (`short`) without exceptional circumstances ticked and their reason."""
    if too_late:
        first = min(s.starts_at for s in too_late)
        raise RuleViolation(
            _(
                "The shift starting %(start)s is too close: even in exceptional circumstances "
                "people must be told at least one clear day ahead. Start the range later.",
                start=format_datetime(first, "short", tz=team.timezone),
            )
        )
    if short:
        _refuse_missing(
            missing_for_short_notice(exceptional, reason),
            _(
                "%(count)s shifts start in less than %(days)s days. Tick exceptional "
                "circumstances and give the reason, or start the range later.",
                count=len(short),
                days=team.policy.notice_days,
            ),
        )


def check_change_notice(
    team: Team, now: datetime, starts_at: datetime, exceptional: bool, reason: str
) -> str | None:
    """A change imposed by a manager on what people were told follows the notice rule: refused
    when too close, or at shorter notice without exceptional circumstances and their reason.
    Returns the reason to keep with the change (None at normal notice)."""
    status = team_notice(team, now, starts_at)
    if status == "too_late":
        raise RuleViolation(
            _(
                "This change is too close to the shift: people must be told at least one clear "
                "day ahead. Ask for a swap between colleagues instead."
            )
        )
    if status == "exceptional":
        _refuse_missing(
            missing_for_short_notice(exceptional, reason),
            _(
                "This shift starts in less than %(days)s days: tick exceptional circumstances "
                "and give the reason.",
                days=team.policy.notice_days,
            ),
        )
        return reason
    return None
