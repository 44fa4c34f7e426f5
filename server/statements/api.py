"""api.py holds the machine-readable outputs of statements: the team's month as JSON for an
integration (team API key), and the two downloads of the pages (a closed version's PDF, the
payroll CSV), behind the person's session. The pages themselves are in routes.py; where each
download is served is in links.py."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, Parameter

from server.auth.guards import requires_api_key, requires_login
from server.auth.team_scope import managed_team
from server.deps import Config, Db, Now
from server.errors import Forbidden
from server.i18n import current_locale
from server.i18n import gettext as _
from server.openapi import RowId, refusals
from server.statements.export import PayrollMonth, payroll_csv, payroll_file_name
from server.statements.links import PAYROLL_FILE
from server.statements.outputs import document, parse_version, payroll, person_locale
from server.statements.pdf import pdf_file_name, render_pdf

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[
    str,
    Parameter(
        description="The month, YYYY-MM (years 1900–2199), in the team's time zone.",
        # Documented, not enforced by the framework: the handler's own check answers a bad
        # month with a sentence ("month must be … YYYY-MM"), not the pattern's regex.
        schema_extra={"pattern": MONTH_PATTERN},
    ),
]


class StatementsApiController(Controller):
    path = "/api/v1/teams"
    guards = [requires_api_key]
    tags = ["statements"]

    @get(
        "/{team_id:int}/statements",
        summary="The team's monthly statements: each person's hours and compensation",
        description=(
            "The figures of the payroll CSV, per person with on-call time or an intervention "
            "in the month: minutes by kind of day, at night and in all; money in cents. Once "
            "the month is closed, `closed` is true and each line is the latest version handed "
            "out (`version`, `sha256`); before, the lines are provisional and may change."
        ),
        responses=refusals(400, 401, 403, 404),
    )
    async def statements(
        self, request: Request, team_id: RowId, month: Month, db: Db, clock: Now
    ) -> PayrollMonth:
        if request.scope["auth"].team_id != team_id:
            raise Forbidden(_("This API key belongs to another team."))
        return payroll(db, team_id, month, clock.now())


class StatementDownloadsController(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/statements/{person_id:int}/{month:str}/{version:str}")
    async def pdf(
        self,
        request: Request,
        db: Db,
        settings: Config,
        person_id: FromPath[int],
        month: FromPath[str],
        version: FromPath[str],
        team: FromQuery[int | None] = None,
    ) -> Response:
        """A closed version as PDF, in the person's language, whoever downloads it."""
        statement, previous = document(
            db, request.user, person_id, month, parse_version(version), team
        )
        # Someone who reads the app "as my browser" gets their own document in the language
        # their browser asks for; anyone else downloading it gets the server's default.
        fallback = current_locale.get() if person_id == request.user.id else settings.default_locale
        content = render_pdf(
            statement,
            previous,
            locale=person_locale(db, person_id, fallback),
            company=settings.company_name,
        )
        return Response(
            content=content,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{pdf_file_name(statement)}"',
                # A closed version never changes, but it is personal: no shared cache keeps it.
                "cache-control": "private, no-store",
            },
        )

    @get(f"/teams/{{team_id:int}}/statements/{{month:str}}/{PAYROLL_FILE}")
    async def payroll_csv(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team_id: FromPath[int],
        month: FromPath[str],
    ) -> Response:
        """The team's month for payroll (managers of the team, administrators)."""
        managed_team(request, db, team_id)
        lines = payroll(db, team_id, month, clock.now())
        return Response(
            content=payroll_csv(lines),
            media_type="text/csv",  # Litestar adds "; charset=utf-8" itself
            headers={
                "content-disposition": f'attachment; filename="{payroll_file_name(lines)}"',
                "cache-control": "private, no-store",
            },
        )
