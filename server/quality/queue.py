"""The review queue, kept by an engine job: the interventions the triggers noted (a new or
changed record, a client's answer) are read a batch at a time, each one's reasons decided
(rules.queue_reasons) and the queue changed, in one transaction with the batch taken off the
pending list, so a crash loses nothing and a change made meanwhile is read again.

Why the engine rather than the sync: a phone's batch stays one quick transaction (the rest
engine reads weeks of a person's timeline to find a violation around an intervention), the
interventions package sits below this one, and a client's answer (server/surveys) or a manager's
correction is noted by the same triggers with no call to add anywhere."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from server.clock import from_db, to_db
from server.db import Database
from server.quality import store
from server.quality.rules import drawn, queue_reasons
from server.rest.people import policy_of
from server.rest.status import month_bounds, touches
from server.rest.team_view import violations_touching
from server.teams.store import get_team

# Interventions read per run, newest first: a run holds the event loop some 40 to 120 ms (the
# rest engine once per person and month of the batch); the demo's year of history (1,700
# interventions) is read in 18 runs.
BATCH = 100


def refresh_queue(database: Database, now: datetime, *, limit: int = BATCH) -> int:
    """Decide the reasons of up to `limit` pending interventions and change the queue; returns
    how many were read."""
    # Nothing noted (most rounds): no write at all, so no kept page is thrown away for nothing.
    if not store.pending_count(database):
        return 0
    with database.write():
        rows = store.pending(database, limit)
        if not rows:
            return 0
        live = [r for r in rows if r["deleted_at"] is None and r["team_id"] is not None]
        live_ids = {r["id"] for r in live}
        broken = _broken_rules(database, live, now)
        percents: dict[int, int] = {}
        salts: dict[int, str] = {}
        # A deleted record, or one of no team, leaves the queue (unless reviewed, below).
        queued, dropped = [], [r["id"] for r in rows if r["id"] not in live_ids]
        for row in live:
            team_id = row["team_id"]
            if team_id not in percents:
                percents[team_id] = get_team(database, team_id).policy.review_sample_percent
                salts[team_id] = store.team_salt(database, team_id, now)
            reasons = queue_reasons(
                sampled=drawn(salts[team_id], row["uuid"], percents[team_id]),
                outcome=row["outcome"],
                survey_score=row["survey_score"],
                broken_rules=broken.get(row["id"], ()),
            )
            if reasons:
                queued.append(
                    (
                        row["id"],
                        team_id,
                        row["user_id"],
                        store.encode_reasons(reasons),
                        row["ended_at"],
                        to_db(now),
                    )
                )
            else:
                dropped.append(row["id"])
        # A reviewed intervention stays in the queue (with the reasons it had) whatever happens.
        kept = store.reviewed_ids(database, dropped)
        store.put_in_queue(database, queued)
        store.follow_ends(database, live)
        store.take_out_of_queue(database, [i for i in dropped if i not in kept])
        store.forget_pending(database, [r["id"] for r in rows])
    return len(rows)


def _broken_rules(database: Database, rows: list[dict], now: datetime) -> dict[int, set[str]]:
    """Per intervention, the rest rules broken in a stretch (day, week, averaging weeks) that
    includes one of its days: the rest engine runs once per person and month of the batch."""
    groups: dict[tuple[int, date], list[dict]] = defaultdict(list)
    zones = {}
    for row in rows:
        user_id = row["user_id"]
        if user_id not in zones:
            zones[user_id] = policy_of(database, user_id).rest
        ended = from_db(row["ended_at"]).astimezone(zones[user_id].zone).date()
        groups[(user_id, ended.replace(day=1))].append(row)
    found: dict[int, set[str]] = {}
    for (user_id, month), members in groups.items():
        policy = zones[user_id]
        first = min(from_db(r["started_at"]).astimezone(policy.zone).date() for r in members)
        last = month_bounds(month)[1]
        violations = violations_touching(database, user_id, min(first, month), last, now)
        for row in members:
            start = from_db(row["started_at"]).astimezone(policy.zone).date()
            end = from_db(row["ended_at"]).astimezone(policy.zone).date()
            rules = {v.rule for v in violations if touches(v, start, end, policy.avg_weeks)}
            if rules:
                found[row["id"]] = rules
    return found
