"""A person's regular working hours (a weekly template) and the days it does not apply."""

from __future__ import annotations

import re
from datetime import date, datetime
from itertools import pairwise
from typing import Annotated, Literal

import msgspec

from server.audit.models import Actor
from server.audit.store import record
from server.clock import to_db
from server.db import Database
from server.errors import InvalidInput, NotFound
from server.i18n import N_
from server.i18n import gettext as _
from server.models import Base, Value
from server.rest.timeline import PatternRange

AbsenceKind = Literal["leave", "sick", "other"]
ABSENCE_LABELS = {"leave": N_("Leave"), "sick": N_("Sick day"), "other": N_("Day off")}
WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*[-–à]\s*(\d{1,2})[:h](\d{2})\s*$")


class Absence(Value, kw_only=True):
    id: int
    kind: AbsenceKind
    first_day: date
    last_day: date
    note: str


class AbsenceIn(Base, kw_only=True):
    kind: AbsenceKind
    first_day: date
    last_day: date
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PatternForm(Base, kw_only=True):
    """One text field per weekday, e.g. "08:30-12:00, 13:30-17:30"; empty for a day off."""

    mon: str = ""
    tue: str = ""
    wed: str = ""
    thu: str = ""
    fri: str = ""
    sat: str = ""
    sun: str = ""


def _minutes(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def parse_day(text: str) -> list[tuple[int, int]]:
    """Ranges of one day, sorted; ValueError with a message a person understands."""
    ranges: list[tuple[int, int]] = []
    for piece in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _RANGE.match(piece)
        start = _minutes(*match.group(1, 2)) if match else None
        end = _minutes(*match.group(3, 4)) if match else None
        if start is None or end is None or start == 1440:
            raise ValueError(_("“%(range)s” is not a range like 08:30-12:00.", range=piece))
        if end <= start:
            raise ValueError(_("“%(range)s” ends before it starts.", range=piece))
        ranges.append((start, end))
    ranges.sort()
    for (_s1, end1), (start2, _e2) in pairwise(ranges):
        if start2 < end1:
            raise ValueError(_("Two ranges overlap."))
    return ranges


def parse_pattern(form: PatternForm) -> list[PatternRange]:
    names = (
        N_("Monday"),
        N_("Tuesday"),
        N_("Wednesday"),
        N_("Thursday"),
        N_("Friday"),
        N_("Saturday"),
        N_("Sunday"),
    )
    pattern: list[PatternRange] = []
    for weekday, field in enumerate(WEEKDAY_FIELDS):
        try:
            ranges = parse_day(getattr(form, field))
        except ValueError as error:
            raise InvalidInput(f"{_(names[weekday])} : {error}", field=field) from None
        pattern += [PatternRange(weekday=weekday, start_minute=s, end_minute=e) for s, e in ranges]
    return pattern


def format_day(ranges: list[PatternRange], weekday: int) -> str:
    return ", ".join(
        f"{_hhmm(r.start_minute)}-{_hhmm(r.end_minute)}" for r in ranges if r.weekday == weekday
    )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def get_pattern(database: Database, user_id: int) -> list[PatternRange]:
    rows = database.query(
        "SELECT weekday, start_minute, end_minute FROM work_pattern_ranges WHERE user_id = ? "
        "ORDER BY weekday, start_minute",
        (user_id,),
    )
    return [PatternRange(**row) for row in rows]


def set_pattern(
    database: Database,
    user_id: int,
    pattern: list[PatternRange],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    with database.write():
        before = get_pattern(database, user_id)
        database.execute("DELETE FROM work_pattern_ranges WHERE user_id = ?", (user_id,))
        for item in pattern:
            row = {"user_id": user_id, **msgspec.to_builtins(item)}
            database.insert("work_pattern_ranges", row)
        record(
            database,
            at=now,
            actor=actor,
            action="rest.pattern_changed",
            entity_type="user",
            entity_id=user_id,
            before=before,
            after=pattern,
        )


def _absence(row: dict) -> Absence:
    return Absence(
        id=row["id"],
        kind=row["kind"],
        first_day=date.fromisoformat(row["first_day"]),
        last_day=date.fromisoformat(row["last_day"]),
        note=row["note"],
    )


def absences_between(database: Database, user_id: int, first: date, last: date) -> list[Absence]:
    rows = database.query(
        "SELECT * FROM absences WHERE user_id = ? AND last_day >= ? AND first_day <= ? "
        "ORDER BY first_day",
        (user_id, first.isoformat(), last.isoformat()),
    )
    return [_absence(row) for row in rows]


def add_absence(
    database: Database, user_id: int, absence: AbsenceIn, *, actor: Actor, now: datetime
) -> Absence:
    if absence.last_day < absence.first_day:
        raise InvalidInput(_("The last day comes before the first."), field="last_day")
    if (absence.last_day - absence.first_day).days > 366:
        raise InvalidInput(_("An absence lasts at most a year."), field="last_day")
    with database.write():
        absence_id = database.insert(
            "absences",
            {
                "user_id": user_id,
                "kind": absence.kind,
                "first_day": absence.first_day.isoformat(),
                "last_day": absence.last_day.isoformat(),
                "note": absence.note.strip(),
                "created_by": actor.user_id,
                "created_at": to_db(now),
            },
        )
        saved = Absence(id=absence_id, **msgspec.structs.asdict(absence))
        record(
            database,
            at=now,
            actor=actor,
            action="rest.absence_added",
            entity_type="user",
            entity_id=user_id,
            after=saved,
        )
    return saved


def delete_absence(
    database: Database, user_id: int, absence_id: int, *, actor: Actor, now: datetime
) -> None:
    with database.write():
        row = database.one(
            "SELECT * FROM absences WHERE id = ? AND user_id = ?", (absence_id, user_id)
        )
        if row is None:
            raise NotFound(_("This absence does not exist."))
        database.execute("DELETE FROM absences WHERE id = ?", (absence_id,))
        record(
            database,
            at=now,
            actor=actor,
            action="rest.absence_removed",
            entity_type="user",
            entity_id=user_id,
            before=_absence(row),
        )
