"""Pure rules of qualifications: the default expiry, whether a holding covers a shift, which
reminders are due. No database, no clock: values in, decisions out."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.qualifications.models import REMINDER_DAYS, Gap


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_expiry(obtained_on: date, validity_months: int | None) -> date | None:
    """Obtained + the validity; None when the qualification does not expire."""
    if validity_months is None:
        return None
    return add_months(obtained_on, validity_months)


def expiry_instant(expires_on: date, timezone: str) -> datetime:
    """A holding is valid until the start of its expiry day in the team's zone: on the day it
    expires the person no longer holds it (as "valid until 12/03" is read as "renew by")."""
    return datetime.combine(expires_on, time(0), ZoneInfo(timezone))


def gaps_for_shift(
    user_id: int,
    required: Mapping[int, str],
    held: Mapping[int, date | None],
    shift_ends: datetime,
    timezone: str,
) -> list[Gap]:
    """Each required qualification (id → name) the person lacks for a shift ending at
    `shift_ends`: not held, or held with an expiry before the shift's end. `held` maps a
    qualification id to its expiry (None: never expires). Sorted by name."""
    found = []
    for qualification_id, name in sorted(required.items(), key=lambda item: item[1].lower()):
        if qualification_id not in held:
            found.append(Gap(user_id=user_id, qualification=name, reason="missing"))
            continue
        expires_on = held[qualification_id]
        if expires_on is not None and expiry_instant(expires_on, timezone) < shift_ends:
            found.append(
                Gap(
                    user_id=user_id,
                    qualification=name,
                    reason="expires",
                    expires_on=expires_on,
                    shift_ends=shift_ends.isoformat(),
                )
            )
    return found


def due_reminder(expires_on: date, today: date, sent: Iterable[int]) -> int | None:
    """The reminder (days before expiry) to send today for a holding, or None.

    The due reminders are those whose day has come and the expiry not passed; only the latest
    of them is sent, so a server down through two of them sends one, late, not several at once;
    the earlier ones count as sent with it (the caller records it under every passed step)."""
    left = (expires_on - today).days
    if left < 0:
        return None
    sent = set(sent)
    due = [d for d in REMINDER_DAYS if left <= d]
    if not due:
        return None
    latest = min(due)
    return None if latest in sent else latest


def skipped_with(days_before: int) -> list[int]:
    """The earlier reminders a late one stands for (recorded with it, never sent after it)."""
    return [d for d in REMINDER_DAYS if d >= days_before]


def expiring_soon(expires_on: date | None, today: date, within_days: int) -> bool:
    return expires_on is not None and today <= expires_on <= today + timedelta(days=within_days)


def expired(expires_on: date | None, today: date) -> bool:
    return expires_on is not None and expires_on <= today
