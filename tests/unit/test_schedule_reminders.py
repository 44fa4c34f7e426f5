"""Reminders before a shift: the offsets a person chose, each sent once, the closest one only
when several fall due together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.schedules.reminders import MAX_OFFSET_MINUTES, due_offsets, parse_offsets

START = datetime(2026, 12, 7, 17, tzinfo=UTC)  # Monday 18:00 in Paris
DEFAULT = (1440, 60)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1440,60", (1440, 60)),
        ("60,1440", (1440, 60)),
        (" 60 , 1440 ", (1440, 60)),
        ("60,60", (60,)),
        ("15", (15,)),
        ("1,10080", (10080, 1)),
        ("", ()),
        ("  ", ()),
        ("60,,", (60,)),
    ],
)
def test_parse_offsets(text: str, expected: tuple[int, ...]) -> None:
    assert parse_offsets(text) == expected


@pytest.mark.parametrize("text", ["0", "-60", "10081", "60,0", "1440,20000", "abc", "1.5"])
def test_parse_offsets_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_offsets(text)


def test_a_week_is_the_longest_offset() -> None:
    assert MAX_OFFSET_MINUTES == 7 * 24 * 60


@pytest.mark.parametrize(
    ("before_start", "sent", "expected"),
    [
        (timedelta(hours=25), set(), (None, [])),
        (timedelta(hours=24), set(), (1440, [1440])),
        (timedelta(hours=23), set(), (1440, [1440])),
        (timedelta(hours=23), {1440}, (None, [])),
        (timedelta(minutes=61), {1440}, (None, [])),
        (timedelta(minutes=60), {1440}, (60, [60])),
        (timedelta(minutes=1), {1440}, (60, [60])),
        (timedelta(minutes=1), {1440, 60}, (None, [])),
        # Published half an hour before the start: both are due, only the 1 h one is sent and
        # both are marked so the 24 h one never follows.
        (timedelta(minutes=30), set(), (60, [1440, 60])),
        (timedelta(0), set(), (None, [])),
        (-timedelta(minutes=5), set(), (None, [])),
    ],
    ids=[
        "too-early",
        "24h-exactly",
        "24h",
        "24h-already-sent",
        "between",
        "1h-exactly",
        "1h",
        "all-sent",
        "both-due",
        "at-start",
        "after-start",
    ],
)
def test_due_offsets(before_start: timedelta, sent: set[int], expected) -> None:
    send, mark = due_offsets(START, DEFAULT, sent, START - before_start)
    assert (send, sorted(mark, reverse=True)) == expected


def test_no_offsets_no_reminder() -> None:
    assert due_offsets(START, (), set(), START - timedelta(minutes=5)) == (None, [])


def test_three_offsets_due_together_send_the_closest() -> None:
    send, mark = due_offsets(START, (2880, 1440, 60), {2880}, START - timedelta(minutes=45))
    assert send == 60
    assert sorted(mark) == [60, 1440]


def test_walking_to_the_start_sends_each_reminder_once() -> None:
    sent: set[int] = set()
    reminders = []
    moment = START - timedelta(days=3)
    while moment < START + timedelta(hours=2):
        send, mark = due_offsets(START, DEFAULT, sent, moment)
        if send is not None:
            reminders.append((send, START - moment))
        sent.update(mark)
        moment += timedelta(minutes=5)
    assert reminders == [(1440, timedelta(hours=24)), (60, timedelta(hours=1))]
