"""Pure rules of training: the form checked field by field, the windows its effect is read
over, what a session grants or renews, and the comparisons (with their caution) of the
figures before and after (README, "Training")."""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta

from server.errors import InvalidInput
from server.i18n import gettext as _
from server.training.models import (
    KINDS,
    NOTES_MAX,
    TOPIC_MAX,
    TRAINER_MAX,
    Comparison,
    Holding,
    SessionInput,
)

# The effect is read over this many calendar months on each side of the session.
EFFECT_MONTHS = 3
# A figure resting on fewer items than this, on either side, says little: shown with a caution.
MIN_COUNT = 10
# The figures compared, in the order shown; "lower" ones are better when they go down.
FIGURES: tuple[str, ...] = ("ack", "intervene", "satisfaction", "quality")
LOWER_IS_BETTER = frozenset({"ack", "intervene"})


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day when it has fewer:
    31 January + 1 month is 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def windows(held_on: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """(first, last) civil days before and after: the 3 calendar months after start the day
    after the session; the window before has the same number of days and ends with the
    session's day (a session is mostly held in working hours: that day's calls were answered
    before it, or by colleagues), so both sides count over equal lengths (the period just
    before, as every figure's comparison reads it: metrics.periods.previous)."""
    after_first = held_on + timedelta(days=1)
    after_last = add_months(after_first, EFFECT_MONTHS) - timedelta(days=1)
    length = (after_last - after_first).days + 1
    return (held_on - timedelta(days=length - 1), held_on), (after_first, after_last)


def expiry(obtained_on: date, validity_months: int | None) -> date | None:
    return None if validity_months is None else add_months(obtained_on, validity_months)


def granted(existing: Holding | None, held_on: date, validity_months: int | None) -> Holding | None:
    """What a session on `held_on` makes of a person's holding: obtained that day, expiring
    after the qualification's validity; None when it changes nothing (the person holds it from
    that day or a later one already: a session entered late never rolls back a newer one)."""
    new = Holding(obtained_on=held_on, expires_on=expiry(held_on, validity_months))
    if existing is None or existing.obtained_on is None:
        return new
    if existing.obtained_on >= held_on:
        return None
    return new


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name, "")
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _id(values: Mapping[str, object], name: str, label: str) -> int | None:
    text = _text(values, name)
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(
            _("“%(field)s”: choose from the list.", field=label), field=name
        ) from None


def session_input(
    values: Mapping[str, object],
    attendee_ids: Sequence[str],
    *,
    people: Collection[int],
    qualifications: Collection[int],
    today: date,
) -> SessionInput:
    """The session typed in the form; InvalidInput naming the field otherwise. `people`: the
    ids the writer may name (attendees, trainer); `qualifications`: the catalogue's ids;
    `today`: in the team's zone (a session is a record of training given: not in the future)."""
    topic = _text(values, "topic")
    if not topic:
        raise InvalidInput(
            _("“%(field)s”: say what the training was about.", field=_("Topic")), field="topic"
        )
    if len(topic) > TOPIC_MAX:
        raise InvalidInput(
            _(
                "“%(field)s” is too long: at most %(count)s characters.",
                field=_("Topic"),
                count=TOPIC_MAX,
            ),
            field="topic",
        )
    kind = _text(values, "kind")
    if kind not in KINDS:
        raise InvalidInput(_("“%(field)s”: choose from the list.", field=_("Kind")), field="kind")
    try:
        held_on = date.fromisoformat(_text(values, "held_on"))
    except ValueError:
        raise InvalidInput(
            _("“%(field)s”: a date is needed (YYYY-MM-DD).", field=_("Date")), field="held_on"
        ) from None
    if held_on > today:
        raise InvalidInput(
            _("“%(field)s”: a session is recorded once held, not before.", field=_("Date")),
            field="held_on",
        )
    trainer_id = _id(values, "trainer_id", _("Trainer"))
    if trainer_id is not None and trainer_id not in people:
        raise InvalidInput(
            _("“%(field)s”: choose from the list.", field=_("Trainer")), field="trainer_id"
        )
    trainer_name = "" if trainer_id is not None else _text(values, "trainer_name")
    if len(trainer_name) > TRAINER_MAX:
        raise InvalidInput(
            _(
                "“%(field)s” is too long: at most %(count)s characters.",
                field=_("Trainer"),
                count=TRAINER_MAX,
            ),
            field="trainer_name",
        )
    qualification_id = _id(values, "qualification_id", _("Qualification granted"))
    if qualification_id is not None and qualification_id not in qualifications:
        raise InvalidInput(
            _("“%(field)s”: choose from the list.", field=_("Qualification granted")),
            field="qualification_id",
        )
    notes = str(values.get("notes", "")).strip()
    if len(notes) > NOTES_MAX:
        raise InvalidInput(
            _(
                "“%(field)s” is too long: at most %(count)s characters.",
                field=_("Notes"),
                count=NOTES_MAX,
            ),
            field="notes",
        )
    chosen: list[int] = []
    for text in attendee_ids:
        try:
            user_id = int(str(text).strip())
        except ValueError:
            user_id = -1
        if user_id not in people:
            raise InvalidInput(
                _("“%(field)s”: choose people of the teams you manage.", field=_("Attendees")),
                field="attendees",
            )
        if user_id not in chosen:
            chosen.append(user_id)
    if not chosen:
        raise InvalidInput(
            _("“%(field)s”: choose at least one person.", field=_("Attendees")), field="attendees"
        )
    return SessionInput(
        topic=topic,
        kind=kind,  # type: ignore[arg-type]
        held_on=held_on,
        trainer_id=trainer_id,
        trainer_name=trainer_name,
        qualification_id=qualification_id,
        notes=notes,
        attendee_ids=tuple(chosen),
    )


def compare(
    key: str, before: tuple[float | None, int], after: tuple[float | None, int]
) -> Comparison:
    """A figure's two sides, (value, count) each, with the caution when either count is below
    MIN_COUNT."""
    return Comparison(
        key=key,
        before=before[0] if before[1] else None,
        before_count=before[1],
        after=after[0] if after[1] else None,
        after_count=after[1],
        few=min(before[1], after[1]) < MIN_COUNT,
    )


def pooled(key: str, figures: Iterable[Comparison]) -> Comparison:
    """The group's figure: each side's values weighted by their counts, which is the mean over
    every item counted (a mean of means would weigh one alert of one person like fifty of
    another's)."""
    found = [f for f in figures if f.key == key]

    def side(pairs: list[tuple[float | None, int]]) -> tuple[float | None, int]:
        counted = [(value, count) for value, count in pairs if value is not None and count]
        total = sum(count for _value, count in counted)
        if not total:
            return None, 0
        return sum(value * count for value, count in counted) / total, total

    return compare(
        key,
        side([(f.before, f.before_count) for f in found]),
        side([(f.after, f.after_count) for f in found]),
    )


def better(comparison: Comparison) -> bool | None:
    """Whether the figure went the good way (None: no change to read)."""
    change = comparison.change
    if change is None or change == 0:
        return None
    return change < 0 if comparison.key in LOWER_IS_BETTER else change > 0
