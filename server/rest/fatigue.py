"""Fatigue self-reports on the Karolinska Sleepiness Scale, and rest the person declares."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.clock import from_db, to_db
from server.db import Database
from server.errors import InvalidInput
from server.i18n import N_
from server.i18n import gettext as _
from server.models import Base, Value

FatigueContext = Literal["today", "shift_start", "night_intervention"]
Score = Annotated[int, msgspec.Meta(ge=1, le=9)]

# Åkerstedt & Gillberg (1990); the French wording follows the validated translation's sense.
KSS_LABELS: dict[int, str] = {
    1: N_("Extremely alert"),
    2: N_("Very alert"),
    3: N_("Alert"),
    4: N_("Rather alert"),
    5: N_("Neither alert nor sleepy"),
    6: N_("Some signs of sleepiness"),
    7: N_("Sleepy, no effort to stay awake"),
    8: N_("Sleepy, some effort to stay awake"),
    9: N_("Very sleepy, fighting sleep"),
}
# From this score on, the manager is warned if the person is on call now or next.
WARN_SCORE = 7
# Declared rest may reach this far back (a weekend's nights, not last month's).
MAX_DECLARED_REST_AGE = timedelta(days=7)
MAX_DECLARED_REST = timedelta(hours=48)


class FatigueReport(Value, kw_only=True):
    id: int
    user_id: int
    score: int
    reported_at: datetime
    context: FatigueContext


class FatigueIn(Base, kw_only=True):
    score: Score
    context: FatigueContext = "today"


class DeclaredRest(Value, kw_only=True):
    id: int
    started_at: datetime
    ended_at: datetime


class DeclaredRestIn(Base, kw_only=True):
    started_at: datetime
    ended_at: datetime


def _report(row: dict) -> FatigueReport:
    return FatigueReport(
        id=row["id"],
        user_id=row["user_id"],
        score=row["score"],
        reported_at=from_db(row["reported_at"]),
        context=row["context"],
    )


def record_fatigue(
    database: Database, user_id: int, score: int, *, context: FatigueContext, now: datetime
) -> FatigueReport:
    if not 1 <= score <= 9:
        raise InvalidInput(_("The score goes from 1 to 9."), field="score")
    with database.write():
        report_id = database.insert(
            "fatigue_reports",
            {
                "user_id": user_id,
                "score": score,
                "reported_at": to_db(now),
                "context": context,
                "created_at": to_db(now),
            },
        )
    return FatigueReport(
        id=report_id, user_id=user_id, score=score, reported_at=now, context=context
    )


def latest_fatigue(
    database: Database, user_id: int, since: datetime | None = None
) -> FatigueReport | None:
    """The person's last report, if it was made at or after `since`."""
    row = database.one(
        "SELECT * FROM fatigue_reports WHERE user_id = ? AND reported_at >= ? "
        "ORDER BY reported_at DESC, id DESC LIMIT 1",
        (user_id, to_db(since) if since else ""),
    )
    return _report(row) if row else None


def latest_fatigue_of(database: Database, user_ids: list[int]) -> dict[int, FatigueReport]:
    """Each person's last report, in one query (for the manager's view)."""
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = database.query(
        "SELECT f.* FROM fatigue_reports f WHERE f.id IN ("
        "  SELECT (SELECT id FROM fatigue_reports g WHERE g.user_id = u.value"
        "          ORDER BY g.reported_at DESC, g.id DESC LIMIT 1)"
        f"  FROM json_each(json_array({marks})) u)",
        user_ids,
    )
    return {row["user_id"]: _report(row) for row in rows}


def fatigue_history(database: Database, user_id: int, limit: int = 10) -> list[FatigueReport]:
    rows = database.query(
        "SELECT * FROM fatigue_reports WHERE user_id = ? ORDER BY reported_at DESC, id DESC "
        "LIMIT ?",
        (user_id, limit),
    )
    return [_report(row) for row in rows]


def declare_rest(
    database: Database, user_id: int, rest: DeclaredRestIn, *, actor: Actor, now: datetime
) -> DeclaredRest:
    """Record "I rested from … to …"; the stretch must be over, recent and believable."""
    if rest.ended_at <= rest.started_at:
        raise InvalidInput(_("The rest must end after it starts."), field="ended_at")
    if rest.ended_at > now + timedelta(minutes=1):
        raise InvalidInput(
            _("Declared rest cannot end in the future: declare it once it is over."),
            field="ended_at",
        )
    if rest.started_at < now - MAX_DECLARED_REST_AGE:
        raise InvalidInput(_("Declared rest must be within the last 7 days."), field="started_at")
    if rest.ended_at - rest.started_at > MAX_DECLARED_REST:
        raise InvalidInput(_("A declared rest lasts at most 48 hours."), field="ended_at")
    with database.write():
        rest_id = database.insert(
            "declared_rests",
            {
                "user_id": user_id,
                "started_at": to_db(rest.started_at),
                "ended_at": to_db(min(rest.ended_at, now)),
                "created_at": to_db(now),
            },
        )
        declared = DeclaredRest(
            id=rest_id, started_at=rest.started_at, ended_at=min(rest.ended_at, now)
        )
        record(
            database,
            at=now,
            actor=actor,
            action="rest.declared",
            entity_type="user",
            entity_id=user_id,
            after=declared,
        )
    return declared


def declared_rests(
    database: Database, user_id: int, since: datetime, until: datetime
) -> list[DeclaredRest]:
    rows = database.query(
        "SELECT * FROM declared_rests WHERE user_id = ? AND ended_at > ? AND started_at < ? "
        "ORDER BY started_at",
        (user_id, to_db(since), to_db(until)),
    )
    return [
        DeclaredRest(
            id=r["id"], started_at=from_db(r["started_at"]), ended_at=from_db(r["ended_at"])
        )
        for r in rows
    ]
