"""Training pages: a team's sessions (and their CSV) and a new session for its managers; a
session's page with its measured effect, its edit form and deletion; a person's training
history (their own at /training). Plain forms (POST then redirect); who may do what is in
access.py."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.auth.actor import actor_of
from server.auth.guards import requires_login, requires_manager
from server.db import Database
from server.deps import Db, Now
from server.errors import InvalidInput
from server.teams.models import Team
from server.teams.store import get_team
from server.training import access, store, workflow
from server.training.effect import attendee_effect, session_effect
from server.training.export import csv_name, sessions_csv
from server.training.models import KINDS, TrainingSession
from server.training.rules import windows
from server.training.texts import page_helpers


def session_url(session_id: int) -> str:
    return f"/training/{session_id}"


def _today(now: datetime, team: Team) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


async def _form(request: Request) -> tuple[dict, list[str]]:
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if not key.startswith("_")}
    return values, [str(value) for value in form.getall("attendees", [])]


def form_context(
    request: Request,
    db: Database,
    team: Team,
    session: TrainingSession | None = None,
    **extra,
) -> dict:
    """What the new/edit form needs: whom the writer may name (and the session's attendees
    from teams they do not manage, who stay), the kinds and the catalogue."""
    people = access.nameable(db, request.user)
    if session is not None:
        named = {p["user_id"] for p in people}
        people += [
            {"user_id": a.user_id, "name": a.name, "team_id": None, "team_name": ""}
            for a in session.attendees
            if a.user_id not in named
        ]
    # One line per person in the trainer's list (the attendees' lists them under each team).
    trainers = {p["user_id"]: p for p in people}
    return {
        "area": "team",
        "team": team,
        "session": session,
        "people": people,
        "trainers": sorted(trainers.values(), key=lambda p: (p["name"].lower(), p["user_id"])),
        "kinds": KINDS,
        "qualifications": store.qualification_catalogue(db),
        **page_helpers(),
        **extra,
    }


def _error_page(request, db, team, session, error: InvalidInput, values, chosen) -> Template:
    context = form_context(
        request,
        db,
        team,
        session,
        error=error.message,
        error_field=error.field,
        values=values,
        chosen=chosen,
    )
    return Template("training/form.html", context=context, status_code=error.status)


class TeamTrainingController(Controller):
    """A team's training, for its managers (and administrators)."""

    include_in_schema = False
    guards = [requires_manager]
    path = "/teams/{team_id:int}"

    @get(["/training", "/training.csv"])
    async def sessions(self, request: Request, db: Db, team_id: FromPath[int]) -> Response:
        team = access.readable_team(db, request.user, team_id)
        found = store.team_sessions(db, team.id)
        if request.url.path.endswith(".csv"):
            return Response(
                content=sessions_csv(found),
                media_type="text/csv",
                headers={"content-disposition": f'attachment; filename="{csv_name(team)}"'},
            )
        context = {"area": "team", "team": team, "sessions": found, **page_helpers()}
        return Template("training/list.html", context=context)

    @get("/training/new")
    async def new(self, request: Request, db: Db, team_id: FromPath[int]) -> Template:
        team = access.writable_team(db, request.user, team_id)
        return Template("training/form.html", context=form_context(request, db, team))

    @post("/training/new")
    async def create(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        now = clock.now()
        team = access.writable_team(db, request.user, team_id)
        values, chosen = await _form(request)
        people = {p["user_id"] for p in access.nameable(db, request.user)}
        try:
            created = workflow.create_session(
                db,
                team.id,
                values,
                chosen,
                people=people,
                today=_today(now, team),
                actor=actor_of(request),
                now=now,
            )
        except InvalidInput as error:
            return _error_page(request, db, team, None, error, values, chosen)
        return Redirect(f"{session_url(created.id)}?done=created", status_code=303)


class TrainingController(Controller):
    """A session's page and its writes; a person's training history."""

    include_in_schema = False
    guards = [requires_login]
    path = "/training"

    @get("/")
    async def mine(self, request: Request, db: Db, clock: Now) -> Template:
        return self._history(request, db, clock.now(), request.user.id, own=True)

    @get("/people/{user_id:int}")
    async def person(
        self, request: Request, db: Db, clock: Now, user_id: FromPath[int]
    ) -> Template:
        return self._history(request, db, clock.now(), user_id, own=user_id == request.user.id)

    def _history(
        self, request: Request, db: Database, now: datetime, user_id: int, *, own: bool
    ) -> Template:
        person = access.readable_person(db, request.user, user_id)
        lines = []
        for session in store.person_sessions(db, user_id):
            me = next(a for a in session.attendees if a.user_id == user_id)
            _before, (_first, last) = windows(session.held_on)
            partial = now.astimezone(ZoneInfo(person["timezone"])).date() <= last
            lines.append((session, attendee_effect(db, session, me, now), partial))
        context = {
            "area": "figures" if own else "team",
            "person": person,
            "own": own,
            "lines": lines,
            **page_helpers(),
        }
        return Template("training/person.html", context=context)

    @get("/{session_id:int}")
    async def show(
        self, request: Request, db: Db, clock: Now, session_id: FromPath[int]
    ) -> Template:
        me = request.user
        session = access.readable_session(db, me, session_id)
        team = get_team(db, session.team_id)
        shown = [a for a in session.attendees if access.sees_figures(me, a)]
        holdings = store.current_holdings(db, [a.user_id for a in session.attendees])
        context = {
            "area": "team",
            "session": session,
            "team": team,
            "effect": session_effect(db, session, shown, team.timezone, clock.now()),
            "can_write": me.manages(session.team_id),
            "holdings": holdings,
            "done": request.query_params.get("done"),
            **page_helpers(),
        }
        return Template("training/session.html", context=context)

    @get("/{session_id:int}/edit", guards=[requires_manager])
    async def edit_form(self, request: Request, db: Db, session_id: FromPath[int]) -> Template:
        session = access.writable_session(db, request.user, session_id)
        team = get_team(db, session.team_id)
        return Template("training/form.html", context=form_context(request, db, team, session))

    @post("/{session_id:int}/edit", guards=[requires_manager])
    async def edit(
        self, request: Request, db: Db, clock: Now, session_id: FromPath[int]
    ) -> Response:
        now = clock.now()
        session = access.writable_session(db, request.user, session_id)
        team = get_team(db, session.team_id)
        values, chosen = await _form(request)
        people = {p["user_id"] for p in access.nameable(db, request.user)}
        try:
            workflow.edit_session(
                db,
                session.id,
                values,
                chosen,
                people=people,
                today=_today(now, team),
                actor=actor_of(request),
                now=now,
            )
        except InvalidInput as error:
            return _error_page(request, db, team, session, error, values, chosen)
        return Redirect(f"{session_url(session.id)}?done=saved", status_code=303)

    @post("/{session_id:int}/delete", guards=[requires_manager])
    async def delete(
        self, request: Request, db: Db, clock: Now, session_id: FromPath[int]
    ) -> Redirect:
        session = access.writable_session(db, request.user, session_id)
        workflow.delete_session(db, session.id, actor=actor_of(request), now=clock.now())
        return Redirect(f"/teams/{session.team_id}/training?done=deleted", status_code=303)
