"""Pure rules of the procedures a phone keeps offline: which first, how many fit the phone's
budget, and what a checklist ticked against a version says (README, "Procedures offline")."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping, Sequence
from html.parser import HTMLParser

from server.models import Value

# The phone stores each kept page gzipped by the browser's CompressionStream("gzip"): zlib's
# deflate at its default level (6) with a 10-byte header and an 8-byte trailer, as Python's
# gzip module writes it. Measured on 200 kept pages of 1.5 to 31 KB (README, "Procedures
# offline"), Chromium 156's copy was exactly the size of Python's level 6 (zlib 1.2.13) for
# every page, so the margin is 0 (levels 5, 7 and 9 would each count some pages 2, 11 or 19
# bytes short of what the phone stores).
# Another zlib could pick other matches: the phone also checks the bytes it really stores
# against the budget and leaves out a page that would go over (service_worker/procedures.js).
STORED_LEVEL = 6
STORED_MARGIN = 0


def stored_bytes(html: str) -> int:
    """The bytes a kept page takes on the phone: its gzip, as the phone compresses it."""
    return len(gzip.compress(html.encode(), compresslevel=STORED_LEVEL, mtime=0)) + STORED_MARGIN


class KeptPage(Value, kw_only=True):
    """A procedure's page as the phone would keep it: its size is what the phone stores of
    it (the page gzipped, `stored_bytes`), in bytes."""

    id: int
    team_id: int
    version: int
    title: str
    updated_at: str
    bytes: int


def order_for_phone(pages: Iterable[KeptPage], served: Sequence[int]) -> list[KeptPage]:
    """The order the phone keeps them in: first the procedures serving the person's recent
    alerts (`served`: procedure ids, the newest alert's best match first), then the others,
    most recently changed first (ties by id, so the order is stable)."""
    rank = {}
    for position, procedure_id in enumerate(served):
        rank.setdefault(procedure_id, position)
    matched = sorted((p for p in pages if p.id in rank), key=lambda p: rank[p.id])
    others = sorted(
        (p for p in pages if p.id not in rank), key=lambda p: (p.updated_at, p.id), reverse=True
    )
    return matched + others


def keep_within(ordered: Iterable[KeptPage], budget: int) -> tuple[list[KeptPage], int]:
    """The pages kept in that order while they fit the budget; one too big for what is left is
    passed over (a long procedure does not keep the short ones after it off the phone). Returns
    the kept pages and how many were left out."""
    kept: list[KeptPage] = []
    used = 0
    left_out = 0
    for page in ordered:
        if used + page.bytes <= budget:
            kept.append(page)
            used += page.bytes
        else:
            left_out += 1
    return kept, left_out


class _Items(HTMLParser):
    """The text of each checklist item of a rendered procedure, by its data-item number."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: dict[int, list[str]] = {}
        self.current: int | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.current is not None and tag == "li":
            self.depth += 1
        if tag == "input":
            found = dict(attrs).get("data-item")
            if found is not None and found.isdigit():
                self.current = int(found)
                self.depth = 0
                self.items[self.current] = []

    def handle_endtag(self, tag: str) -> None:
        if self.current is None or tag != "li":
            return
        if self.depth:
            self.depth -= 1
        else:
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.items[self.current].append(data)


def checklist_items(html: str) -> dict[int, str]:
    """{item number: its text} of a procedure's rendered checklists."""
    parser = _Items()
    parser.feed(html)
    return {n: " ".join("".join(parts).split()) for n, parts in parser.items.items()}


class TickedItem(Value, kw_only=True):
    number: int
    text: str
    ticked: bool


def ticked_items(items: Mapping[int, str], ticked: Iterable[int]) -> list[TickedItem]:
    """Every item of the version's checklists, each with whether it was ticked; a number the
    version does not have (a phone's mistake) is left out."""
    chosen = set(ticked)
    return [TickedItem(number=n, text=items[n], ticked=n in chosen) for n in sorted(items)]
