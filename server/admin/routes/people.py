"""People pages (/people): admins manage everyone; managers add and invite people to the teams
they manage."""

from __future__ import annotations

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup

from server.accounts.access import check_may_reset, person_in_reach, reachable_ids
from server.accounts.memberships import add_person
from server.accounts.models import User, UserForm
from server.accounts.rules import may_reset
from server.accounts.store import create_invitation, list_users, update_user
from server.auth.actor import actor_of
from server.auth.guards import requires_manager
from server.auth.team_scope import managed_teams
from server.db import Database
from server.deps import Config, Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.i18n.timezones import timezone_choices
from server.settings import Settings
from server.statements.wages import wage_context
from server.teams.store import teams_of
from server.web import read_form


def qr_svg(text: str) -> Markup:
    """The invitation link as an inline SVG QR code, scanned phone to phone."""
    qr = segno.make(text, error="m")
    svg = qr.svg_inline(scale=5, dark="#000", light="#fff", border=2, omitsize=False)
    return Markup(svg)


class PeopleController(Controller):
    include_in_schema = False
    path = "/people"
    guards = [requires_manager]

    def _form_context(self, request: Request, db: Database, **extra) -> dict:
        person = extra.get("person")
        return {
            "area": "team",
            "can_reset": person is not None and may_reset(request.user, person.has_password),
            "teams": managed_teams(request, db),
            "timezones": timezone_choices(),
            **extra,
        }

    @get("/")
    async def index(self, request: Request, db: Db) -> Template:
        me = request.user
        people = list_users(db, None if me.is_admin else list(me.managed_team_ids))
        context = {"area": "team", "people": people, "reachable": reachable_ids(db, me, people)}
        return Template("admin/people.html", context=context)

    @get("/new")
    async def new(self, request: Request, db: Db) -> Template:
        # `?team=ID`, from a team just created: that team is chosen already.
        team = request.query_params.get("team", "")
        values = {"team_id": team} if team.isdigit() else {}
        context = self._form_context(request, db, person=None, values=values)
        return Template("admin/person_form.html", context=context)

    @post("/new")
    async def create(self, request: Request, db: Db, clock: Now, settings: Config) -> Response:
        me = request.user
        raw = await request.form()
        team_id = str(raw.get("team_id", ""))
        try:
            form = await read_form(request, UserForm)
            if not me.is_admin and form.role != "staff":
                raise InvalidInput(_("Only an administrator can give this role."), field="role")
            team = int(team_id) if team_id.isdigit() else None
            if team is None and not me.is_admin:
                raise InvalidInput(_("Choose the team this person joins."), field="team_id")
            if team is not None and not me.manages(team):
                raise InvalidInput(
                    _("You can only add people to the teams you manage."), field="team_id"
                )
        except InvalidInput as error:
            context = self._form_context(
                request, db, person=None, values=dict(raw), error=error.message
            )
            return Template("admin/person_form.html", context=context, status_code=400)
        # The invitation is made with the person: its link is shown at once rather than behind
        # another button.
        user, token = add_person(
            db,
            form,
            team,
            actor=actor_of(request),
            now=clock.now(),
            invitation_hours=settings.invitation_hours,
        )
        joined = next((t for t in managed_teams(request, db) if t.id == team), None)
        return self._invitation_page(user, token, settings, created=True, team=joined)

    def _invitation_page(self, person: User, token: str, settings: Settings, **extra) -> Template:
        # Rendered as the answer to the POST that made the token: only its hash is stored, so
        # no later GET could show the link again (a new one is one tap away on the person).
        link = f"{settings.public_url}/invite/{token}"
        return Template(
            "admin/invitation.html",
            context={
                "area": "team",
                "person": person,
                "link": link,
                "qr": qr_svg(link),
                "hours": settings.invitation_hours,
                **extra,
            },
        )

    @get("/{user_id:int}")
    async def show(self, request: Request, user_id: FromPath[int], db: Db) -> Template:
        person = person_in_reach(db, request.user, user_id)
        context = self._form_context(
            request,
            db,
            person=person,
            values=person,
            memberships=teams_of(db, user_id),
            **wage_context(db, request.user, user_id),
        )
        return Template("admin/person_form.html", context=context)

    @post("/{user_id:int}")
    async def update(
        self, request: Request, user_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        person = person_in_reach(db, request.user, user_id)
        raw = await request.form()
        try:
            form = await read_form(request, UserForm)
            if not request.user.is_admin and form.role != person.role:
                raise InvalidInput(_("Only an administrator can give this role."), field="role")
            if person.id == request.user.id and (form.role != person.role or not form.active):
                raise InvalidInput(
                    _("You cannot change your own role or deactivate yourself."), field="role"
                )
        except InvalidInput as error:
            context = self._form_context(
                request,
                db,
                person=person,
                values=dict(raw),
                error=error.message,
                memberships=teams_of(db, user_id),
            )
            return Template("admin/person_form.html", context=context, status_code=400)
        update_user(db, user_id, form, actor=actor_of(request), now=clock.now())
        return Redirect(f"/people/{user_id}?done=saved", status_code=303)

    @post("/{user_id:int}/invitation")
    async def invite(
        self, request: Request, user_id: FromPath[int], db: Db, clock: Now, settings: Config
    ) -> Template:
        person = person_in_reach(db, request.user, user_id)
        check_may_reset(request.user, person)
        if not person.active:
            raise InvalidInput(_("This person is deactivated: activate them before inviting them."))
        token = create_invitation(
            db, user_id, actor=actor_of(request), now=clock.now(), hours=settings.invitation_hours
        )
        return self._invitation_page(person, token, settings)
