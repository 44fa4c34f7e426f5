"""The clients' pages: a team's list and search, a new client, the CSV export and import; a
client's page with its timeline, the edit form (sites and numbers inline), a site's deletion,
"do not ask me again" and the erasure of its personal data. Members read, managers write
(access.py); every form also works without JavaScript (POST then redirect)."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.actor import actor_of
from server.auth.guards import requires_login
from server.clients import access, workflow
from server.clients.csv import COLUMNS, export_csv, import_clients
from server.clients.models import Client
from server.clients.phones import for_display
from server.clients.rules import (
    PhoneInput,
    SiteInput,
    client_input,
    phone_input,
    site_input,
    unique_numbers,
)
from server.clients.store import clients as store
from server.clients.store.timeline import PAGE, client_timeline
from server.deps import Db, Now
from server.errors import DomainError, InvalidInput
from server.i18n import gettext as _
from server.teams.models import Team

MAX_ROWS = 50  # sites or numbers one form may carry
BLANK_PHONES, BLANK_SITES = 2, 1
MAX_IMPORT_BYTES = 5_000_000


def client_url(client_id: int) -> str:
    return f"/clients/{client_id}"


def display_name(client: Client) -> str:
    return _("Erased client %(id)s", id=client.name) if client.erased else client.name


HELPERS = {"for_display": for_display, "display_name": display_name}


def _values(form) -> dict[str, str]:
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


def read_client_form(
    values: dict[str, str],
) -> tuple:
    """(client, sites, numbers, version) of the client form; InvalidInput naming the field."""
    data = client_input(values)
    sites: list[SiteInput] = []
    phones: list[PhoneInput] = []
    for index in range(MAX_ROWS):
        site = site_input(values, f"site_{index}_", with_access=True)
        if site is not None:
            sites.append(site)
        phone = phone_input(values, f"phone_{index}_")
        if phone is not None:
            phones.append(phone)
    raw_version = values.get("version", "").strip()
    version = int(raw_version) if raw_version.isdigit() else None
    return data, sites, unique_numbers(phones), version


def _form_context(team: Team, client: Client | None, **extra) -> dict:
    return {
        "area": "team",
        "team": team,
        "client": client,
        "blank_phones": BLANK_PHONES,
        "blank_sites": BLANK_SITES,
        **HELPERS,
        **extra,
    }


def _form_refused(team: Team, client: Client | None, values: dict, error: DomainError) -> Template:
    """The form again with what was typed and why it was refused."""
    context = _form_context(
        team, client, values=values, error=error.message, error_field=error.field
    )
    return Template("clients/form.html", context=context, status_code=error.status)


def _erase_page(client: Client, error: str | None = None, status: int = 200) -> Template:
    context = {"area": "team", "client": client, "error": error, **HELPERS}
    return Template("clients/erase.html", context=context, status_code=status)


class TeamClientsController(Controller):
    """A team's clients: read by its members, written by its managers."""

    include_in_schema = False
    guards = [requires_login]
    path = "/teams/{team_id:int}"

    @get("/clients")
    async def index(
        self, request: HTMXRequest, db: Db, team_id: FromPath[int], q: FromQuery[str] = ""
    ) -> Template:
        """The team's clients by name, or those a search finds (htmx: the results alone)."""
        team = access.readable_team(db, request.user, team_id)
        query = q.strip()[:200]
        found = store.search(db, [team.id], query)
        context = {
            "area": "team",
            "team": team,
            "q": query,
            "clients": found,
            "limit": store.SEARCH_LIMIT,
            "can_write": request.user.manages(team.id),
            "done": request.query_params.get("done"),
            **HELPERS,
        }
        if request.htmx and request.htmx.target == "client-results":
            return Template("clients/_results.html", context=context)
        return Template("clients/list.html", context=context)

    @get("/clients/new")
    async def new_form(self, request: Request, db: Db, team_id: FromPath[int]) -> Template:
        team = access.writable_team(db, request.user, team_id)
        return Template("clients/form.html", context=_form_context(team, None, values={}))

    @post("/clients/new")
    async def create(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        team = access.writable_team(db, request.user, team_id)
        values = _values(await request.form())
        try:
            data, sites, phones, _version = read_client_form(values)
            created = workflow.create_client(
                db, team.id, data, sites, phones, actor=actor_of(request), now=clock.now()
            )
        except DomainError as error:
            return _form_refused(team, None, values, error)
        return Redirect(f"{client_url(created.id)}?done=created", status_code=303)

    @get("/clients.csv")
    async def export(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        """Every client and site of the team, one row per site; never the access details."""
        team = access.writable_team(db, request.user, team_id)
        day = clock.now().date().isoformat()
        return Response(
            content=export_csv(store.team_clients(db, team.id)),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="clients-{team.id}-{day}.csv"',
                "cache-control": "private, no-store",
            },
        )

    @get("/clients/import")
    async def import_form(self, request: Request, db: Db, team_id: FromPath[int]) -> Template:
        team = access.writable_team(db, request.user, team_id)
        return Template(
            "clients/import.html", context={"area": "team", "team": team, "columns": COLUMNS}
        )

    @post("/clients/import")
    async def import_file(
        self, request: Request, db: Db, clock: Now, team_id: FromPath[int]
    ) -> Response:
        """A CSV file, checked whole, then written in one transaction or not at all."""
        team = access.writable_team(db, request.user, team_id)
        form = await request.form()
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise InvalidInput(_("Choose a CSV file to import."), field="file")
            content = await upload.read()
            if len(content) > MAX_IMPORT_BYTES:
                raise InvalidInput(_("The file is too large (5 MB at most)."), field="file")
            created, updated = import_clients(
                db, team.id, content, actor=actor_of(request), now=clock.now()
            )
        except DomainError as error:
            context = {
                "area": "team",
                "team": team,
                "columns": COLUMNS,
                "errors": error.message.splitlines(),
            }
            return Template("clients/import.html", context=context, status_code=error.status)
        return Redirect(
            f"/teams/{team.id}/clients?done=imported&created={created}&updated={updated}",
            status_code=303,
        )


class ClientsController(Controller):
    """One client: its page for the team's members, its changes for the team's managers."""

    include_in_schema = False
    guards = [requires_login]
    path = "/clients/{client_id:int}"

    @get("/")
    async def show(
        self,
        request: Request,
        db: Db,
        client_id: FromPath[int],
        before: FromQuery[str | None] = None,
    ) -> Template:
        client = access.readable_client(db, request.user, client_id)
        since = _before(before)
        items = client_timeline(db, client.id, since)
        return Template(
            "clients/show.html",
            context={
                "area": "team",
                "client": client,
                "team_id": client.team_id,
                "items": items,
                "older": f"{items[-1].at:%Y-%m-%dT%H:%M:%SZ}~{items[-1].key}"
                if len(items) == PAGE
                else None,
                "can_write": request.user.manages(client.team_id),
                "done": request.query_params.get("done"),
                "zone": request.user.timezone,
                **HELPERS,
            },
        )

    @get("/edit")
    async def edit_form(self, request: Request, db: Db, client_id: FromPath[int]) -> Template:
        client = access.writable_client(db, request.user, client_id)
        team = access.writable_team(db, request.user, client.team_id)
        return Template("clients/form.html", context=_form_context(team, client, values=None))

    @post("/edit")
    async def edit(
        self, request: Request, db: Db, clock: Now, client_id: FromPath[int]
    ) -> Response:
        client = access.writable_client(db, request.user, client_id)
        values = _values(await request.form())
        try:
            data, sites, phones, version = read_client_form(values)
            workflow.update_client(
                db,
                client.id,
                version,
                data,
                sites,
                phones,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            team = access.writable_team(db, request.user, client.team_id)
            return _form_refused(team, store.get_client(db, client.id), values, error)
        return Redirect(f"{client_url(client.id)}?done=saved", status_code=303)

    @post("/sites/{site_id:int}/delete")
    async def delete_site(
        self, request: Request, db: Db, clock: Now, client_id: FromPath[int], site_id: FromPath[int]
    ) -> Redirect:
        client = access.writable_client(db, request.user, client_id)
        workflow.delete_site(db, client.id, site_id, actor=actor_of(request), now=clock.now())
        return Redirect(f"{client_url(client.id)}?done=site-deleted#sites", status_code=303)

    @post("/surveys")
    async def surveys(
        self, request: Request, db: Db, clock: Now, client_id: FromPath[int]
    ) -> Redirect:
        """ "Do not ask me again": set or lifted by a manager (the client may set it too)."""
        client = access.writable_client(db, request.user, client_id)
        values = _values(await request.form())
        flag = values.get("no_surveys", "") in ("1", "true", "on")
        workflow.set_no_surveys(db, client.id, flag, actor=actor_of(request), now=clock.now())
        return Redirect(f"{client_url(client.id)}?done=saved", status_code=303)

    @get("/erase")
    async def erase_form(self, request: Request, db: Db, client_id: FromPath[int]) -> Template:
        return _erase_page(access.writable_client(db, request.user, client_id))

    @post("/erase")
    async def erase(
        self, request: Request, db: Db, clock: Now, client_id: FromPath[int]
    ) -> Response:
        """Erase the client's personal data once the manager has confirmed it."""
        client = access.writable_client(db, request.user, client_id)
        values = _values(await request.form())
        if values.get("confirm") != "erase":
            return _erase_page(client, _("Tick the box to confirm the erasure."), status=400)
        workflow.erase_client(db, client.id, actor=actor_of(request), now=clock.now())
        return Redirect(f"{client_url(client.id)}?done=erased", status_code=303)


def _before(raw: str | None) -> tuple[datetime, str] | None:
    """The "Older" link's cursor: the last shown event's moment and key ("…Z~a000000000042");
    a bare moment (an older link) starts before that second."""
    if not raw:
        return None
    text, _sep, key = raw.partition("~")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(_("This date is not valid."), field="before") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), key
