"""The manager's schedule pages: rotations, publishing with notice, reassigning, overrides."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from server.auth.actor import actor_of
from server.auth.guards import requires_manager
from server.auth.team_scope import managed_team, managed_teams
from server.deps import Db, Now
from server.errors import DomainError, InvalidInput
from server.i18n import format_date, format_moment
from server.i18n import gettext as _
from server.schedules.changes import cancel_override, create_override, reassign
from server.schedules.coming import coming_page, parse_day
from server.schedules.gaps import GAP_LOOKAHEAD, coverage_gaps
from server.schedules.levels import RotationOverlap, hand_over, told_after
from server.schedules.load import ShiftLoad, load_warnings, shift_load
from server.schedules.models import (
    AssignForm,
    Coverage,
    NoticeForm,
    OverrideForm,
    PublishForm,
    RotationForm,
    RotationSpec,
)
from server.schedules.overlap import RESOLUTIONS, overlaps
from server.schedules.publish_range import day_range, snapped_range
from server.schedules.rotation import missing_handoffs, turn_bounds, turn_index_at
from server.schedules.rotations import delete_rotation, save_rotation
from server.schedules.store import get_rotation, get_shift, list_rotations, list_shifts
from server.schedules.views import runs
from server.schedules.workflow import needs_action, preview_publish, publish
from server.teams.models import Team
from server.teams.rules import local_input
from server.teams.store import members
from server.web import read_form

# Load warnings look this far around the shift being edited.
LOAD_WINDOW = timedelta(weeks=8)


def person_warnings(
    db, team: Team, user_id: int, extra: list[tuple[datetime, datetime]], now: datetime
):
    shifts = list_shifts(
        db, team_ids=[team.id], user_id=user_id, start=now - LOAD_WINDOW, end=now + LOAD_WINDOW * 2
    )
    intervals = [(s.starts_at, s.ends_at) for s in shifts] + extra
    return load_warnings(
        intervals,
        team.timezone,
        max_days_per_28=team.policy.max_oncall_days_per_28,
        min_days_between=team.policy.min_days_between_oncall_weeks,
    )


def handoff_days(rotation, after: datetime, until: datetime) -> list[date]:
    """The local days of a rotation's hand-offs between two instants."""
    zone = ZoneInfo(rotation.spec.timezone)
    index = max(turn_index_at(rotation.spec, after), 0)
    days = []
    while True:
        start = turn_bounds(rotation.spec, index)[0]
        if start >= until:
            return days
        days.append(start.astimezone(zone).date())
        index += 1


def form_values(raw, *names: str) -> dict:
    """What the person typed, to show it again beside the error (a ticked box stays ticked)."""
    values = {name: str(raw.get(name, "")) for name in names}
    values["exceptional"] = raw.get("exceptional") == "true"
    return values


def card_response(request: Request, partial: str, context: dict, status: int) -> Template:
    """A refused form comes back in its card: the card alone for htmx, which swaps it in place,
    the whole page otherwise (the form's address ends with the card's #anchor, so the browser
    shows it; the error box has autofocus in both cases)."""
    if request.headers.get("hx-request") == "true":
        return Template(partial, context=context, status_code=status)
    return Template("schedules/manage.html", context=context, status_code=status)


def done_response(request: Request, location: str) -> Response:
    """After a write: a plain form is redirected (post/redirect/get); htmx loads the page."""
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=200, headers={"HX-Redirect": location})
    return Redirect(location, status_code=303)


def shift_warnings(db, team: Team, user_id: int, shift) -> list[ShiftLoad]:
    """What giving this shift to this person would break, read around the shift itself (the
    28 days that can contain it, and the gaps on either side)."""
    around = timedelta(days=28 + team.policy.min_days_between_oncall_weeks)
    shifts = list_shifts(
        db,
        team_ids=[team.id],
        user_id=user_id,
        start=shift.starts_at - around,
        end=shift.ends_at + around,
    )
    return shift_load(
        [(s.starts_at, s.ends_at) for s in shifts if s.id != shift.id],
        (shift.starts_at, shift.ends_at),
        team.timezone,
        max_days_per_28=team.policy.max_oncall_days_per_28,
        min_days_between=team.policy.min_days_between_oncall_weeks,
    )


def htmx_redirect(request: Request, response: Response) -> Response:
    """The rotation form swaps its feedback card in place; once saved, htmx loads the page the
    plain form is redirected to."""
    if request.headers.get("hx-request") == "true" and isinstance(response, Redirect):
        return Response(content="", status_code=200, headers={"HX-Redirect": response.url})
    return response


def override_prefill(params, names: dict[int, str]) -> dict:
    """The override form filled in from the address (a link from a request that could not be
    made, for the shift it was about); only well-formed values are kept, the rest stays blank."""
    values: dict = {}
    if params.get("override_layer") in ("primary", "secondary"):
        values["layer"] = params["override_layer"]
    for key, name in (("override_from", "starts_at"), ("override_to", "ends_at")):
        with contextlib.suppress(ValueError):
            values[name] = datetime.fromisoformat(params.get(key, "")).strftime("%Y-%m-%dT%H:%M")
    if params.get("override_exceptional") == "true":
        values["exceptional"] = True
    replacing = params.get("override_replacing", "")
    if replacing.isdigit() and int(replacing) in names:
        values["replacing"] = names[int(replacing)]
    return values


class ManageScheduleController(Controller):
    include_in_schema = False
    path = "/schedule/manage"
    guards = [requires_manager]

    def _overview(
        self, request: Request, db, team: Team, now: datetime, first: date | None = None, **extra
    ) -> dict:
        zone = ZoneInfo(team.timezone)
        horizon = now + timedelta(weeks=12)
        shifts = list_shifts(db, team_ids=[team.id], start=now, end=horizon)
        drafts = [s for s in shifts if s.status == "draft"]
        today = now.astimezone(zone).date()
        people = [m for m in members(db, team.id) if m.active]
        warnings = {m.user_id: person_warnings(db, team, m.user_id, [], now) for m in people}
        earliest = min((s.starts_at for s in drafts), default=now).astimezone(zone).date()
        earliest = max(earliest, today + timedelta(days=team.policy.notice_days))
        # The default range runs hand-off to hand-off of the rotation of the first draft it can
        # publish, so nobody's turn is left half a draft.
        rotations = list_rotations(db, team.id)
        opening = next((s for s in drafts if s.starts_at.astimezone(zone).date() >= earliest), None)
        rotation = next((r for r in rotations if opening and r.id == opening.rotation_id), None)
        days = handoff_days(rotation, now, horizon + timedelta(weeks=8)) if rotation else []
        publish_start, publish_end = snapped_range(earliest, days)
        return {
            "area": "schedule",
            "teams": managed_teams(request, db),
            "team": team,
            "rotations": rotations,
            "coming": coming_page(db, team, now, first),
            "drafts": drafts,
            "overrides": [s for s in shifts if s.kind == "override"],
            "todo": runs(needs_action(db, [team.id], now)),
            "people": people,
            "warnings": {k: v for k, v in warnings.items() if v},
            "names": {m.user_id: m.name for m in people},
            "publish_start": extra.pop("publish_start", publish_start),
            "publish_end": extra.pop("publish_end", publish_end),
            "today": today,
            "gaps": coverage_gaps(db, team.id, now, now + GAP_LOOKAHEAD),
            "done": request.query_params.get("done"),
            "created": self._created(request, db, team),
            **extra,
        }

    def _created(self, request: Request, db, team: Team) -> dict | None:
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

    @get("/")
    async def index(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team: FromQuery[int | None] = None,
        from_: Annotated[str | None, QueryParameter(name="from")] = None,
    ) -> Template:
        chosen = managed_team(request, db, team)
        context = self._overview(request, db, chosen, clock.now(), parse_day(from_))
        prefill = override_prefill(request.query_params, context["names"])
        if prefill:
            context["override_values"] = prefill
        return Template("schedules/manage.html", context=context)

    @get("/publish/preview")
    async def publish_preview(
        self,
        request: Request,
        db: Db,
        clock: Now,
        team: FromQuery[int],
        start: FromQuery[str],
        end: FromQuery[str],
    ) -> Template:
        chosen = managed_team(request, db, team)
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise InvalidInput(_("Please check the dates.")) from None
        now = clock.now()
        preview = preview_publish(db, chosen, first, last, now)
        # What would still page nobody once this range is published (the past left out): the
        # stretches nobody is planned for. Edges held by drafts outside the range are not this
        # publication's business, and with nothing to publish there is nothing to warn of.
        gaps = []
        if preview.shifts:
            start, end = day_range(chosen, first, last)
            found = coverage_gaps(db, chosen.id, max(start, now), end, preview.shifts)
            gaps = [g._replace(unpublished=[]) for g in found if g.holes]
        return Template(
            "schedules/_publish_preview.html",
            context={"preview": preview, "team": chosen, "gaps": gaps},
        )

    @post("/publish")
    async def publish(self, request: Request, db: Db, clock: Now, team: FromQuery[int]) -> Response:
        chosen = managed_team(request, db, team)
        now = clock.now()
        try:
            form = await read_form(request, PublishForm)
            count = publish(
                db,
                chosen,
                form.start,
                form.end,
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=now,
            )
        except DomainError as error:
            raw = await request.form()
            extra = {
                "publish_error": error.message,
                "publish_field": error.field,
                "publish_values": form_values(raw, "reason"),
            }
            for key in ("start", "end"):
                with contextlib.suppress(ValueError):
                    extra[f"publish_{key}"] = date.fromisoformat(str(raw.get(key, "")))
            context = self._overview(request, db, chosen, now, **extra)
            return card_response(request, "schedules/_publish_card.html", context, error.status)
        return done_response(request, f"/schedule/manage?team={chosen.id}&done=published-{count}")

    @get("/publish")
    async def publish_page(
        self, request: Request, db: Db, team: FromQuery[int | None] = None
    ) -> Redirect:
        """The address a refused publication was shown at reloads to the page (of a team the
        manager manages: the redirect says nothing of another team)."""
        chosen = managed_team(request, db, team)
        return Redirect(f"/schedule/manage?team={chosen.id}#publish-card", status_code=303)

    # Rotations -------------------------------------------------------------------------

    def _rotation_context(self, request: Request, db, team: Team, rotation=None, **extra) -> dict:
        return {
            "area": "schedule",
            "team": team,
            "rotation": rotation,
            "people": [m for m in members(db, team.id) if m.active],
            **extra,
        }

    @get("/rotations/new")
    async def new_rotation(
        self, request: Request, db: Db, clock: Now, team: FromQuery[int]
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
            "schedules/rotation.html",
            context=self._rotation_context(request, db, chosen, values=values),
        )

    async def _save(self, request: Request, db, clock, team: Team, rotation=None) -> Response:
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
            if not participants:
                raise InvalidInput(
                    _("Choose at least one person: give each participant a position."),
                    field="participants",
                )
            coverage = None
            if form.coverage == "outside_business_hours":
                coverage = Coverage(
                    business_start=form.business_start, business_end=form.business_end
                )
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
            version = int(str(raw.get("version", "0")) or 0) if rotation else None
            if rotation is not None and rotation.spec.until is not None:
                # An ended rotation stays ended when it is edited.
                spec = msgspec.structs.replace(spec, until=rotation.spec.until)
            # The rotation, its backup layer and what becomes of the rotations they take over
            # from are one change: all saved, or nothing.
            with db.write():
                self._take_over(request, db, clock, team, raw, form.layer, spec, rotation)
                saved = save_rotation(
                    db,
                    team_id=team.id,
                    name=form.name,
                    layer=form.layer,
                    spec=spec,
                    horizon_weeks=form.horizon_weeks,
                    actor=actor_of(request),
                    now=clock.now(),
                    rotation_id=rotation.id if rotation else None,
                    version=version,
                )
                saved_ids = {saved.id}
                if rotation is None and raw.get("backup") == "true" and len(participants) > 1:
                    shift = max(1, len(participants) // 2)
                    backup = participants[shift:] + participants[:shift]
                    backup_rotation = save_rotation(
                        db,
                        team_id=team.id,
                        name=_("%(name)s (backup)", name=form.name),
                        layer="secondary",
                        spec=msgspec.structs.replace(spec, participants=backup),
                        horizon_weeks=form.horizon_weeks,
                        actor=actor_of(request),
                        now=clock.now(),
                    )
                    saved_ids.add(backup_rotation.id)
        except RotationOverlap as overlap:
            found = self._overlap_view(db, team, overlap.found, clock.now())
            context = self._rotation_context(
                request, db, team, rotation, values=values, overlap=found
            )
            return Template("schedules/rotation.html", context=context, status_code=overlap.status)
        except DomainError as error:
            context = self._rotation_context(
                request, db, team, rotation, values=values, error=error.message
            )
            return Template("schedules/rotation.html", context=context, status_code=error.status)
        location = self._saved_location(db, clock.now(), team, saved, saved_ids, rotation, order)
        return Redirect(location, status_code=303)

    def _saved_location(
        self, db, now: datetime, team: Team, saved, saved_ids: set[int], rotation, order: dict
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

    def _take_over(
        self, request: Request, db, clock, team: Team, raw, layer, spec, rotation
    ) -> None:
        """One rotation per level at a time: a rotation (and its backup layer) that would run
        alongside others is refused until the manager has chosen to end or replace them, then
        the choice is applied in the caller's transaction."""
        existing = list_rotations(db, team.id)
        found = overlaps(spec, layer, existing, rotation.id if rotation else None)
        participants = spec.participants
        if rotation is None and raw.get("backup") == "true" and len(participants) > 1:
            # The backup layer's order, as saved below.
            shift = max(1, len(participants) // 2)
            backup = participants[shift:] + participants[:shift]
            backup_spec = msgspec.structs.replace(spec, participants=backup)
            found += overlaps(backup_spec, "secondary", existing)
        resolve = str(raw.get("resolve", ""))
        if found and resolve not in RESOLUTIONS:
            raise RotationOverlap(found)
        for other in found:
            hand_over(
                db,
                team,
                other.rotation,
                other.end_at,
                replace=resolve == "replace",
                actor=actor_of(request),
                now=clock.now(),
            )

    def _overlap_view(self, db, team: Team, found: list, now: datetime) -> list[dict]:
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

    @post("/rotations/new")
    async def create_rotation(
        self, request: Request, db: Db, clock: Now, team: FromQuery[int]
    ) -> Response:
        response = await self._save(request, db, clock, managed_team(request, db, team))
        return htmx_redirect(request, response)

    @get("/rotations/{rotation_id:int}")
    async def show_rotation(self, request: Request, rotation_id: FromPath[int], db: Db) -> Template:
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
            context=self._rotation_context(request, db, team, rotation, values=values),
        )

    @post("/rotations/{rotation_id:int}")
    async def update_rotation(
        self, request: Request, rotation_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        rotation = get_rotation(db, rotation_id)
        response = await self._save(
            request, db, clock, managed_team(request, db, rotation.team_id), rotation
        )
        return htmx_redirect(request, response)

    @post("/rotations/{rotation_id:int}/delete")
    async def remove_rotation(
        self, request: Request, rotation_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        rotation = get_rotation(db, rotation_id)
        team = managed_team(request, db, rotation.team_id)
        delete_rotation(db, rotation_id, actor=actor_of(request), now=clock.now())
        return Redirect(f"/schedule/manage?team={team.id}&done=rotation-deleted", status_code=303)

    # Shifts and overrides ----------------------------------------------------------------

    def _shift_context(
        self, request: Request, db, shift, team: Team, now: datetime, **extra
    ) -> dict:
        people = [m for m in members(db, team.id) if m.active]
        warnings = {
            m.user_id: shift_warnings(db, team, m.user_id, shift)
            for m in people
            if m.user_id != shift.user_id
        }
        return {
            "area": "schedule",
            "shift": shift,
            "team": team,
            "people": people,
            "warnings": warnings,
            **extra,
        }

    @get("/shifts/{shift_id:int}")
    async def show_shift(
        self, request: Request, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Template:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        return Template(
            "schedules/shift.html",
            context=self._shift_context(request, db, shift, team, clock.now()),
        )

    @post("/shifts/{shift_id:int}")
    async def update_shift(
        self, request: Request, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        try:
            form = await read_form(request, AssignForm)
            reassign(
                db,
                team,
                shift_id,
                form.user_id,
                version=form.version,
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=clock.now(),
            )
        except DomainError as error:
            fresh = get_shift(db, shift_id)
            raw = await request.form()
            context = self._shift_context(
                request,
                db,
                fresh,
                team,
                clock.now(),
                error=error.message,
                error_field=error.field,
                values=form_values(raw, "user_id", "reason"),
            )
            return Template("schedules/shift.html", context=context, status_code=error.status)
        return Redirect(f"/schedule/manage?team={team.id}&done=shift", status_code=303)

    @post("/overrides")
    async def add_override(
        self, request: Request, db: Db, clock: Now, team: FromQuery[int]
    ) -> Response:
        chosen = managed_team(request, db, team)
        now = clock.now()
        try:
            form = await read_form(request, OverrideForm)
            create_override(
                db,
                chosen,
                user_id=form.user_id,
                layer=form.layer,
                starts_at=local_input(form.starts_at, chosen),
                ends_at=local_input(form.ends_at, chosen),
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=now,
            )
        except DomainError as error:
            raw = await request.form()
            values = form_values(raw, "user_id", "layer", "starts_at", "ends_at", "reason")
            context = self._overview(
                request,
                db,
                chosen,
                now,
                override_error=error.message,
                override_field=error.field,
                override_values=values,
            )
            return card_response(request, "schedules/_override_card.html", context, error.status)
        return done_response(request, f"/schedule/manage?team={chosen.id}&done=override")

    @get("/overrides")
    async def overrides_page(
        self, request: Request, db: Db, team: FromQuery[int | None] = None
    ) -> Redirect:
        """The address a refused override was shown at reloads to the page."""
        chosen = managed_team(request, db, team)
        return Redirect(f"/schedule/manage?team={chosen.id}#override-card", status_code=303)

    @get("/overrides/{shift_id:int}/cancel")
    async def cancel_page(self, request: Request, shift_id: FromPath[int], db: Db) -> Redirect:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        return Redirect(f"/schedule/manage?team={team.id}#override-card", status_code=303)

    @post("/overrides/{shift_id:int}/cancel")
    async def remove_override(
        self, request: Request, shift_id: FromPath[int], db: Db, clock: Now
    ) -> Response:
        shift = get_shift(db, shift_id)
        team = managed_team(request, db, shift.team_id)
        now = clock.now()
        try:
            form = await read_form(request, NoticeForm)
            cancel_override(
                db,
                team,
                shift_id,
                exceptional=form.exceptional,
                reason=form.reason,
                actor=actor_of(request),
                now=now,
            )
        except DomainError as error:
            raw = await request.form()
            context = self._overview(
                request,
                db,
                team,
                now,
                cancel_error=error.message,
                cancel_id=shift_id,
                cancel_values=form_values(raw, "reason"),
            )
            return card_response(request, "schedules/_override_card.html", context, error.status)
        return done_response(request, f"/schedule/manage?team={team.id}&done=override-cancelled")
