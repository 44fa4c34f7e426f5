"""Procedures' pure rules: Markdown rendered with nothing executable, task lists as the
checklist markup, which procedures match an alert and in what order, the line difference,
the review date."""

from __future__ import annotations

import re
from datetime import date

import pytest

from server.errors import InvalidInput
from server.procedures.models import Tag
from server.procedures.rendering import render_markdown, safe_link
from server.procedures.rules import (
    add_months,
    alert_facts,
    diff_lines,
    is_stale,
    match_rank,
    order_matches,
    procedure_input,
)

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](https://e.fr/a.png" onerror="alert(1))',
    "<javascript:alert(1)>",
    "[x](//evil.example/a)",
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)">',
    "[x](file:///etc/passwd)",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_executable_comes_out(attack: str) -> None:
    html = render_markdown(f"Avant\n\n{attack}\n\nAprès")
    tags = re.findall(r"<\s*([a-zA-Z]+)", html)
    assert set(tags) <= {"p", "a", "img"}, html
    for href in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert href.startswith(("https://", "http://", "mailto:", "/")), html
    # No attribute starting with "on" inside a tag.
    assert not re.search(r"<[^>]*\son\w+=", html), html


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://exemple.fr", True),
        ("HTTP://exemple.fr", True),
        ("mailto:astreinte@exemple.fr", True),
        ("/alerts/3", True),
        ("#etape-2", True),
        ("notice.pdf", True),
        ("javascript:alert(1)", False),
        (" JAVASCRIPT:alert(1)", False),
        ("data:text/html,x", False),
        ("tel:+33123456789", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
    ],
)
def test_safe_link(url: str, safe: bool) -> None:
    assert safe_link(url) is safe


def test_task_lists_become_the_checklist_markup() -> None:
    html = render_markdown("Texte\n\n- [ ] Couper\n- [x] Prévenir\n- simple\n", 12, 3)
    assert '<ul class="checklist" data-procedure="12" data-version="3">' in html
    assert '<li class="task"><input type="checkbox" data-item="0" disabled> Couper</li>' in html
    assert '<input type="checkbox" data-item="1" checked disabled> Prévenir' in html
    assert "<li>simple</li>" in html
    # A list without a task stays a plain list.
    assert "checklist" not in render_markdown("- un\n- deux\n")


def test_the_same_version_renders_once() -> None:
    render_markdown.cache_clear()
    for _view in range(3):
        render_markdown("# Titre", 1, 1)
    assert render_markdown.cache_info().misses == 1


def tag(kind: str, value: str) -> Tag:
    return Tag(kind=kind, value=value)


def test_a_site_beats_a_client_beats_a_label_beats_the_source() -> None:
    facts = alert_facts("Alertmanager", {"service": "chauffage"}, client_id=7, site_id=70)
    procedures = [
        ("source", [tag("source", "alertmanager")]),
        ("label", [tag("label", "service=chauffage")]),
        ("client", [tag("client", "7")]),
        ("site", [tag("site", "70")]),
        ("other site", [tag("site", "71")]),
        ("label and source", [tag("label", "service=chauffage"), tag("source", "alertmanager")]),
        ("none", []),
    ]
    ordered = order_matches(((name, tags, name) for name, tags in procedures), facts)
    assert ordered == ["site", "client", "label and source", "label", "source"]
    assert match_rank([tag("label", "service=autre")], facts) == (0, 0)


def test_an_alert_without_client_matches_no_client_tag() -> None:
    facts = alert_facts("", {}, client_id=None, site_id=None)
    assert facts == set()
    assert order_matches([("x", [tag("client", "7")], "x")], facts) == []


def test_the_difference_shows_removed_then_added_lines_with_context() -> None:
    before = "\n".join(f"ligne {i}" for i in range(1, 11))
    after = before.replace("ligne 5", "ligne cinq")
    lines = [(d.change, d.text, d.gap) for d in diff_lines(before, after)]
    assert lines == [
        ("same", "", True),
        ("same", "ligne 3", False),
        ("same", "ligne 4", False),
        ("removed", "ligne 5", False),
        ("added", "ligne cinq", False),
        ("same", "ligne 6", False),
        ("same", "ligne 7", False),
        ("same", "", True),
    ]
    assert diff_lines(before, before) == []
    assert [d.change for d in diff_lines("", "nouveau")] == ["added"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 30), 6, date(2027, 5, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_stale_once_the_review_date_has_passed() -> None:
    assert not is_stale(date(2026, 12, 1), date(2026, 12, 1))
    assert is_stale(date(2026, 12, 1), date(2026, 12, 2))


def test_the_form_reads_tags_and_refuses_bad_labels() -> None:
    data = procedure_input(
        {
            "title": "  Panne   chaudière ",
            "body": "Texte\r\n",
            "sources": "Alertmanager, call",
            "labels": "service = chauffage\n",
        },
        clients=["3"],
        sites=["", "9"],
    )
    assert data.title == "Panne chaudière" and data.body == "Texte"
    assert set(data.tags) == {
        tag("source", "alertmanager"),
        tag("source", "call"),
        tag("label", "service=chauffage"),
        tag("client", "3"),
        tag("site", "9"),
    }
    with pytest.raises(InvalidInput) as refused:
        procedure_input({"title": "T", "body": "x", "labels": "sans egal"})
    assert refused.value.field == "labels"
    with pytest.raises(InvalidInput) as refused:
        procedure_input({"title": "T", "body": "x"}, clients=["3 OR 1=1"])
    assert refused.value.field == "clients"
