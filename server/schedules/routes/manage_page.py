"""The manager's schedule page as every manage handler renders it: the whole page, or one of
its cards with a refusal for htmx; what a redirect after a write leads to."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from litestar import Response
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.team_scope import managed_teams
from server.db import Database
from server.schedules.planning import planning
from server.schedules.store import list_rotations
from server.teams.models import Team
from server.teams.store import members


def created_summary(request: HTMXRequest, db: Database, team: Team) -> dict | None:
    """What the confirmation of a saved rotation says: how many drafts it made, and the
    order kept when two people were given the same position."""
    params = request.query_params
    if params.get("done") not in ("rotation", "rotation-created"):
        return None
    created = {"drafts": None, "order": None}
    with contextlib.suppress(ValueError):
        created["drafts"] = int(params.get("drafts", ""))
    if params.get("renumbered"):
        rotation = next(
            (r for r in list_rotations(db, team.id) if str(r.id) == params["renumbered"]),
            None,
        )
        if rotation:
            names = {m.user_id: m.name for m in members(db, team.id)}
            created["order"] = [names.get(u, "?") for u in rotation.spec.participants]
            created["rotation_id"] = rotation.id
    return created


def manage_context(
    request: HTMXRequest,
    db: Database,
    team: Team,
    now: datetime,
    first: date | None = None,
    **extra,
) -> dict:
    """The page's context; `extra` (a refusal, what was typed) wins over the defaults."""
    return {
        "area": "schedule",
        "teams": managed_teams(request, db),
        **planning(db, team, now, first),
        "done": request.query_params.get("done"),
        "created": created_summary(request, db, team),
        **extra,
    }


def form_values(raw, *names: str) -> dict:
    """What the person typed, to show it again beside the error (a ticked box stays ticked)."""
    values = {name: str(raw.get(name, "")) for name in names}
    values["exceptional"] = raw.get("exceptional") == "true"
    return values


def card_response(request: HTMXRequest, partial: str, context: dict, status: int) -> Template:
    """A refused form comes back in its card: the card alone for htmx, which swaps it in place,
    the whole page otherwise (the form's address ends with the card's #anchor, so the browser
    shows it; the error box has autofocus in both cases)."""
    if request.htmx:
        return Template(partial, context=context, status_code=status)
    return Template("schedules/manage.html", context=context, status_code=status)


def done_response(request: HTMXRequest, location: str) -> Response:
    """After a write: a plain form is redirected (post/redirect/get); htmx loads the page."""
    if request.htmx:
        return Response(content="", status_code=200, headers={"HX-Redirect": location})
    return Redirect(location, status_code=303)
