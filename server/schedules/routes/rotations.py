"""A team's rotations: the form to make or change one (with its backup layer, and the choice of
what becomes of the rotations it takes over from), and deleting one."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from server.auth.actor import actor_of
from server.auth.guards import requires_manager
from server.auth.team_scope import managed_team
from server.db import Database
from server.deps import Db, Now
from server.errors import DomainError, InvalidInput
from server.i18n import format_date, format_moment
from server.i18n import gettext as _
from server.schedules.levels import RotationOverlap, save_taking_over, told_after
from server.schedules.models import Coverage, Rotation, RotationForm, RotationSpec
from server.schedules.overlap import Overlap
from server.schedules.rotation import missing_handoffs
from server.schedules.rotations import delete_rotation
from server.schedules.store import get_rotation, list_shifts
from server.teams.models import Team
from server.teams.store import members
from server.web import read_form


def rotation_context(db: Database, team: Team, rotation: Rotation | None = None, **extra) -> dict:
    return {
        "area": "schedule",
        "team": team,
        "rotation": rotation,
        "people": [m for m in members(db, team.id) if m.active],
        **extra,
    }


def htmx_redirect(request: HTMXRequest, response: Response) -> Response:
    """The rotation form swaps its feedback card in place; once saved, htmx loads the page the
    plain form is redirected to."""
    if request.htmx and isinstance(response, Redirect):
        return Response(content="", status_code=200, headers={"HX-Redirect": response.url})
    return response


def overlap_view(db: Database, team: Team, found: list[Overlap], now: datetime) -> list[dict]:
    """What the manager reads before choosing: each rotation in the way, where it would
    stop, and what becomes of what its people were told."""
    view = []
    for other in found:
        told, withdrawable = told_after(db, team, other.rotation, other.end_at, now)
        view.append(
            {
                "rotation": other.rotation,
                "end_at": format_moment(other.end_at, team.timezone),
                "told": told,
                "withdrawable": withdrawable,
            }
        )
    return view


def saved_location(
    db: Database,
    now: datetime,
    team: Team,
    saved: Rotation,
    saved_ids: set[int],
    rotation: Rotation | None,
    order: dict,
) -> str:
    """Where a saved rotation leads: the manage page saying how many drafts it made (to
    publish them), and, when two people were given the same position, the order kept."""
    location = f"/schedule/manage?team={team.id}"
    if rotation is None:
        drafts = [
            s
            for s in list_shifts(db, team_ids=[team.id], start=now, statuses=["draft"])
            if s.rotation_id in saved_ids
        ]
        location += f"&done=rotation-created&drafts={len(drafts)}"
    else:
        location += "&done=rotation"
    if len(set(order.values())) < len(order):
        location += f"&renumbered={saved.id}"
    return location


def rotation_spec(form: RotationForm, team: Team, participants: tuple[int, ...]) -> RotationSpec:
    """The rotation the form describes, in the team's zone; refused with the field to fix."""
    if not participants:
        raise InvalidInput(
            _("Choose at least one person: give each participant a position."),
            field="participants",
        )
    coverage = None
    if form.coverage == "outside_business_hours":
        coverage = Coverage(business_start=form.business_start, business_end=form.business_end)
    try:
        spec = RotationSpec(
            timezone=team.timezone,
            participants=participants,
            start_date=form.start_date,
            handoff_time=form.handoff_time,
            length=form.length,
            length_unit=form.length_unit,
            coverage=coverage,
            alsace_moselle=team.policy.alsace_moselle_holidays,
        )
    except ValueError as error:
        raise InvalidInput(_(str(error))) from None
    gaps = missing_handoffs(spec)
    if gaps:
        raise InvalidInput(
            _(
                "The hand-off time %(time)s does not exist on %(day)s (clocks go forward). "
                "Choose another time.",
                time=form.handoff_time,
                day=format_date(gaps[0], "long"),
            ),
            field="handoff_time",
        )
    return spec


class RotationsController(Controller):
    include_in_schema = False
    path = "/schedule/manage/rotations"
    guards = [requires_manager]

    @get("/new")
    async def new_rotation(
        self, request: HTMXRequest, db: Db, clock: Now, team: FromQuery[int]
    ) -> Template:
        chosen = managed_team(request, db, team)
        today = clock.now().astimezone(ZoneInfo(chosen.timezone)).date()
        monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
        values = {
            "start_date": monday.isoformat(),
            "handoff_time": "08:00",
            "length": 1,
            "length_unit": "weeks",
            "coverage": "outside_business_hours",
            "business_start": "08:00",
            "business_end": "18:00",
            "horizon_weeks": 12,
            "layer": "primary",
            "order": {},
        }
        return Template(
            "schedules/rotation.html", context=rotation_context(db, chosen, values=values)
        )

    async def _save(
        self, request: HTMXRequest, db: Database, clock, team: Team, rotation=None
    ) -> Response:
        raw = await request.form()
        order = {}
        for key, value in raw.items():
            if key.startswith("order_") and str(value).strip():
                with contextlib.suppress(ValueError):
                    order[int(key[6:])] = int(str(value))
        values = {**{k: v for k, v in raw.items()}, "order": order}
        try:
            form = await read_form(request, RotationForm)
            team_people = {m.user_id for m in members(db, team.id) if m.active}
            participants = tuple(
                uid
                for uid, _pos in sorted(order.items(), key=lambda kv: kv[1])
                if uid in team_people
            )
            spec = rotation_spec(form, team, participants)
            version = int(str(raw.get("version", "0")) or 0) if rotation else None
            if rotation is not None and rotation.spec.until is not None:
                # An ended rotation stays ended when it is edited.
                spec = msgspec.structs.replace(spec, until=rotation.spec.until)
            saved, saved_ids = save_taking_over(
                db,
                team,
                name=form.name,
                layer=form.layer,
                spec=spec,
                horizon_weeks=form.horizon_weeks,
                with_backup=raw.get("backup") == "true",
                resolve=str(raw.get("resolve", "")),
                rotation=rotation,
                version=version,
                actor=actor_of(request),
                now=clock.now(),
            )
        except RotationOverlap as overlap:
            found = overlap_view(db, team, overlap.found, clock.now())
            context = rotation_context(db, team, rotation, values=values, overlap=found)
            return Template("schedules/rotation.html", context=context, status_code=overlap.status)
        except DomainError as error:
            context = rotation_context(db, team, rotation, values=values, error=error.message)
            return Template("schedules/rotation.html", context=context, status_code=error.status)
        location = saved_location(db, clock.now(), team, saved, saved_ids, rotation, order)
        return Redirect(location, status_code=303)

    @post("/new")
    async def create_rotation(
        self, request: HTMXRequest, db: Db, clock: Now, team: FromQuery[int]
    ) -> Response:
        response = await self._save(request, db, clock, managed_team(request, db, team))
        return htmx_redirect(request, response)

    @get("/{rotation_id:int}")
    async def show_rotation(
        self, request: HTMXRequest, rotation_id: FromPath[int], db: Db
    ) -> Template:
        rotation = get_rotation(db, rotation_id)
        team = managed_team(request, db, rotation.team_id)
        spec = rotation.spec
        values = {
            "name": rotation.name,
            "layer": rotation.layer,
            "start_date": spec.start_date.isoformat(),
            "handoff_time": spec.handoff_time,
            "length": spec.length,
            "length_unit": spec.length_unit,
            "coverage": "outside_business_hours" if spec.coverage else "always",
            "business_start": spec.coverage.business_start if spec.coverage else "08:00",
            "business_end": spec.coverage.business_end if spec.coverage else "18:00",
            "horizon_weeks": rotation.horizon_weeks,
            "version": rotation.version,
            "order": {uid: i + 1 for i, uid in enumerate(spec.participants)},
        }
        return Template(
            "schedules/rotation.html",
            context=rotation_context(db, team, rotation, values=values),
        )

    @post("/{rotation_id:int}")
    async def update_rotation(
        self, request: HTMXRequest, rotation_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        rotation = get_rotation(db, rotation_id)
        response = await self._save(
            request, db, clock, managed_team(request, db, rotation.team_id), rotation
        )
        return htmx_redirect(request, response)

    @post("/{rotation_id:int}/delete")
    async def remove_rotation(
        self, request: HTMXRequest, rotation_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        rotation = get_rotation(db, rotation_id)
        team = managed_team(request, db, rotation.team_id)
        delete_rotation(db, rotation_id, actor=actor_of(request), now=clock.now())
        return Redirect(f"/schedule/manage?team={team.id}&done=rotation-deleted", status_code=303)
