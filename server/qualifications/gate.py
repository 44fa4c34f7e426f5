"""The qualification gate of a schedule change: who would be on call without a required
qualification, or with one expiring before the shift ends; warned about, or refused when the
team's `qualification_gate` is "block". Read by publishing, assigning, overriding and swaps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from server.db import Database
from server.errors import RuleViolation
from server.i18n import format_date, format_moment
from server.i18n import gettext as _
from server.qualifications import rules
from server.qualifications.models import Gap
from server.qualifications.store import (
    held_expiries,
    name_of,
    required_for_rotation,
    required_for_shift,
)
from server.teams.models import Team

# A planned shift as the gate needs it: who, the shift's id (0 when not written yet), the
# rotation it belongs to, when it ends.
Planned = tuple[int, int, int | None, datetime]


def gaps(database: Database, team: Team, planned: Iterable[Planned]) -> list[Gap]:
    """Every gap of these shifts, in order; one per person and qualification."""
    found: list[Gap] = []
    seen: set[tuple[int, str]] = set()
    held: dict[int, dict[int, date | None]] = {}
    for user_id, shift_id, rotation_id, ends_at in planned:
        required = required_for_shift(database, shift_id) if shift_id else {}
        if rotation_id is not None and not shift_id:
            required = required_for_rotation(database, rotation_id)
        if not required:
            continue
        if user_id not in held:
            held[user_id] = held_expiries(database, user_id)
        for gap in rules.gaps_for_shift(user_id, required, held[user_id], ends_at, team.timezone):
            if (gap.user_id, gap.qualification) not in seen:
                seen.add((gap.user_id, gap.qualification))
                found.append(gap)
    return found


def day_text(day: date) -> str:
    """A calendar date with its year, in the reader's language."""
    return format_date(datetime.combine(day, time(12), UTC), "medium", "UTC")


def describe(gap: Gap, name: str, timezone: str) -> str:
    """The gap in words: the person, the qualification and the date."""
    if gap.reason == "missing":
        return _(
            "%(name)s does not hold the qualification “%(qualification)s” this shift requires.",
            name=name,
            qualification=gap.qualification,
        )
    return _(
        "%(name)s's qualification “%(qualification)s” expires on %(date)s, before the shift "
        "ends (%(end)s).",
        name=name,
        qualification=gap.qualification,
        date=day_text(gap.expires_on) if gap.expires_on else "?",
        end=format_moment(datetime.fromisoformat(gap.shift_ends), timezone),
    )


def messages(database: Database, team: Team, found: Iterable[Gap]) -> list[str]:
    return [describe(g, name_of(database, g.user_id), team.timezone) for g in found]


def enforce(database: Database, team: Team, planned: Iterable[Planned]) -> list[str]:
    """The gaps in words; raises RuleViolation with them when the team blocks."""
    texts = messages(database, team, gaps(database, team, planned))
    if texts and team.policy.qualification_gate == "block":
        raise RuleViolation(" ".join(texts), field="user_id")
    return texts
