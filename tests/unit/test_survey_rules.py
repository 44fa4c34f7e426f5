"""Surveys' pure rules: when a client is asked (never at night in their zone, across clock
changes), by which channel, the reminder and the link's life, and what an attempt makes of a
message (retried only when nothing left, never sent twice)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.surveys.rules import (
    MAX_ATTEMPTS,
    Attempt,
    ClientFacts,
    MessageFacts,
    after_attempt,
    choose_channel,
    clean_comment,
    expiry,
    first_name,
    is_quiet,
    judge_message,
    mobile_number,
    next_allowed,
    plan_survey,
    reminder_time,
    send_time,
)

PARIS = ZoneInfo("Europe/Paris")
ZONES = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC"]
MOBILE = "+33612345678"
LANDLINE = "+33142345678"


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("arrival", "delay", "expected"),
    [
        # 20:50 + 30 min = 21:20: at 08:00 the next morning.
        (paris(2026, 12, 8, 20, 50), 30, paris(2026, 12, 9, 8, 0)),
        # 20:29 + 30 = 20:59: that evening.
        (paris(2026, 12, 8, 20, 29), 30, paris(2026, 12, 8, 20, 59)),
        # 20:30 + 30 = 21:00 sharp: the quiet hours have begun.
        (paris(2026, 12, 8, 20, 30), 30, paris(2026, 12, 9, 8, 0)),
        # 03:10 + 30: 08:00 the same morning.
        (paris(2026, 12, 9, 3, 10), 30, paris(2026, 12, 9, 8, 0)),
        # 07:30 + 30 = 08:00 sharp: allowed.
        (paris(2026, 12, 9, 7, 30), 30, paris(2026, 12, 9, 8, 0)),
        (paris(2026, 12, 9, 10, 0), 0, paris(2026, 12, 9, 10, 0)),
        # The night the clocks go back (25 October 2026): 08:00 is UTC+1 the next morning.
        (paris(2026, 10, 24, 22, 0), 30, datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),
        # The night they go forward (29 March 2026): 08:00 is UTC+2.
        (paris(2026, 3, 28, 23, 0), 30, datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
    ],
)
def test_send_time_in_paris(arrival: datetime, delay: int, expected: datetime) -> None:
    assert send_time(arrival, delay, "Europe/Paris") == expected


def test_the_clients_zone_decides_not_the_teams() -> None:
    # 15:00 in Paris is 23:00 in Tokyo: a Tokyo client is asked at 08:00 their time.
    arrival = paris(2026, 12, 8, 14, 30)
    asked = send_time(arrival, 30, "Asia/Tokyo")
    assert asked.astimezone(ZoneInfo("Asia/Tokyo")) == datetime(
        2026, 12, 9, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")
    )
    assert send_time(arrival, 30, "Europe/Paris") == paris(2026, 12, 8, 15, 0)


@given(
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    delay=st.integers(min_value=0, max_value=1440),
)
def test_never_asked_between_21_and_8_local(moment: datetime, zone: str, delay: int) -> None:
    asked = send_time(moment, delay, zone)
    local = asked.astimezone(ZoneInfo(zone))
    assert 8 <= local.hour < 21, local
    assert asked >= moment + timedelta(minutes=delay)
    # Never later than needed: at most the length of a night (11 h, plus an hour's change).
    assert asked - (moment + timedelta(minutes=delay)) <= timedelta(hours=12)
    reminder = reminder_time(asked, zone).astimezone(ZoneInfo(zone))
    assert 8 <= reminder.hour < 21


@given(
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
)
def test_a_time_outside_the_night_is_kept(moment: datetime, zone: str) -> None:
    if not is_quiet(moment, zone):
        assert next_allowed(moment, zone) == moment


def test_reminder_after_48_hours_and_life_of_14_days() -> None:
    sent = paris(2026, 12, 9, 8, 0)
    assert reminder_time(sent, "Europe/Paris") == paris(2026, 12, 11, 8, 0)
    late = paris(2026, 12, 9, 20, 30)
    assert reminder_time(late, "Europe/Paris") == paris(2026, 12, 11, 20, 30)
    assert reminder_time(paris(2026, 12, 9, 21, 0) - timedelta(seconds=1), "Europe/Paris") == (
        paris(2026, 12, 11, 20, 59, 59)
    )
    assert expiry(sent) == paris(2026, 12, 23, 8, 0)


@pytest.mark.parametrize(
    ("numbers", "email", "channels", "expected"),
    [
        ([MOBILE], "a@b.fr", {"webhook", "email"}, "sms"),
        ([LANDLINE, MOBILE], "", {"webhook"}, "sms"),
        ([LANDLINE], "a@b.fr", {"webhook", "email"}, "email"),  # a landline gets no SMS
        ([MOBILE], "a@b.fr", {"email"}, "email"),  # no SMS gateway configured
        ([MOBILE], "", {"email"}, None),
        ([LANDLINE], "", {"webhook", "email"}, None),
        ([], "  ", {"webhook", "email"}, None),
        (["+12015550123"], "", {"webhook"}, "sms"),  # US numbers: fixed line or mobile
    ],
)
def test_channel(numbers, email, channels, expected) -> None:
    assert choose_channel(mobile_number(numbers), email, frozenset(channels)) == expected


def facts(**changes) -> ClientFacts:
    base = ClientFacts(
        no_surveys=False, erased=False, email="c@client.fr", numbers=[], timezone="Europe/Paris"
    )
    return base._replace(**changes)


@pytest.mark.parametrize(
    ("client", "asked"),
    [
        (facts(), True),
        (facts(no_surveys=True), False),
        (facts(erased=True), False),
        (facts(email=""), False),
        (facts(email="", numbers=[MOBILE]), True),
    ],
)
def test_who_is_asked(client: ClientFacts, asked: bool) -> None:
    now = paris(2026, 12, 8, 10, 0)
    plan = plan_survey(
        client,
        arrival=now,
        ended_at=now - timedelta(hours=1),
        delay_minutes=30,
        channels=frozenset({"email", "webhook"}),
    )
    assert (plan is not None) == asked
    if plan:
        assert plan.send_at == paris(2026, 12, 8, 10, 30)


def test_an_intervention_synced_long_after_is_not_asked_about() -> None:
    now = paris(2026, 12, 8, 10, 0)
    plan = plan_survey(
        facts(),
        arrival=now,
        ended_at=now - timedelta(days=8),
        delay_minutes=30,
        channels=frozenset({"email"}),
    )
    assert plan is None


NOW = paris(2026, 12, 9, 10, 0)


@pytest.mark.parametrize(
    ("attempt", "tries", "status"),
    [
        (Attempt(status=200), 1, "sent"),
        (Attempt(status=250), 1, "sent"),
        (Attempt(status=0, error="refused"), 1, "pending"),
        (Attempt(status=503), 2, "pending"),
        (Attempt(status=429), 3, "pending"),
        (Attempt(status=503), MAX_ATTEMPTS, "failed"),
        (Attempt(status=400), 1, "failed"),
        (Attempt(status=-1), 1, "failed"),
        # The answer was lost after the message went: never tried again.
        (Attempt(status=0, error="timeout", maybe_sent=True), 1, "failed"),
    ],
)
def test_after_an_attempt(attempt: Attempt, tries: int, status: str) -> None:
    after = after_attempt(attempt, tries, NOW, "Europe/Paris")
    assert after.status == status
    assert (after.at is not None) == (status == "pending")


def test_a_retry_never_falls_at_night() -> None:
    evening = paris(2026, 12, 9, 20, 59)
    after = after_attempt(Attempt(status=0), 1, evening, "Europe/Paris")
    assert after.at == paris(2026, 12, 10, 8, 0)


def message(**changes) -> MessageFacts:
    base = MessageFacts(
        kind="first",
        survey_status="scheduled",
        consent=True,
        intervention_ok=True,
        expires_at=None,
        timezone="Europe/Paris",
        address="c@client.fr",
    )
    return base._replace(**changes)


@pytest.mark.parametrize(
    ("facts_", "action"),
    [
        (message(), "send"),
        (message(survey_status="answered"), "drop"),
        (message(survey_status="cancelled"), "drop"),
        (message(kind="reminder", survey_status="sent"), "send"),
        (message(kind="reminder", survey_status="scheduled"), "drop"),
        (message(kind="reminder", survey_status="sent", expires_at=NOW), "drop"),
        (message(consent=False), "cancel"),
        (message(intervention_ok=False), "cancel"),
        (message(address=None), "fail"),
    ],
)
def test_judge_a_due_message(facts_: MessageFacts, action: str) -> None:
    assert judge_message(facts_, NOW).action == action


def test_a_message_due_at_night_waits_for_8() -> None:
    verdict = judge_message(message(), paris(2026, 12, 9, 23, 0))
    assert verdict.action == "postpone"
    assert verdict.at == paris(2026, 12, 10, 8, 0)


def test_what_the_client_sees_of_the_technician_and_keeps_of_a_comment() -> None:
    assert first_name("Jean-Pierre Martin") == "Jean-Pierre"
    assert first_name("  ") == ""
    assert clean_comment(" Très bien\x00\r\n merci ") == "Très bien\n merci"
    assert len(clean_comment("x" * 5000)) == 1000
