"""iCalendar feeds (RFC 5545) of published shifts behind secret URLs a person can regenerate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import NotFound
from server.i18n import gettext as _
from server.schedules.models import TOLD
from server.schedules.store.feeds import active_feed_hashes, feed_owner_row, replace_feed
from server.schedules.store.shifts import list_shifts
from server.schedules.views import Slot, slots_for
from server.tokens import hash_token, new_token

# Feeds show the recent past too, so a calendar app keeps last month's duty visible.
PAST = timedelta(days=60)
FUTURE = timedelta(days=400)


# Only the SHA-256 of a feed's token is stored, like sessions' and invitations': the address
# is shown once, on the page the browser that made it opens next (this short-lived cookie
# carries it there, never a URL, which would reach logs and history).
NEW_FEEDS_COOKIE = "astreinte_new_feeds"
NEW_FEEDS_SECONDS = 300
_MAX_NEW = 8


def remember_new(cookie: str | None, team_id: int | None, token: str) -> str:
    """The cookie's value with one more address just made ("me" or the team id, then the
    token), so two made in a row are both shown."""
    entries = [e for e in (cookie or "").split(",") if e][-(_MAX_NEW - 1) :]
    return ",".join([*entries, f"{team_id or 'me'}:{token}"])


def just_made(database: Database, user_id: int, cookie: str | None) -> dict[int | None, str]:
    """The tokens the cookie carries that are still this person's active feeds (anything else,
    forged or since replaced, is ignored)."""
    active = active_feed_hashes(database, user_id)
    found: dict[int | None, str] = {}
    for entry in (cookie or "").split(","):
        label, _sep, token = entry.partition(":")
        if not token or not (label == "me" or label.isdigit()):
            continue
        team_id = None if label == "me" else int(label)
        made_for = active.get(hash_token(token), "none")
        if made_for == team_id:
            found[team_id] = token
    return found


def regenerate_feed(
    database: Database, user_id: int, team_id: int | None, *, actor: Actor, now: datetime
) -> str:
    """A new secret URL; the old one stops working at once."""
    token = new_token(24)
    with database.write():
        replace_feed(database, user_id, team_id, hash_token(token), now)
        record(
            database,
            at=now,
            actor=actor,
            action="feed.regenerate",
            entity_type="user",
            entity_id=user_id,
            team_id=team_id,
        )
    return token


def feed_owner(database: Database, token: str) -> dict:
    """Whose feed a calendar address is; refused once revoked, the person deactivated or, for a
    team's feed, no longer in the team."""
    row = feed_owner_row(database, hash_token(token))
    if row is None:
        raise NotFound(_("This calendar address is no longer valid."))
    return row


def feed_slots(database: Database, owner: dict, now: datetime) -> list[Slot]:
    """Who is really on call (overrides applied) over the feed's window: the whole team's, or
    only the stretches the person really holds."""
    start, end = now - PAST, now + FUTURE
    if owner["team_id"] is None:
        # The teams of the person's own shifts (a shift stays theirs after leaving a team).
        mine = list_shifts(database, user_id=owner["user_id"], start=start, end=end, statuses=TOLD)
        team_ids = sorted({s.team_id for s in mine})
        shifts = list_shifts(database, team_ids=team_ids, start=start, end=end, statuses=TOLD)
        slots = []
        for team_id in team_ids:
            team_shifts = [s for s in shifts if s.team_id == team_id]
            slots += [
                s for s in slots_for(team_shifts, start, end) if s.user_id == owner["user_id"]
            ]
        return sorted(slots, key=lambda s: (s.starts_at, s.layer))
    shifts = list_shifts(database, team_ids=[owner["team_id"]], start=start, end=end, statuses=TOLD)
    return slots_for(shifts, start, end)


def build_calendar(
    slots: Sequence[Slot], *, name: str, timezone: str, host: str, now: datetime
) -> bytes:
    zone = ZoneInfo(timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Astreinte//Astreinte//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    layer_names = {"primary": _("On call"), "secondary": _("Backup on call")}
    for slot in slots:
        event = icalendar.Event()
        # One shift can give two stretches around an override: the start keeps UIDs apart.
        event.add("uid", f"shift-{slot.shift_id}-{int(slot.starts_at.timestamp())}@{host}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", slot.starts_at.astimezone(zone))
        event.add("dtend", slot.ends_at.astimezone(zone))
        event.add("summary", f"{layer_names[slot.layer]} — {slot.name}")
        event.add("status", "TENTATIVE" if slot.status == "declined" else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        if slot.phone:
            event.add("description", f"{slot.name} · {slot.phone}")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
