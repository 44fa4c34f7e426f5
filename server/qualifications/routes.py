"""Qualifications' pages: the catalogue (admins change it, managers read it), a person's
holdings and certificates (the person and their managers), the team matrix and its CSV, and
the qualifications a team's rotations require."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.auth.actor import actor_of
from server.auth.guards import requires_admin, requires_login, requires_manager
from server.auth.team_scope import MANAGED_TEAM, ManagedTeam, managed_teams
from server.db import Database
from server.deps import Config, Db, Now
from server.errors import DomainError, Forbidden, InvalidInput, NotFound
from server.i18n import gettext as _
from server.qualifications import documents, matrix, store, workflow
from server.qualifications.models import EXPIRING_WITHIN_DAYS, Holding, QualificationForm
from server.teams.store import members, memberships_by_user
from server.web import describe_validation

# The upload route's own body limit (the certificate's limit is a setting, checked in the
# handler with a clear message; this only keeps a runaway body out).
UPLOAD_BODY_LIMIT = 64_000_000


def _manages_person(db: Database, request: Request, user_id: int) -> bool:
    me = request.user
    if me.is_admin:
        return True
    teams = memberships_by_user(db, [user_id]).get(user_id, [])
    return any(me.manages(team_id) for team_id, _role in teams)


def _may_see_person(db: Database, request: Request, user_id: int) -> bool:
    return request.user.id == user_id or _manages_person(db, request, user_id)


def _person(db: Database, request: Request, user_id: int) -> str:
    """The person's name, for someone who may see their qualifications; 403 otherwise (a
    stranger learns nothing of whether the person exists)."""
    if not _may_see_person(db, request, user_id):
        raise Forbidden(_("You may only see your own qualifications or your team's."))
    name = store.person_name(db, user_id)
    if name is None:
        raise NotFound(_("This person does not exist."))
    return name


def _holding(db: Database, request: Request, holding_id: int, *, manage: bool) -> Holding:
    holding = store.get_holding(db, holding_id)
    allowed = _manages_person if manage else _may_see_person
    if not allowed(db, request, holding.user_id):
        raise Forbidden(_("Only the person's managers can change this record."))
    return holding


def _day(value: object, field: str, *, required: bool) -> date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise InvalidInput(_("Please give the date."), field=field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("Please check the dates."), field=field) from None


class CatalogueController(Controller):
    include_in_schema = False
    path = "/qualifications"
    guards = [requires_manager]

    def _context(self, request: Request, db: Database, **extra) -> dict:
        return {
            "area": "team",
            "qualifications": store.catalogue(db),
            "editable": request.user.is_admin,
            "done": request.query_params.get("done"),
            **extra,
        }

    @get("/")
    async def index(self, request: Request, db: Db) -> Template:
        return Template("qualifications/catalogue.html", context=self._context(request, db))

    async def _save(self, request: Request, db: Database, clock, qualification_id: int):
        raw = await request.form()
        if not str(raw.get("validity_months", "")).strip():
            # Empty validity: the qualification does not expire.
            form_data = {k: v for k, v in raw.items() if k != "validity_months"}
        else:
            form_data = dict(raw.items())
        try:
            form = _convert(form_data)
            workflow.save_qualification(
                db,
                form,
                qualification_id=qualification_id,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            context = self._context(request, db, error=error.message, values=dict(raw.items()))
            return Template(
                "qualifications/catalogue.html", context=context, status_code=error.status
            )
        return Redirect("/qualifications?done=saved", status_code=303)

    @post("/", guards=[requires_admin])
    async def add(self, request: Request, db: Db, clock: Now) -> Response:
        return await self._save(request, db, clock, 0)

    @post("/{qualification_id:int}", guards=[requires_admin])
    async def change(
        self, request: Request, qualification_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        store.get_qualification(db, qualification_id)
        return await self._save(request, db, clock, qualification_id)

    @post("/{qualification_id:int}/delete", guards=[requires_admin])
    async def remove(
        self,
        request: Request,
        qualification_id: FromPath[int],
        db: Db,
        clock: Now,
        settings: Config,
    ) -> Response:
        workflow.delete_qualification(
            db,
            qualification_id,
            data_dir=settings.data_path,
            actor=actor_of(request),
            now=clock.now(),
        )
        return Redirect("/qualifications?done=deleted", status_code=303)


def _convert(data: dict) -> QualificationForm:
    allowed = set(QualificationForm.__struct_fields__)
    try:
        return msgspec.convert(
            {k: v for k, v in data.items() if k in allowed}, QualificationForm, strict=False
        )
    except msgspec.ValidationError as error:
        message, field = describe_validation(error)
        raise InvalidInput(message, field=field) from None


class HoldingsController(Controller):
    include_in_schema = False
    path = "/qualifications"
    guards = [requires_login]

    def _context(self, request: Request, db: Database, user_id: int, name: str, **extra) -> dict:
        return {
            "area": "team",
            "person_id": user_id,
            "person_name": name,
            "holdings": store.holdings_of(db, user_id),
            "catalogue": store.catalogue(db),
            "manages": _manages_person(db, request, user_id),
            "mine": request.user.id == user_id,
            "done": request.query_params.get("done"),
            **extra,
        }

    @get("/people/{user_id:int}")
    async def person(self, request: Request, user_id: FromPath[int], db: Db) -> Template:
        name = _person(db, request, user_id)
        return Template(
            "qualifications/person.html", context=self._context(request, db, user_id, name)
        )

    @post("/people/{user_id:int}")
    async def record(
        self, request: Request, user_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        name = _person(db, request, user_id)
        if not _manages_person(db, request, user_id):
            raise Forbidden(_("Only the person's managers record their qualifications."))
        raw = await request.form()
        try:
            qualification = str(raw.get("qualification_id", ""))
            if not qualification.isdigit():
                raise InvalidInput(_("Choose a qualification."), field="qualification_id")
            store.get_qualification(db, int(qualification))
            obtained = _day(raw.get("obtained_on"), "obtained_on", required=True)
            expires = _day(raw.get("expires_on"), "expires_on", required=False)
            workflow.save_holding(
                db,
                user_id,
                int(qualification),
                obtained,
                expires,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            context = self._context(
                request, db, user_id, name, error=error.message, values=dict(raw.items())
            )
            return Template("qualifications/person.html", context=context, status_code=error.status)
        return Redirect(f"/qualifications/people/{user_id}?done=saved", status_code=303)

    @post("/holdings/{holding_id:int}/document", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(
        self,
        request: Request,
        holding_id: FromPath[int],
        db: Db,
        clock: Now,
        settings: Config,
    ) -> Response:
        """The person or their managers add the certificate (the person's counts at once; the
        managers see it on the matrix's person page and the audit log says who added it)."""
        holding = _holding(db, request, holding_id, manage=False)
        form = await request.form()
        upload = form.get("document")
        try:
            if not isinstance(upload, UploadFile):
                raise InvalidInput(_("Choose a file (PDF, JPEG or PNG)."), field="document")
            content = await upload.read()
            workflow.attach_document(
                db,
                holding,
                content,
                upload.filename or "",
                data_dir=settings.data_path,
                max_bytes=settings.document_max_bytes,
                margin=settings.document_free_margin_bytes,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            name = _person(db, request, holding.user_id)
            context = self._context(request, db, holding.user_id, name, error=error.message)
            return Template("qualifications/person.html", context=context, status_code=error.status)
        return Redirect(f"/qualifications/people/{holding.user_id}?done=document", status_code=303)

    @get("/holdings/{holding_id:int}/document")
    async def document(
        self, request: Request, holding_id: FromPath[int], db: Db, settings: Config
    ) -> Response:
        holding = _holding(db, request, holding_id, manage=False)
        relative = store.document_path(db, holding.id)
        if not relative:
            raise NotFound(_("This record has no document."))
        path = documents.resolve(settings.data_path, relative)
        if not path.exists():
            raise NotFound(_("This record has no document."))
        name = (holding.document_name or path.name).replace('"', "")
        ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
        return Response(
            content=path.read_bytes(),
            media_type=holding.document_type or "application/octet-stream",
            headers={
                "content-disposition": f'attachment; filename="{ascii_name}"',
                "x-content-type-options": "nosniff",
                "cache-control": "private, no-store",
            },
        )

    @post("/holdings/{holding_id:int}/delete")
    async def delete(
        self, request: Request, holding_id: FromPath[int], db: Db, clock: Now, settings: Config
    ) -> Response:
        holding = _holding(db, request, holding_id, manage=True)
        workflow.delete_holding(
            db, holding, data_dir=settings.data_path, actor=actor_of(request), now=clock.now()
        )
        return Redirect(f"/qualifications/people/{holding.user_id}?done=deleted", status_code=303)


class TeamQualificationsController(Controller):
    """The team matrix, its CSV, and what its rotations require: the team's managers."""

    include_in_schema = False
    path = "/qualifications/team"
    guards = [requires_manager]
    dependencies = MANAGED_TEAM

    def _matrix(self, db: Database, chosen, today: date) -> matrix.Matrix:
        people = [(m.user_id, m.name) for m in members(db, chosen.id) if m.active]
        return matrix.build(
            people,
            store.catalogue(db),
            store.team_holdings(db, chosen.id),
            store.team_requirements(db, chosen.id),
            today,
        )

    @get("/")
    async def index(self, request: Request, db: Db, clock: Now, chosen: ManagedTeam) -> Template:
        today = clock.now().astimezone(ZoneInfo(chosen.timezone)).date()
        return Template(
            "qualifications/team.html",
            context={
                "area": "team",
                "team": chosen,
                "teams": managed_teams(request, db),
                "matrix": self._matrix(db, chosen, today),
                "window": EXPIRING_WITHIN_DAYS,
                "catalogue": store.catalogue(db),
                "rotations": store.team_rotations(db, chosen.id),
                "needed": store.rotation_pairs(db, chosen.id),
                "done": request.query_params.get("done"),
            },
        )

    @get("/csv")
    async def csv(self, db: Db, clock: Now, chosen: ManagedTeam) -> Response:
        today = clock.now().astimezone(ZoneInfo(chosen.timezone)).date()
        text = matrix.to_csv(self._matrix(db, chosen, today))
        return Response(
            content="\ufeff" + text,  # a BOM, so spreadsheet software reads UTF-8 accents
            media_type="text/csv",
            headers={
                "content-disposition": (
                    f'attachment; filename="qualifications-{chosen.id}-{today}.csv"'
                )
            },
        )

    @post("/rotations")
    async def rotations(
        self, request: Request, db: Db, clock: Now, chosen: ManagedTeam
    ) -> Response:
        form = await request.form()
        pairs = []
        for key in form:
            kind, _sep, rest = key.partition(":")
            qualification, _sep, rotation = rest.partition(":")
            if kind == "rotation" and qualification.isdigit() and rotation.isdigit():
                pairs.append((int(qualification), int(rotation)))
        workflow.set_rotation_requirements(
            db, chosen.id, pairs, actor=actor_of(request), now=clock.now()
        )
        return Redirect(f"/qualifications/team?team={chosen.id}&done=saved", status_code=303)


HANDLERS = [CatalogueController, HoldingsController, TeamQualificationsController]
