"""Escalation policy of a team, edited by its managers: ordered steps, delays, repetitions."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from server.alerts.models import EscalationPolicy, Step, Target
from server.alerts.store import save_policy, team_policy
from server.auth.guards import requires_manager
from server.deps import Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.pages.routes import actor_of
from server.schedules.manage import managed_team
from server.teams.store import members

MAX_STEPS = 5
DELAYS = (0, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60)


def target_choices(people) -> list[tuple[str, str]]:
    return [
        ("", _("— no step —")),
        ("primary", _("The person on call")),
        ("secondary", _("The backup")),
        ("managers", _("The team's managers")),
        ("team", _("Everyone in the team")),
    ] + [(f"person:{m.user_id}", m.name) for m in people]


def target_value(target: Target) -> str:
    return f"person:{target.user_id}" if target.kind == "person" else target.kind


def parse_policy(form: dict, allowed_people: set[int]) -> EscalationPolicy:
    steps = []
    for index in range(MAX_STEPS):
        raw = str(form.get(f"target_{index}", ""))
        if not raw:
            continue
        delay_raw = str(form.get(f"delay_{index}", "0"))
        if not delay_raw.isdigit() or int(delay_raw) > 240:
            raise InvalidInput(_("Choose a delay between 0 and 240 minutes."))
        if raw.startswith("person:"):
            user_id = int(raw.split(":", 1)[1]) if raw.split(":", 1)[1].isdigit() else 0
            if user_id not in allowed_people:
                raise InvalidInput(_("This person is not in this team."))
            target = Target(kind="person", user_id=user_id)
        elif raw in ("primary", "secondary", "managers", "team"):
            target = Target(kind=raw)
        else:
            raise InvalidInput(_("Please check the steps."))
        steps.append(Step(delay_minutes=int(delay_raw) if steps else 0, targets=(target,)))
    if not steps:
        raise InvalidInput(_("A policy needs at least one step."))
    repeat = str(form.get("repeat", "1"))
    if not repeat.isdigit() or not 1 <= int(repeat) <= 10:
        raise InvalidInput(_("Repeat the steps between 1 and 10 times."))
    return EscalationPolicy(
        steps=tuple(steps),
        repeat=int(repeat),
        backup_first_when_tired=form.get("backup_first_when_tired") == "on",
    )


class EscalationController(Controller):
    include_in_schema = False
    path = "/alerts/policy"
    guards = [requires_manager]

    def _context(self, request: Request, db, team, policy, **extra) -> dict:
        people = [m for m in members(db, team.id) if m.active]
        rows = [(step.delay_minutes, target_value(step.targets[0])) for step in policy.steps] + [
            (0, "")
        ] * (MAX_STEPS - len(policy.steps))
        return {
            "area": None,
            "team": team,
            "policy": policy,
            "rows": rows[:MAX_STEPS],
            "choices": target_choices(people),
            "delays": DELAYS,
            **extra,
        }

    @get("/")
    async def show(self, request: Request, db: Db, team: FromQuery[int | None] = None) -> Template:
        chosen = managed_team(request, db, team)
        context = self._context(
            request, db, chosen, team_policy(db, chosen.id), done=request.query_params.get("done")
        )
        return Template("alerts/policy.html", context=context)

    @post("/")
    async def save(self, request: Request, db: Db, clock: Now, team: FromQuery[int]) -> Response:
        chosen = managed_team(request, db, team)
        form = dict(await request.form())
        people = {m.user_id for m in members(db, chosen.id) if m.active}
        try:
            policy = parse_policy(form, people)
        except InvalidInput as error:
            context = self._context(
                request, db, chosen, team_policy(db, chosen.id), error=error.message
            )
            return Template("alerts/policy.html", context=context, status_code=400)
        save_policy(db, chosen.id, policy, actor=actor_of(request), now=clock.now())
        return Redirect(f"/alerts/policy?team={chosen.id}&done=saved", status_code=303)
