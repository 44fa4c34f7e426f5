"""Properties of the rest engine over generated timelines, checked against brute-force oracles."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from server.rest.models import Period, RestPolicy, RestReport
from server.rest.rules import check_rest

# Three weeks around the spring change (Sunday 29 March 2026 in Europe), on a
# 15-minute grid: dense enough to hit every boundary, sparse enough for long rests.
BASE = datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
SLOT = timedelta(minutes=15)
SLOTS = 21 * 24 * 4
DAY = timedelta(hours=24)

POLICIES = st.builds(
    RestPolicy,
    timezone=st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC"]),
    daily_rest_hours=st.sampled_from([0, 8, 11, 11.5, 24]),
    weekly_rest_hours=st.sampled_from([24, 35, 48]),
    max_daily_work_hours=st.sampled_from([8, 10, 12]),
    max_weekly_work_hours=st.sampled_from([30, 48]),
    max_avg_weekly_work_hours=st.sampled_from([20, 44]),
    avg_weeks=st.integers(1, 3),
)


@st.composite
def periods(draw, kinds=("work", "oncall", "intervention")) -> Period:
    start = draw(st.integers(0, SLOTS))
    length = draw(st.integers(1, 14 * 4))
    return Period(
        kind=draw(st.sampled_from(kinds)),
        start=BASE + start * SLOT,
        end=BASE + (start + length) * SLOT,
    )


TIMELINES = st.lists(periods(), min_size=1, max_size=12)


def pairs(report: RestReport) -> set[tuple[str, str]]:
    return {(v.rule, v.at) for v in report.violations}


def at(policy: RestPolicy, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(policy.timezone)).isoformat(timespec="seconds")


def longest_rest_in_day_before(timeline: list[Period], moment: datetime) -> timedelta:
    """Brute force: the longest stretch of the 24 h before `moment` free of work time."""
    cursor, longest = moment - DAY, timedelta(0)
    for start, end in sorted((p.start, p.end) for p in timeline if p.kind != "oncall"):
        if end <= cursor:
            continue
        if start >= moment:
            break
        longest = max(longest, start - cursor)
        cursor = max(cursor, end)
    return max(longest, moment - cursor)


def work_time(timeline: list[Period]) -> timedelta:
    """Brute force: the length of the union of work and intervention periods."""
    total, reached = timedelta(0), None
    for start, end in sorted((p.start, p.end) for p in timeline if p.kind != "oncall"):
        if reached is None or start > reached:
            total, reached = total + (end - start), end
        elif end > reached:
            total, reached = total + (end - reached), end
    return total


@settings(max_examples=150, deadline=None)
@given(POLICIES, TIMELINES, st.randoms(use_true_random=False))
def test_order_of_periods_does_not_matter(policy, timeline, random):
    shuffled = random.sample(timeline, len(timeline))

    assert check_rest(policy, shuffled) == check_rest(policy, timeline)


@settings(max_examples=200, deadline=None)
@given(POLICIES, TIMELINES, st.data())
def test_splitting_a_period_changes_nothing_but_what_the_rules_tie_to_a_period(
    policy, timeline, data
):
    """Splitting a period into two adjacent pieces of its kind gives the same report, but
    for the two things LAW.md ties to one period rather than to work time:
    * a split `work` period has a second start, checked by daily_rest like any start: a
      daily_rest violation at the split instant appears exactly when the 24 h before it
      hold no rest of daily_rest_hours;
    * an interruption owes rest from its intervention's own end: a split intervention's
      first piece owes it from the split, and its second piece interrupts nothing."""
    index = data.draw(st.integers(0, len(timeline) - 1))
    piece = timeline[index]
    pieces = (piece.end - piece.start) // SLOT
    assume(pieces >= 2)
    split = piece.start + data.draw(st.integers(1, pieces - 1)) * SLOT
    halves = [
        Period(kind=piece.kind, start=piece.start, end=split),
        Period(kind=piece.kind, start=split, end=piece.end),
    ]

    whole = check_rest(policy, timeline)
    cut = check_rest(policy, [*timeline[:index], *halves, *timeline[index + 1 :]])

    if piece.kind == "oncall":
        assert cut == whole
        return
    if piece.kind == "intervention":
        daily = timedelta(hours=policy.daily_rest_hours)
        moved = [(i.at, i.rest_due_until) for i in whole.interruptions]
        owed_by_piece = (piece.start, piece.end + daily)
        if owed_by_piece in moved:  # the piece's own interruption (one, if it is doubled)
            moved[moved.index(owed_by_piece)] = (piece.start, split + daily)
        assert sorted((i.at, i.rest_due_until) for i in cut.interruptions) == sorted(moved)
        assert (cut.earliest_return, cut.violations, cut.work_hours) == (
            whole.earliest_return,
            whole.violations,
            whole.work_hours,
        )
        return
    at_split = ("daily_rest", at(policy, split))
    assert (cut.earliest_return, cut.interruptions, cut.work_hours) == (
        whole.earliest_return,
        whole.interruptions,
        whole.work_hours,
    )
    assert pairs(cut) - {at_split} == pairs(whole) - {at_split}
    rest = longest_rest_in_day_before(timeline, split)
    assert (at_split in pairs(cut)) == (rest < timedelta(hours=policy.daily_rest_hours))


@settings(max_examples=300, deadline=None)
@given(POLICIES, TIMELINES, st.data())
def test_removing_work_adds_no_violation_but_the_two_the_rules_allow(policy, timeline, data):
    """Deleting a work or intervention period, or moving one of its ends inward, never
    adds a violation and never delays earliest_return, with two exceptions the rules
    as written imply (each shown by an example below):

    * weekly_rest: deleting work merges rest gaps, and the merged gap starts in the
      week of the earlier one, so a later week can lose the long rest starting in it;
    * daily_rest at the new start of a work period shortened from its start: its 24 h
      window slides later and can drop part of the rest it held.
    """
    candidates = [i for i, p in enumerate(timeline) if p.kind != "oncall"]
    assume(candidates)
    index = data.draw(st.sampled_from(candidates))
    old = timeline[index]
    slots = (old.end - old.start) // SLOT
    how = data.draw(st.sampled_from(["delete", "later start", "earlier end"]))
    rest = timeline[:index] + timeline[index + 1 :]
    allowed: set[tuple[str, str]] = set()
    if how != "delete":
        assume(slots >= 2)
        by = data.draw(st.integers(1, slots - 1)) * SLOT
        start, end = (
            (old.start + by, old.end) if how == "later start" else (old.start, old.end - by)
        )
        rest.append(Period(kind=old.kind, start=start, end=end))
        if how == "later start" and old.kind == "work":
            allowed.add(("daily_rest", at(policy, start)))

    before, after = check_rest(policy, timeline), check_rest(policy, rest)

    added = pairs(after) - pairs(before)
    assert {pair for pair in added if pair[0] != "weekly_rest"} <= allowed
    if rest:
        assert after.earliest_return <= before.earliest_return


@settings(max_examples=200, deadline=None)
@given(POLICIES, TIMELINES)
# The earliest return falls at 03:00 on the spring-forward night (found by hypothesis).
@example(
    RestPolicy(daily_rest_hours=24),
    [
        Period(
            kind="work",
            start=datetime(2026, 3, 27, 11, 0, tzinfo=UTC),
            end=datetime(2026, 3, 28, 1, 0, tzinfo=UTC),
        )
    ],
)
def test_daily_rest_and_earliest_return_match_a_brute_force_oracle(policy, timeline):
    report = check_rest(policy, timeline)
    daily_rest = timedelta(hours=policy.daily_rest_hours)

    for p in timeline:
        if p.kind == "work":
            broken = longest_rest_in_day_before(timeline, p.start) < daily_rest
            assert (("daily_rest", at(policy, p.start)) in pairs(report)) == broken
    # earliest_return: allowed itself, not before the end, and the earliest such
    # instant (checked at the end of the timeline and a second before).
    # In UTC: arithmetic on a zone-aware datetime is wall-clock arithmetic, and a second before
    # 03:00 on a spring-forward night would land in the hour that does not exist.
    returns, last = report.earliest_return.astimezone(UTC), max(p.end for p in timeline)
    assert returns >= last
    assert longest_rest_in_day_before(timeline, returns) >= daily_rest
    if returns > last:
        assert longest_rest_in_day_before(timeline, last) < daily_rest
        assert longest_rest_in_day_before(timeline, returns - timedelta(seconds=1)) < daily_rest


@settings(max_examples=150, deadline=None)
@given(POLICIES, TIMELINES)
def test_work_hours_add_up_to_the_work_time(policy, timeline):
    report = check_rest(policy, timeline)

    assert abs(sum(report.work_hours.values()) * 3600 - work_time(timeline).total_seconds()) < 1e-6
    # No civil day holds more than its own length (23 h, 24 h or 25 h).
    assert all(0 < hours <= 25 for hours in report.work_hours.values())


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Paris"))


def test_deleting_work_can_break_the_weekly_rest_of_a_later_week():
    # Monday 01:00-02:00 is the first work: the 55 h rest after it starts in the
    # week of 2 March. Delete it and that rest merges into the unbounded rest
    # before the timeline, which starts in no week.
    early = Period(kind="work", start=paris("2026-03-02T01:00"), end=paris("2026-03-02T02:00"))
    days = [
        Period(
            kind="work", start=paris(f"2026-03-{d:02}T09:00"), end=paris(f"2026-03-{d:02}T17:00")
        )
        for d in range(4, 10)
    ]

    assert pairs(check_rest(RestPolicy(), [early, *days])) == set()
    assert pairs(check_rest(RestPolicy(), days)) == {("weekly_rest", "2026-03-02")}


def test_shortening_work_from_its_start_can_break_the_daily_rest():
    # The 22 h rest from Monday 01:00 has exactly 11 h inside the 24 h before
    # Tuesday 12:00; starting at 12:30 instead leaves 10 h 30 inside.
    def timeline(start: str) -> list[Period]:
        return [
            Period(kind="work", start=paris("2026-03-02T00:00"), end=paris("2026-03-02T01:00")),
            Period(
                kind="intervention", start=paris("2026-03-02T23:00"), end=paris("2026-03-03T01:00")
            ),
            Period(
                kind="intervention", start=paris("2026-03-03T05:00"), end=paris("2026-03-03T07:00")
            ),
            Period(
                kind="intervention", start=paris("2026-03-03T10:00"), end=paris("2026-03-03T11:00")
            ),
            Period(kind="work", start=paris(start), end=paris("2026-03-03T14:00")),
        ]

    before = pairs(check_rest(RestPolicy(), timeline("2026-03-03T12:00")))
    after = pairs(check_rest(RestPolicy(), timeline("2026-03-03T12:30")))

    assert before == set()
    assert after == {("daily_rest", "2026-03-03T12:30:00+01:00")}
