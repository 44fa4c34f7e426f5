"""The statement's PDF on its own: French letters, œ, € and Babel's narrow spaces print with the
cut-down font; a name in another script is written with the whole font (not dropped); the
rectifying version says what changed; the figures' words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import msgspec
import pypdfium2
import pytest

from server.i18n import current_locale
from server.statements.documents import build_content, difference, encode
from server.statements.models import (
    DayRates,
    InterventionLine,
    OnCallLine,
    StatementPolicy,
    StoredStatement,
)
from server.statements.pdf import duration, figure_label, render_pdf
from server.statements.pdf_layout import LATIN, font_files

PARIS = ZoneInfo("Europe/Paris")


def stored(name: str, *, place: str = "Chaufferie", version: int = 1) -> StoredStatement:
    content = build_content(
        month="2026-12",
        team_id=1,
        team_name="Maintenance des bâtiments",
        user_id=7,
        person_name=name,
        compensation_set=True,
        holidays="FR",
        policy=StatementPolicy(
            oncall_cents_per_hour=DayRates(weekday=100, holiday=250), hourly_wage_cents=2000
        ),
        oncall=[
            OnCallLine(
                start=datetime(2026, 12, 24, 18, tzinfo=PARIS),
                end=datetime(2026, 12, 26, 8, tzinfo=PARIS),
                layer="primary",
            )
        ],
        interventions=[
            InterventionLine(
                uuid="a",
                start=datetime(2026, 12, 25, 2, tzinfo=PARIS),
                end=datetime(2026, 12, 25, 3, tzinfo=PARIS),
                travel_minutes=30 * version,
                mode="on_site",
                place=place,
                outcome="resolved",
            )
        ],
        provisional=False,
        version=version,
    )
    text, sha = encode(content)
    return StoredStatement(
        id=version,
        closing_id=1,
        team_id=1,
        user_id=7,
        month="2026-12",
        version=version,
        content=content,
        content_json=text,
        sha256=sha,
        created_at=datetime(2027, 1, 3 + version, 23, tzinfo=UTC),
    )


def text_of(data: bytes) -> str:
    return pypdfium2.PdfDocument(data)[0].get_textpage().get_text_range()


def test_french_letters_and_the_euro_print_with_the_cut_down_font() -> None:
    statement = stored("Léa Dubœuf", place="Bâtiment C — sous-sol")
    assert font_files(statement.content_json) == font_files("")  # the Latin cut
    text = text_of(render_pdf(statement, None, locale="fr", company="Société Œuvre"))
    for expected in ("Léa Dubœuf", "Société Œuvre", "Bâtiment C — sous-sol", "Décembre 2026"):
        assert expected in text, (expected, text)
    # 6 h × 1.00 € on Thursday the 24th, 24 h × 2.50 € on Christmas, Saturday the 26th unpaid.
    assert "66,00\u00a0€" in text
    assert "R3121-2" in text and "version 1" in text


def test_a_name_in_another_script_is_printed_with_the_whole_font() -> None:
    statement = stored("Алексей Петров")
    assert any(ord(c) not in LATIN for c in statement.content_json)
    assert font_files(statement.content_json) != font_files("")
    text = text_of(render_pdf(statement, None, locale="en"))
    assert "Алексей Петров" in text and "Monthly on-call statement" in text


def test_a_rectifying_version_names_the_one_it_replaces_and_the_changes() -> None:
    first = stored("Léa Dubœuf")
    second = stored("Léa Dubœuf", version=2)
    change = difference(first.content, first.sha256, second.content)
    second = msgspec.structs.replace(
        second, content=msgspec.structs.replace(second.content, difference=change)
    )
    text = text_of(render_pdf(second, first, locale="en"))
    assert "Rectifying statement no. 2, replacing the version of 5 January 2027." in text, text
    assert "Intervention time (total) +0h 30m" in text
    assert first.sha256 in text and second.sha256 in text


@pytest.mark.parametrize(
    ("locale", "minutes", "text"),
    [("fr", 2280, "38 h 00"), ("en", 2280, "38h 00m"), ("fr", -90, "−1 h 30"), ("fr", 5, "0 h 05")],
)
def test_durations_read_as_hours_and_minutes(locale: str, minutes: int, text: str) -> None:
    token = current_locale.set(locale)
    try:
        assert duration(minutes) == text
        assert figure_label("oncall_minutes.night") in (
            "Temps d’astreinte (la nuit)",
            "On-call time (at night)",
        )
    finally:
        current_locale.reset(token)
