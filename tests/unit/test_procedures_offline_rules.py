"""The procedures a phone keeps: the recent alerts' first, then the newest; as many as fit the
budget, one too big passed over; and what a checklist ticked against a version says."""

from __future__ import annotations

import gzip
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.procedures.offline_rules import (
    KeptPage,
    checklist_items,
    keep_within,
    order_for_phone,
    stored_bytes,
    ticked_items,
)
from server.procedures.rendering import render_markdown
from tests.procedure_text import procedure_markdown


def page(id: int, size: int, updated: str = "2026-11-01T08:00:00Z") -> KeptPage:
    return KeptPage(id=id, team_id=1, version=1, title=f"P{id}", updated_at=updated, bytes=size)


def test_the_recent_alerts_procedures_come_first_then_the_newest() -> None:
    pages = [
        page(1, 10, "2026-11-01T08:00:00Z"),
        page(2, 10, "2026-11-03T08:00:00Z"),
        page(3, 10, "2026-11-02T08:00:00Z"),
        page(4, 10, "2026-10-01T08:00:00Z"),
    ]
    # Alert one (newest) is served by 4 then 1; alert two by 1 again.
    assert [p.id for p in order_for_phone(pages, [4, 1, 1])] == [4, 1, 2, 3]
    assert [p.id for p in order_for_phone(pages, [])] == [2, 3, 1, 4]
    # A served procedure the person cannot keep (another team's) changes nothing.
    assert [p.id for p in order_for_phone(pages, [99])] == [2, 3, 1, 4]


@pytest.mark.parametrize(
    ("sizes", "budget", "kept", "left_out"),
    [
        ([400, 400, 400], 1000, [0, 1], 1),
        # One too big for what is left is passed over; the small one after it still fits.
        ([600, 500, 300], 1000, [0, 2], 1),
        ([2000, 10], 1000, [1], 1),
        ([500, 500], 1000, [0, 1], 0),  # exactly the budget: kept
        ([], 1000, [], 0),
        ([1], 0, [], 1),
    ],
)
def test_pages_are_kept_while_they_fit(sizes, budget, kept, left_out) -> None:
    pages = [page(i, size) for i, size in enumerate(sizes)]
    found, out = keep_within(pages, budget)
    assert [p.id for p in found] == kept
    assert out == left_out


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=40), st.integers(0, 20000))
def test_what_is_kept_never_exceeds_the_budget(sizes, budget) -> None:
    pages = [page(i, size) for i, size in enumerate(sizes)]
    found, out = keep_within(pages, budget)
    assert sum(p.bytes for p in found) <= budget
    assert len(found) + out == len(pages)
    # Kept in the order given.
    assert [p.id for p in found] == sorted(p.id for p in found)


def test_a_checklist_reads_its_items_by_number_as_the_page_numbers_them() -> None:
    html = render_markdown(
        "# Chaudière\n\n- [ ] Couper **l'alimentation**\n- [x] Appeler le client\n\n"
        "Puis :\n\n1. [ ] Purger <script>x</script>\n",
        7,
        2,
    )
    items = checklist_items(html)
    assert items == {
        0: "Couper l'alimentation",
        1: "Appeler le client",
        2: "Purger <script>x</script>",
    }
    shown = ticked_items(items, [2, 0, 9])
    assert [(i.number, i.ticked) for i in shown] == [(0, True), (1, False), (2, True)]


def test_a_page_counts_as_its_gzip_the_way_the_phone_stores_it() -> None:
    html = "<!doctype html><main>" + render_markdown(procedure_markdown(random.Random(3), 1), 1, 1)
    stored = stored_bytes(html)
    # zlib's default level, as CompressionStream("gzip") in Chromium (README: measured equal).
    assert stored == len(gzip.compress(html.encode(), compresslevel=6, mtime=0))
    # Varied text: gzip keeps it between a third and a half of the page, not a tenth.
    assert len(html.encode()) / 3 < stored < len(html.encode()) / 2
