"""The engine's expiry reminders: 60, 30 and 7 days before a holding expires, to the person and
the managers of their teams, each once per expiry date (a renewal's new date gets its own).
A reminder missed while the server was down is sent late, once: the latest due one stands for
the earlier ones (server/qualifications/rules.py: due_reminder)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.db import Database
from server.i18n import gettext as _
from server.notifications import kinds
from server.notifications.models import Notification, Rendered
from server.notifications.store import notify
from server.qualifications import rules, store
from server.qualifications.gate import day_text
from server.qualifications.models import REMINDER_DAYS

KIND = "qualification_expiring"


def send_expiry_reminders(database: Database, now: datetime) -> int:
    """Send what is due at `now`; the number of holdings reminded about."""
    utc_today = now.date()
    # A day either side of UTC's date covers every person's zone; each is judged in theirs.
    rows = store.expiring_between(
        database, utc_today - timedelta(days=1), utc_today + timedelta(days=max(REMINDER_DAYS) + 1)
    )
    count = 0
    with database.write():
        for row in rows:
            today = now.astimezone(ZoneInfo(row["timezone"])).date()
            expires_on = date.fromisoformat(row["expires_on"])
            sent = {int(v) for v in (row["sent"] or "").split(",") if v}
            days = rules.due_reminder(expires_on, today, sent)
            if days is None:
                continue
            store.mark_reminded(database, row["id"], expires_on, rules.skipped_with(days), now)
            params = {
                "qualification": row["name"],
                "expires_on": expires_on.isoformat(),
                "days": (expires_on - today).days,
                "person": store.name_of(database, row["user_id"]),
                "user_id": row["user_id"],
            }
            url = f"/qualifications/people/{row['user_id']}"
            for user_id in [row["user_id"], *store.managers_of(database, row["user_id"])]:
                notify(database, user_id, KIND, params, now=now, url=url)
            count += 1
    return count


def render(notification: Notification) -> Rendered:
    p = notification.params
    day = day_text(date.fromisoformat(str(p["expires_on"])))
    if notification.user_id == p.get("user_id"):
        return Rendered(
            title=_("Your qualification expires soon"),
            body=_(
                "“%(qualification)s” expires on %(date)s: plan its renewal.",
                qualification=p["qualification"],
                date=day,
            ),
        )
    return Rendered(
        title=_("A qualification of your team expires soon"),
        body=_(
            "%(name)s's “%(qualification)s” expires on %(date)s.",
            name=p["person"],
            qualification=p["qualification"],
            date=day,
        ),
    )


def register_notices() -> None:
    kinds.register(KIND, render=render)
