"""The procedures a phone keeps for reading offline (README, "Procedures offline"): the
manifest says which, in what order and of what size, within the phone's budget; the pages are
sent in bundles, each the procedure's page as the phone will show it at /procedures/{id}."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import msgspec
from markupsafe import escape

from server.accounts.models import CurrentUser
from server.db import Database
from server.models import Value
from server.procedures.offline_rules import KeptPage, keep_within, order_for_phone, stored_bytes
from server.procedures.rendering import render_markdown
from server.procedures.rules import alert_facts, order_matches
from server.procedures.store import offline as store

# Alerts raised this recently (or still open) have their procedures kept first, and linked
# from the intervention form offline.
RECENT_DAYS = 14
# Pages sent in one bundle at most: a phone asks for the changed ones in a few round trips
# (the latency of a slow network costs more than the bytes).
BUNDLE_MAX = 100

# Where a kept page's own parts go in the frame rendered once per request.
TITLE_SLOT = "<!--astreinte:procedure-title-->"
VERSION_SLOT = "<!--astreinte:procedure-version-->"
BODY_SLOT = "<!--astreinte:procedure-body-->"
TEAM_SLOT = "astreinte-procedure-team"  # in an href, replaced by the team's id


class ManifestEntry(Value, kw_only=True):
    id: int
    version: int
    title: str
    team_id: int
    bytes: int
    url: str


class Manifest(Value, kw_only=True):
    """GET /api/v1/me/procedures: what the phone keeps, best first; `version` is the ETag."""

    version: str
    budget: int
    bytes: int
    left_out: int
    procedures: tuple[ManifestEntry, ...]
    # The recent alerts' matching procedures, best first, by alert id (the form offline).
    alerts: dict[str, list[int]]


class KeptPageHtml(Value, kw_only=True):
    id: int
    version: int
    # What the phone stores of it (gzipped), as counted in the manifest; `html` is the page.
    bytes: int
    html: str


class Bundle(Value, kw_only=True):
    pages: tuple[KeptPageHtml, ...]


# frame: the page around a procedure, rendered once per request with the slots above.
Frame = Callable[[], str]


def page_html(frame: str, row: dict) -> str:
    """A procedure's kept page: the frame with its title, version and rendered text."""
    body = render_markdown(row["body"], row["id"], row["version"])
    # The frame's slots first, the procedure's own text (which may quote them) last.
    return (
        frame.replace(TEAM_SLOT, str(row["team_id"]))
        .replace(VERSION_SLOT, str(row["version"]))
        .replace(TITLE_SLOT, str(escape(row["title"])))
        .replace(BODY_SLOT, body)
    )


def _served(database: Database, texts: list[dict], team_ids, now: datetime) -> dict[str, list]:
    """{alert id: its matching procedures, best first} for the person's recent alerts."""
    alerts = store.recent_alerts(database, team_ids, now - timedelta(days=RECENT_DAYS))
    if not alerts:
        return {}
    tags = store.tags_of(database, [row["id"] for row in texts])
    by_team: dict[int, list[dict]] = {}
    for row in texts:
        by_team.setdefault(row["team_id"], []).append(row)
    served = {}
    for alert in alerts:
        facts = alert_facts(alert["source"], alert["labels"], alert["client_id"], alert["site_id"])
        candidates = [
            (row["id"], tags[row["id"]], row["title"]) for row in by_team.get(alert["team_id"], [])
        ]
        found = order_matches(candidates, facts)
        if found:
            served[str(alert["id"])] = found
    return served


def manifest(
    database: Database, user: CurrentUser, frame: str, budget: int, now: datetime
) -> Manifest:
    # The person's own teams (admins' too): what they are called out for.
    texts = store.current_texts(database, user.team_ids)
    served = _served(database, texts, user.team_ids, now)
    pages = [
        KeptPage(
            id=row["id"],
            team_id=row["team_id"],
            version=row["version"],
            title=row["title"],
            updated_at=row["updated_at"],
            bytes=stored_bytes(page_html(frame, row)),
        )
        for row in texts
    ]
    first = [procedure for found in served.values() for procedure in found]
    kept, left_out = keep_within(order_for_phone(pages, first), budget)
    kept_ids = {page.id for page in kept}
    alerts = {
        alert: [p for p in found if p in kept_ids]
        for alert, found in served.items()
        if any(p in kept_ids for p in found)
    }
    entries = tuple(
        ManifestEntry(
            id=p.id,
            version=p.version,
            title=p.title,
            team_id=p.team_id,
            bytes=p.bytes,
            url=f"/procedures/{p.id}",
        )
        for p in kept
    )
    # The version says what the phone must fetch or drop: which procedures, at which version,
    # and the alerts they serve; a page's size moving with the frame's counts is not a change.
    digest = hashlib.sha256(
        msgspec.json.encode(([(e.id, e.version) for e in entries], alerts, left_out, budget))
    ).hexdigest()[:32]
    return Manifest(
        version=digest,
        budget=budget,
        bytes=sum(e.bytes for e in entries),
        left_out=left_out,
        procedures=entries,
        alerts=alerts,
    )


def bundle(database: Database, user: CurrentUser, frame: str, ids: list[int]) -> Bundle:
    """The pages of these procedures that are the person's teams'; others are left out."""
    wanted = set(ids)
    rows = [row for row in store.current_texts(database, user.team_ids) if row["id"] in wanted]
    pages = []
    for row in rows:
        html = page_html(frame, row)
        pages.append(
            KeptPageHtml(id=row["id"], version=row["version"], bytes=stored_bytes(html), html=html)
        )
    return Bundle(pages=tuple(pages))
