"""The manager's side of rest: the team's state, the month's violations (CSV) and the policy."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from server.audit.store import entries_for
from server.auth.actor import actor_of
from server.auth.guards import requires_manager
from server.auth.team_scope import MANAGED_TEAM, ManagedTeam, managed_teams
from server.deps import Db, Now
from server.errors import InvalidInput
from server.i18n import N_
from server.i18n import gettext as _
from server.rest.explain import explain
from server.rest.fatigue import KSS_LABELS
from server.rest.team_view import (
    MonthViolation,
    month_violations,
    team_lines,
    violations_csv,
)
from server.teams.models import Team, TeamPolicy
from server.teams.store import set_policy
from server.web import describe_validation

# The policy form's fields, grouped as a manager reads them (labels translated in the page).
POLICY_GROUPS = (
    (
        N_("Notice"),
        (
            ("notice_days", N_("Notice for a schedule, in days")),
            ("exceptional_notice_clear_days", N_("Notice in exceptional circumstances, in days")),
        ),
    ),
    (
        N_("Rest and working time"),
        (
            ("daily_rest_hours", N_("Daily rest, hours in a row")),
            ("weekly_rest_hours", N_("Weekly rest, hours in a row")),
            ("max_daily_work_hours", N_("Most work in a day, hours")),
            ("max_weekly_work_hours", N_("Most work in a week, hours")),
            ("max_avg_weekly_work_hours", N_("Most work a week on average, hours")),
            ("avg_weeks", N_("Weeks of that average")),
        ),
    ),
    (
        N_("On-call load"),
        (
            ("max_oncall_days_per_28", N_("Most on-call days in 28 days")),
            ("min_days_between_oncall_weeks", N_("Days between two on-call weeks")),
        ),
    ),
    (
        # The needs analysis reads it (/teams/{id}/needs).
        N_("Response objective"),
        (
            ("response_within_minutes", N_("Answer an alert within, in minutes")),
            ("response_target_percent", N_("For this share of alerts, in %")),
        ),
    ),
    (
        # Satisfaction surveys (server/surveys): how long after an intervention reaches the
        # server its client is asked (never at night in the client's zone).
        N_("Satisfaction survey"),
        (("survey_delay_minutes", N_("Ask the client after, in minutes")),),
    ),
    (
        # The quality review (server/quality): the share of interventions drawn for review.
        N_("Quality review"),
        (("review_sample_percent", N_("Interventions drawn for review, in %")),),
    ),
    (
        # Procedures (server/procedures): a new or reviewed one is due for review this later.
        N_("Procedures"),
        (("procedure_review_months", N_("Review a procedure after, in months")),),
    ),
)
# Compensation has its own form, with the statements (/teams/{id}/compensation).
POLICY_OPTIONS = (
    ("alsace_moselle_holidays", N_("Alsace-Moselle public holidays (26 December, Good Friday)")),
    ("require_intervention_report", N_("An alert is resolved only with an intervention report")),
    ("auto_approve_swaps", N_("Apply swaps that pass every check without approval")),
)
# Routing when the person on call is tired is an option of the escalation policy (/alerts/policy).


def policy_from_form(form) -> TeamPolicy:
    """The posted policy; decimals may be written the French way ("2,5"). Every field is in
    the form, so a missing one is an error rather than a silent return to its default."""
    data: dict = {}
    for _title, fields in POLICY_GROUPS:
        for name, _label in fields:
            data[name] = str(form.get(name, "")).strip().replace(",", ".")
    for name, _label in POLICY_OPTIONS:
        data[name] = form.get(name) == "on"
    # Qualifications (server/qualifications/gate.py): warn about a person lacking one, or block.
    data["qualification_gate"] = str(form.get("qualification_gate", "warn"))
    try:
        return msgspec.convert(data, TeamPolicy, strict=False)
    except msgspec.ValidationError as error:
        labels = {name: label for _t, fields in POLICY_GROUPS for name, label in fields}
        message, field = describe_validation(error, labels)
        raise InvalidInput(message, field=field) from None


def _month(text: str | None, now: datetime, team: Team) -> date:
    """The first day of the month asked for; without one, this month on the team's clock."""
    try:
        if text:
            return date.fromisoformat(f"{text}-01")
        return now.astimezone(ZoneInfo(team.timezone)).date().replace(day=1)
    except ValueError:
        raise InvalidInput(_("Choose a month written YYYY-MM."), field="month") from None


class RestTeamController(Controller):
    include_in_schema = False
    guards = [requires_manager]
    dependencies = MANAGED_TEAM
    path = "/rest"

    @get("/team")
    async def team(
        self,
        request: Request,
        db: Db,
        clock: Now,
        chosen: ManagedTeam,
        month: FromQuery[str | None] = None,
    ) -> Template:
        now = clock.now()
        first = _month(month, now, chosen)
        lines = team_lines(db, chosen, now)
        if first == _month(None, now, chosen):
            # This month's are in each active person's status already: the engine runs again
            # only for people no longer active.
            violations = month_violations(
                db,
                chosen,
                first,
                now,
                known=[
                    MonthViolation(member=line.member, violation=v)
                    for line in lines
                    for v in line.status.violations
                ],
                skip=frozenset(line.member.user_id for line in lines),
            )
        else:
            violations = month_violations(db, chosen, first, now)
        return Template(
            "rest/team.html",
            context={
                "area": "team",
                "teams": managed_teams(request, db),
                "team": chosen,
                "lines": lines,
                "month": first,
                "violations": [
                    (item.member, explain(item.violation, chosen.timezone, chosen.policy.avg_weeks))
                    for item in violations
                ],
                "kss": KSS_LABELS,
                "now": now,
            },
        )

    @get("/team.csv")
    async def team_csv(
        self,
        request: Request,
        db: Db,
        clock: Now,
        chosen: ManagedTeam,
        month: FromQuery[str | None] = None,
    ) -> Response:
        now = clock.now()
        first = _month(month, now, chosen)
        text = violations_csv(month_violations(db, chosen, first, now), chosen)
        name = f"rest-violations-{chosen.id}-{first:%Y-%m}.csv"
        return Response(
            content="\ufeff" + text,  # a BOM, so spreadsheet software reads UTF-8 accents
            media_type="text/csv",  # Litestar adds "; charset=utf-8" itself
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    @get("/policy")
    async def policy(self, request: Request, db: Db, chosen: ManagedTeam) -> Template:
        return Template("rest/policy.html", context=_policy_context(request, db, chosen))

    @post("/policy")
    async def save_policy(
        self, request: Request, db: Db, clock: Now, chosen: ManagedTeam
    ) -> Response:
        form = await request.form()
        try:
            policy = policy_from_form(form)
            set_policy(
                db,
                chosen.id,
                policy,
                actor=actor_of(request),
                now=clock.now(),
                reason=str(form.get("reason") or ""),
            )
        except InvalidInput as error:
            context = _policy_context(
                request, db, chosen, error=error.message, error_field=error.field, values=form
            )
            return Template("rest/policy.html", context=context, status_code=400)
        return Redirect(f"/rest/policy?team={chosen.id}&done=saved", status_code=303)


def _policy_context(request: Request, db, team: Team, **extra) -> dict:
    values = extra.pop("values", None)
    current = msgspec.to_builtins(team.policy)
    if values is not None:
        current = {key: values.get(key, current[key]) for key in current}
        current.update({key: values.get(key) == "on" for key, _label in POLICY_OPTIONS})
    history = [e for e in reversed(entries_for(db, "team", team.id)) if e.action == "team.policy"]
    return {
        "area": "team",
        "teams": managed_teams(request, db),
        "team": team,
        "groups": POLICY_GROUPS,
        "labels": {name: label for _t, fields in POLICY_GROUPS for name, label in fields}
        | dict(POLICY_OPTIONS),
        "options": POLICY_OPTIONS,
        "values": current,
        "defaults": msgspec.to_builtins(TeamPolicy()),
        "history": history[:20],
        "done": request.query_params.get("done"),
        "reason": (values or {}).get("reason", ""),
        **extra,
    }
