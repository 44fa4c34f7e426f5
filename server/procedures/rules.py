"""Pure rules of procedures: the form read and checked, the default review date, staleness,
which procedures match an alert and in what order, and the difference between two versions."""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TypeVar

from server.errors import InvalidInput
from server.i18n import gettext as _
from server.procedures.models import DiffLine, ProcedureInput, Tag

MAX_TITLE = 200
MAX_BODY = 50_000  # about 25 pages; a procedure is read on a phone
MAX_NOTE = 300
MAX_TAGS = 30
MAX_TAG = 200
# How much a tag of each kind says about an alert: the site is the most precise, then the
# client, a label, and the source (every alert of a monitoring system shares it).
TAG_WEIGHT = {"site": 4, "client": 3, "label": 2, "source": 1}
DIFF_CONTEXT = 2  # unchanged lines shown around a change
T = TypeVar("T")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_on(today: date, review_months: int) -> date:
    return add_months(today, review_months)


def is_stale(review_on: date, today: date) -> bool:
    """Stale once its review date has passed (the review date itself is still in time)."""
    return review_on < today


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _parse_date(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(_("This date is not valid."), field=field) from None


def _ids(values: Iterable[str], field: str) -> list[int]:
    found = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        if not text.isdigit():
            raise InvalidInput(_("This choice is not valid."), field=field)
        found.append(int(text))
    return found


def procedure_input(
    values: Mapping[str, str],
    *,
    clients: Iterable[str] = (),
    sites: Iterable[str] = (),
) -> ProcedureInput:
    """The posted form (`clients` and `sites` are its multiple choices), checked; the ids it
    names are checked against the team by the workflow. InvalidInput names the field."""
    title = " ".join(values.get("title", "").split())
    if not title:
        raise InvalidInput(_("Give the procedure a title."), field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(_("The title is too long (200 characters at most)."), field="title")
    body = values.get("body", "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not body.strip():
        raise InvalidInput(_("Write the procedure's text."), field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(_("The text is too long (50,000 characters at most)."), field="body")
    note = " ".join(values.get("note", "").split())
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("The note is too long (300 characters at most)."), field="note")
    owner = _ids([values.get("owner_id", "")], "owner_id")
    tags: list[Tag] = []
    for source in _lines(values.get("sources", "")):
        tags.append(Tag(kind="source", value=source.lower()[:MAX_TAG]))
    for label in _lines(values.get("labels", "")):
        key, sep, value = label.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(_("Write each label as name=value, one per line."), field="labels")
        tags.append(Tag(kind="label", value=f"{key.strip()}={value.strip()}"[:MAX_TAG]))
    tags += [Tag(kind="client", value=str(i)) for i in _ids(clients, "clients")]
    tags += [Tag(kind="site", value=str(i)) for i in _ids(sites, "sites")]
    unique = tuple(dict.fromkeys(tags))
    if len(unique) > MAX_TAGS:
        raise InvalidInput(_("Too many tags (30 at most)."), field="labels")
    return ProcedureInput(
        title=title,
        body=body,
        note=note,
        owner_id=owner[0] if owner else None,
        review_on=_parse_date(values.get("review_on", ""), "review_on"),
        tags=unique,
    )


def alert_facts(
    source: str, labels: Mapping[str, str], client_id: int | None, site_id: int | None
) -> set[tuple[str, str]]:
    """The (kind, value) pairs an alert offers to procedure tags."""
    facts = {("label", f"{k}={v}") for k, v in labels.items()}
    if source.strip():
        facts.add(("source", source.strip().lower()))
    if client_id is not None:
        facts.add(("client", str(client_id)))
    if site_id is not None:
        facts.add(("site", str(site_id)))
    return facts


def match_rank(tags: Iterable[Tag], facts: set[tuple[str, str]]) -> tuple[int, int]:
    """(the weight of its most precise matching tag, how many tags match); (0, 0) when none
    does. A site beats a client, a client a label, a label the source; ties go to the
    procedure matching more tags."""
    weights = [TAG_WEIGHT[tag.kind] for tag in tags if (tag.kind, tag.value) in facts]
    return (max(weights), len(weights)) if weights else (0, 0)


def order_matches(
    candidates: Iterable[tuple[T, Iterable[Tag], str]], facts: set[tuple[str, str]]
) -> list[T]:
    """The candidates (item, tags, title) that match, best first, then by title."""
    ranked = []
    for item, tags, title in candidates:
        rank = match_rank(tags, facts)
        if rank[0]:
            ranked.append((-rank[0], -rank[1], title.casefold(), item))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked]


def diff_lines(before: str, after: str, context: int = DIFF_CONTEXT) -> list[DiffLine]:
    """Line by line: removed and added lines, with `context` unchanged lines around each
    change; a `gap` line stands for unchanged lines left out. Empty when nothing changed."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    # Read before grouping: get_grouped_opcodes trims the matcher's own list in place.
    last = tuple(matcher.get_opcodes()[-1]) if old or new else ("equal", 0, 0, 0, 0)
    result: list[DiffLine] = []
    for group_index, group in enumerate(matcher.get_grouped_opcodes(context)):
        first = group[0]
        if group_index or first[1] > 0 or first[3] > 0:
            result.append(DiffLine(change="same", text="", gap=True))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result += [DiffLine(change="same", text=line) for line in old[i1:i2]]
                continue
            result += [DiffLine(change="removed", text=line) for line in old[i1:i2]]
            result += [DiffLine(change="added", text=line) for line in new[j1:j2]]
    if result and last[0] == "equal" and last[2] - last[1] > context:
        result.append(DiffLine(change="same", text="", gap=True))
    return result
