"""A month's closing and what follows it: closing a team's month (by a manager, or by the
engine after the grace period), handing the statements out, rectifying versions when a late
intervention or a correction arrives, and the person's acknowledgement of receipt.

Service functions for the pages and the engine; what happened in the month is monthly.py's,
SQL is in store/, decisions in documents.py."""

from __future__ import annotations

import logging
from datetime import datetime

import msgspec

from server.accounts.models import CurrentUser
from server.audit.models import Actor
from server.audit.store import record
from server.db import Database
from server.errors import Forbidden, NotFound, RuleViolation
from server.i18n import gettext as _
from server.notifications.store import enqueue, notify
from server.statements import store
from server.statements.documents import (
    MARGIN,
    build_content,
    difference,
    is_empty,
    latest_due_month,
    month_bounds,
    substance,
)
from server.statements.models import (
    Acknowledgement,
    Closing,
    ClosingResult,
    StatementContent,
)
from server.statements.monthly import GatheredMonth, PersonMonth, contents_of, gather
from server.teams.store import get_team, list_teams

log = logging.getLogger("astreinte.statements")


READY_KIND = "statement_ready"
# Statements are handed out on these channels (those the server has, among the person's).
HAND_OUT_CHANNELS = frozenset({"push", "email"})


def statement_url(month: str) -> str:
    """Where a person reads their statements of a month, every team's (server/statements/
    routes.py serves it)."""
    return f"/statements/{month}"


def close_month(
    database: Database,
    team_id: int,
    month: str,
    *,
    now: datetime,
    channels: frozenset[str],
    by: CurrentUser | None = None,
) -> ClosingResult:
    """Close a team's month and hand the statements out: one version 1 for every person with
    on-call time or an intervention, stored with its SHA-256, each person told (push, and
    e-mail when the server has it). `by` is the manager (None: the engine after the grace
    period). A month closes once it has ended; closing it again writes nothing and answers
    the existing closing (`created` False), even from two processes at the same instant.

    `channels` are the server's (the dispatcher's); raises Forbidden for someone who does not
    manage the team, RuleViolation for a month not over yet, ValueError for a bad month."""
    if by is not None and not by.manages(team_id):
        raise Forbidden(_("Only the team's managers close its month."))
    team = get_team(database, team_id)
    start, end = month_bounds(month, team.timezone)
    if now < end:
        raise RuleViolation(_("A month can be closed once it has ended."), field="month")
    existing = store.get_closing(database, team_id, month)
    if existing is not None:
        return ClosingResult(closing=existing, created=False, statements=0)
    # Computed before taking the write lock (the expensive part); whatever changes meanwhile
    # is stamped at or after `now`, which the re-check looks at.
    contents = [
        content
        for content in contents_of(
            database, team, month, gather(database, team, month), provisional=False
        ).values()
        if not is_empty(content)
    ]
    contents.sort(key=lambda content: content.user_id)
    actor = _actor(by)
    with database.write():
        closing = store.insert_closing(
            database,
            team_id,
            month,
            starts_at=start - MARGIN,
            ends_at=end + MARGIN,
            now=now,
            checked_at=now,
            closed_by=by.id if by else None,
        )
        if closing is None:
            existing = store.get_closing(database, team_id, month)
            assert existing is not None
            return ClosingResult(closing=existing, created=False, statements=0)
        ids = store.insert_statements(database, closing, contents, now=now, actor=actor)
        record(
            database,
            at=now,
            actor=actor,
            action="statement.close",
            entity_type="statement_closing",
            entity_id=closing.id,
            team_id=team_id,
            after={"month": month, "statements": len(ids), "closed_by": closing.closed_by},
        )
        for content, statement_id in zip(contents, ids, strict=True):
            _hand_out(database, content, statement_id, now=now, channels=channels)
    return ClosingResult(closing=closing, created=True, statements=len(ids))


def _actor(by: CurrentUser | None) -> Actor:
    return Actor(label=by.email, user_id=by.id) if by else Actor(label="engine")


def _hand_out(
    database: Database,
    content: StatementContent,
    statement_id: int,
    *,
    now: datetime,
    channels: frozenset[str],
) -> None:
    """Tell the person their statement (or its rectification) is ready, in the closing's
    transaction: push to their phones and e-mail, at once (the words are rendered in their
    language when sent: server/statements/notices.py)."""
    notification_id = notify(
        database,
        content.user_id,
        READY_KIND,
        {
            "statement_id": statement_id,
            "team": content.team_name,
            "team_id": content.team_id,
            "month": content.month,
            "version": content.version,
        },
        now=now,
        url=statement_url(content.month),
        deliver=False,
    )
    enqueue(
        database,
        notification_id,
        content.user_id,
        now=now,
        channels=channels & HAND_OUT_CHANNELS,
        immediate=True,
    )


def close_due_months(database: Database, now: datetime, channels: frozenset[str]) -> int:
    """The engine's job: close each team's latest month whose grace period (team setting,
    default 3 days) is over, unless closed already or ended before the team existed. Months
    missed while the server was stopped for longer are closed by a manager. Returns the
    number of statements handed out."""
    handed = 0
    for team in list_teams(database):
        compensation = store.get_compensation(database, team.id)
        grace = compensation.grace_days if compensation else 3
        month = latest_due_month(now, team.timezone, grace)
        if month in store.closed_months(database, team.id):
            continue
        _start, end = month_bounds(month, team.timezone)
        if end <= datetime.fromisoformat(team.created_at):
            continue
        try:
            handed += close_month(database, team.id, month, now=now, channels=channels).statements
        except Exception:
            log.exception("closing %s of team %s failed", month, team.id)
    return handed


def recheck_closed_months(database: Database, now: datetime, channels: frozenset[str]) -> int:
    """The engine's job: for every closed month whose shifts or interventions changed since it
    was last checked, write a rectifying version for each person whose document changed.
    Returns the number of versions written."""
    return sum(
        recheck_closing(database, closing, now=now, channels=channels)
        for closing in store.closings_to_recheck(database)
    )


def recheck_closing(
    database: Database, closing: Closing, *, now: datetime, channels: frozenset[str]
) -> int:
    """Compare a closed month with what the database says now. A person whose document
    changed gets version n+1 with the difference, computed with the policy, wage, names and
    zone of the version they hold (a later change of the team's compensation applies to
    months not closed yet); someone who had nothing at closing gets a version 1 with the
    current ones. Earlier versions stay. Returns the number of versions written."""
    team = get_team(database, closing.team_id)
    latest = store.latest_statements(database, team.id, closing.month)
    gathered = gather(database, team, closing.month)
    current = contents_of(
        database,
        team,
        closing.month,
        GatheredMonth(
            {uid: p for uid, p in gathered.people.items() if uid not in latest}, set(), set()
        ),
        provisional=False,
    )
    written: list[StatementContent] = [c for c in current.values() if not is_empty(c)]
    for user_id, held in latest.items():
        person = gathered.people.get(user_id) or PersonMonth(held.content.person_name)
        before = held.content
        fresh = build_content(
            month=closing.month,
            team_id=team.id,
            team_name=before.team_name,
            user_id=user_id,
            person_name=before.person_name,
            compensation_set=before.compensation_set,
            holidays=before.holidays,
            policy=before.policy,
            oncall=person.oncall,
            interventions=person.interventions,
            provisional=False,
            version=held.version + 1,
        )
        if substance(fresh) != substance(before):
            written.append(
                msgspec.structs.replace(fresh, difference=difference(before, held.sha256, fresh))
            )
    written.sort(key=lambda content: content.user_id)
    # Nothing new is bookkeeping: the pages' caches stay valid.
    with database.write(bookkeeping=not written):
        now_held = {
            uid: s.version
            for uid, s in store.latest_statements(database, team.id, closing.month).items()
        }
        if now_held != {uid: s.version for uid, s in latest.items()}:
            return 0  # another process wrote meanwhile: the next round compares again
        ids = store.insert_statements(
            database, closing, written, now=now, actor=Actor(label="engine")
        )
        for content, statement_id in zip(written, ids, strict=True):
            _hand_out(database, content, statement_id, now=now, channels=channels)
        store.mark_checked(database, closing.id, now)
    return len(ids)


def acknowledge(
    database: Database, statement_id: int, *, person: CurrentUser, now: datetime
) -> Acknowledgement:
    """The person acknowledges receipt of one version of their statement: time-stamped and
    audited; a second acknowledgement answers the first. NotFound for anyone else's."""
    with database.write():
        statement = store.get_statement(database, statement_id)
        if statement is None or statement.user_id != person.id:
            raise NotFound(_("This statement does not exist."))
        existing = store.get_acknowledgement(database, statement_id)
        if existing is not None:
            return existing
        return store.insert_acknowledgement(
            database, statement, actor=Actor(label=person.email, user_id=person.id), now=now
        )
