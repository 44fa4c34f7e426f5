"""The pure rules of logging in (failed-login lock, safe redirects) and language negotiation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from server.auth.rules import retry_after_seconds, safe_next
from server.i18n import negotiate

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


# retry_after_seconds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "limit", "expected"),
    [
        ([], 5, None),
        ([ago(minutes=1)] * 4, 5, None),
        ([ago(minutes=1)] * 5, 5, 14 * 60),
        ([NOW] * 5, 5, 15 * 60),
        # The lock lifts when the oldest failure that still counts leaves the window.
        ([ago(minutes=10), *[ago(minutes=1)] * 4], 5, 5 * 60),
        # Six failures, limit five: the fifth most recent decides.
        ([ago(minutes=14), ago(minutes=10), *[ago(minutes=2)] * 4], 5, 5 * 60),
        # A failure exactly one window old no longer counts.
        ([ago(minutes=15), *[ago(minutes=1)] * 4], 5, None),
        ([ago(hours=3)] * 50, 5, None),
        ([ago(seconds=0.5)], 1, 15 * 60),
        # Never 0 while locked: a client told "Retry-After: 0" would hammer the server.
        ([ago(minutes=14, seconds=59.9)], 1, 1),
        # Order of the list does not matter.
        ([ago(minutes=1), ago(minutes=10), ago(minutes=3)], 3, 5 * 60),
    ],
)
def test_retry_after(failures: list[datetime], limit: int, expected: int | None) -> None:
    assert retry_after_seconds(failures, limit=limit, window=WINDOW, now=NOW) == expected


# As the app has them: failures stored to the second, a window of whole minutes (the
# setting), and a `now` from the system clock, with microseconds.
failure_times = st.lists(
    st.integers(min_value=0, max_value=7200).map(lambda s: NOW - timedelta(seconds=s)),
    max_size=30,
)
limits = st.integers(min_value=1, max_value=10)
windows = st.integers(min_value=1, max_value=120).map(lambda m: timedelta(minutes=m))
moments = st.integers(min_value=0, max_value=999_999).map(
    lambda us: NOW + timedelta(microseconds=us)
)


@given(failures=failure_times, limit=limits, window=windows, now=moments)
def test_retry_after_never_exceeds_the_window(failures, limit, window, now) -> None:
    wait = retry_after_seconds(failures, limit=limit, window=window, now=now)
    if wait is not None:
        assert 1 <= wait <= window.total_seconds()


@given(failures=failure_times, limit=limits, window=windows, now=moments)
# Locked until 09:15:00 and asked at 09:00:00.9995: 899.0005 s to go, so 900 s, not 899.
@example(failures=[NOW], limit=1, window=WINDOW, now=NOW + timedelta(microseconds=999_500))
def test_waiting_the_answer_out_unlocks(failures, limit, window, now) -> None:
    """Retry-After is a promise: whoever waits exactly that long is let in."""
    wait = retry_after_seconds(failures, limit=limit, window=window, now=now)
    if wait is not None:
        later = now + timedelta(seconds=wait)
        assert retry_after_seconds(failures, limit=limit, window=window, now=later) is None


@given(failures=failure_times, limit=limits, window=windows, now=moments)
def test_one_more_failure_never_shortens_the_wait(failures, limit, window, now) -> None:
    before = retry_after_seconds(failures, limit=limit, window=window, now=now) or 0
    after = retry_after_seconds([*failures, NOW], limit=limit, window=window, now=now) or 0
    assert after >= before


@given(
    failures=failure_times,
    limit=limits,
    window=windows,
    now=moments,
    extra_age=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
)
def test_an_old_failure_outside_the_window_changes_nothing(
    failures, limit, window, now, extra_age
) -> None:
    old = now - window - extra_age
    before = retry_after_seconds(failures, limit=limit, window=window, now=now)
    after = retry_after_seconds([*failures, old], limit=limit, window=window, now=now)
    assert after == before


# safe_next -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/schedule", "/schedule"),
        ("/people/3?done=saved", "/people/3?done=saved"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("//evil.example", "/"),
        ("//evil.example/path", "/"),
        ("https://evil.example", "/"),
        ("http://evil.example/", "/"),
        ("evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/login", "/"),
        ("/login?next=/team", "/"),
        ("/logout", "/"),
        ("/logout/everywhere", "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@given(st.text())
def test_safe_next_always_stays_on_the_site(target: str) -> None:
    result = safe_next(target)
    assert result.startswith("/")
    assert not result.startswith("//")
    assert "\\" not in result
    assert result in (target, "/")


# negotiate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "preferred", "expected"),
    [
        (None, None, "fr"),
        ("", None, "fr"),
        ("en", None, "en"),
        ("en-US,en;q=0.9", None, "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", None, "fr"),
        ("de-DE,de;q=0.9,en;q=0.5", None, "en"),
        ("de, it", None, "fr"),
        ("fr;q=0.3, en;q=0.7", None, "en"),
        ("en;q=0.2, fr", None, "fr"),
        ("en;q=garbage, fr;q=0.1", None, "fr"),
        ("EN-gb", None, "en"),
        ("*", None, "fr"),
        # The person's own choice wins over the browser.
        ("en", "fr", "fr"),
        ("fr", "en", "en"),
        # An unknown saved choice is ignored.
        ("en", "de", "en"),
        (None, "", "fr"),
    ],
)
def test_negotiate(accept_language: str | None, preferred: str | None, expected: str) -> None:
    assert negotiate(accept_language, preferred) == expected


def test_negotiate_falls_back_to_the_install_default() -> None:
    assert negotiate("de", None, "en") == "en"
    assert negotiate(None, None, "en") == "en"
    assert negotiate("de", None, "xx") == "fr"


@given(
    accept_language=st.text(max_size=60), preferred=st.sampled_from([None, "", "fr", "en", "de"])
)
def test_negotiate_always_answers_a_supported_language(accept_language, preferred) -> None:
    assert negotiate(accept_language, preferred) in ("fr", "en")
