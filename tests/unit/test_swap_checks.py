"""The pure rules of swaps: which stretch may be asked for, how a cover splits a shift, and
each check's findings from plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.qualifications.models import Gap
from server.swaps import rules
from server.swaps.models import Finding

# Wednesday 16 December 2026, 18:00 in Paris (17:00 UTC): a night shift to 08:00.
START = datetime(2026, 12, 16, 17, tzinfo=UTC)
END = START + timedelta(hours=14)
NOW = START - timedelta(days=3)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("start", "end", "now", "problem"),
    [
        (START, END, NOW, None),
        (START + 2 * H, END - 2 * H, NOW, None),
        (START, START + H, NOW, None),
        (START - H, END, NOW, "outside"),
        (START, END + H, NOW, "outside"),
        (START + 3 * H, START + 2 * H, NOW, "empty"),
        (START + 3 * H, START + 3 * H, NOW, "empty"),
        (START, END, START, "started"),
        (START + 2 * H, END, START + H, "started"),
        (START, END, END + H, "started"),
    ],
)
def test_range_problem(start, end, now, problem) -> None:
    assert rules.range_problem(START, END, start, end, now) == problem


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        (START, END, []),
        (START, START + 4 * H, [(START + 4 * H, END)]),
        (START + 4 * H, END, [(START, START + 4 * H)]),
        (START + 4 * H, START + 8 * H, [(START, START + 4 * H), (START + 8 * H, END)]),
    ],
)
def test_split_cover_keeps_the_rest_for_the_owner(start, end, kept) -> None:
    assert rules.split_cover(START, END, start, end) == (kept, (start, end))


@pytest.mark.parametrize(
    ("other", "blocked"),
    [
        ((START - 10 * H, START), False),  # ends as the stretch starts
        ((END, END + 10 * H), False),  # starts as it ends
        ((START - H, START + H), True),
        ((START + H, START + 2 * H), True),  # inside
        ((START - H, END + H), True),  # around
        ((END - H, END + 5 * H), True),
    ],
)
def test_an_overlap_blocks(other, blocked) -> None:
    found = rules.overlap_findings(7, (START, END), [(3, *other)])
    assert bool(found) is blocked
    if blocked:
        assert found == [
            Finding(
                code="overlap",
                severity="block",
                user_id=7,
                params={"shift_id": 3, "start": other[0].isoformat(), "end": other[1].isoformat()},
            )
        ]


def nights(first: datetime, count: int) -> list[tuple[datetime, datetime]]:
    return [(first + timedelta(days=n), first + timedelta(days=n, hours=14)) for n in range(count)]


@pytest.mark.parametrize(
    ("before", "codes"),
    [
        ([], []),
        # A week of nights ending three days before: too close to the next one.
        (nights(START - timedelta(days=10), 7), ["min_days_between"]),
        # Far enough apart.
        (nights(START - timedelta(days=20), 7), []),
        # 15 nights before: 16 days touched, then the new night makes 17 (limit 16).
        (nights(START - timedelta(days=15), 15), ["max_oncall_days"]),
    ],
)
def test_load_findings_report_what_the_change_adds(before, codes) -> None:
    found = rules.load_findings(
        7,
        before,
        [*before, (START, END)],
        "Europe/Paris",
        max_days_per_28=16,
        min_days_between=7,
    )
    assert [f.code for f in found] == codes
    assert all(f.severity == "warning" and f.user_id == 7 for f in found)


def test_a_limit_already_passed_warns_again_only_when_it_gets_worse() -> None:
    busy = nights(START - timedelta(days=20), 20)
    same = rules.load_findings(
        7, busy, busy, "Europe/Paris", max_days_per_28=16, min_days_between=7
    )
    assert same == []
    worse = rules.load_findings(
        7, busy, [*busy, (START, END)], "Europe/Paris", max_days_per_28=16, min_days_between=7
    )
    assert [f.code for f in worse] == ["max_oncall_days"]


@pytest.mark.parametrize(
    ("owed", "warned"),
    [(None, False), (START - H, False), (START, False), (START + H, True)],
)
def test_rest_owed_at_the_start_warns(owed, warned) -> None:
    found = rules.rest_findings(7, START, owed)
    assert bool(found) is warned
    if warned:
        assert found[0].params == {"until": owed.isoformat()}


@pytest.mark.parametrize(
    ("score", "warned"), [(None, False), (1, False), (6, False), (7, True), (8, True), (9, True)]
)
def test_fatigue_of_seven_or_more_warns(score, warned) -> None:
    found = rules.fatigue_findings(7, score, NOW if score else None)
    assert bool(found) is warned
    assert all(f.severity == "warning" for f in found)


@pytest.mark.parametrize(("gate", "severity"), [("warn", "warning"), ("block", "block")])
def test_a_qualification_gap_is_a_warning_or_a_block(gate, severity) -> None:
    gaps = [
        Gap(user_id=7, qualification="SST", reason="missing"),
        Gap(
            user_id=7,
            qualification="BR",
            reason="expires",
            expires_on=date(2027, 1, 1),
            shift_ends="2027-01-02T07:00:00+00:00",
        ),
    ]
    found = rules.qualification_findings(gaps, gate)
    assert [f.params["qualification"] for f in found] == ["SST", "BR"]
    assert found[1].params["expires_on"] == "2027-01-01"
    assert all(f.severity == severity and f.code == "qualification" for f in found)


@pytest.mark.parametrize(
    ("consensual", "status", "expected"),
    [
        (True, "ok", [("consent", "info")]),
        (True, "exceptional", [("consent", "info")]),
        (True, "too_late", [("consent", "info")]),
        (False, "ok", []),
        (False, "exceptional", [("notice", "warning")]),
        (False, "too_late", [("notice", "block")]),
    ],
)
def test_notice_applies_only_to_an_imposed_change(consensual, status, expected) -> None:
    found = rules.notice_findings(7, consensual, status)
    assert [(f.code, f.severity) for f in found] == expected


def test_passes_ignores_information_only() -> None:
    info = Finding(code="consent", severity="info", user_id=1)
    warning = Finding(code="fatigue", severity="warning", user_id=1)
    block = Finding(code="overlap", severity="block", user_id=1)
    assert rules.passes([info])
    assert not rules.passes([info, warning])
    assert rules.blocks([info, warning, block]) == [block]
    assert rules.warnings_of([info, warning, block]) == [warning]


def test_a_fingerprint_changes_with_what_a_request_relies_on() -> None:
    base = rules.fingerprint(1, START, END, "primary")
    assert base == rules.fingerprint(1, START, END, "primary")
    assert base != rules.fingerprint(2, START, END, "primary")
    assert base != rules.fingerprint(1, START + H, END, "primary")
    assert base != rules.fingerprint(1, START, END - H, "primary")
    assert base != rules.fingerprint(1, START, END, "secondary")
