"""Who may open what: every route of the app, tried as a stranger, staff, managers and an admin.

The routes are read from the app itself, so a route added without a rule here fails the suite.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from typing import NamedTuple

import pytest
from litestar.routes import HTTPRoute

from server.accounts.models import UserForm
from server.accounts.store import create_invitation, create_user, current_user
from server.alerts.models import AlertIn
from server.alerts.workflow import create_alert
from server.apikeys.store import create_key
from server.app import create_app
from server.audit.models import Actor
from server.clients.rules import ClientInput, SiteInput
from server.clients.workflow import create_client
from server.clock import to_db
from server.db import Database
from server.interventions.models import CreateOp, InterventionData
from server.interventions.sync import apply_operation
from server.procedures.models import ProcedureInput
from server.procedures.store import procedures as procedure_store
from server.push.models import SubscriptionIn, SubscriptionKeys
from server.push.store import subscribe
from server.qualifications.models import QualificationForm
from server.qualifications.workflow import save_holding, save_qualification
from server.rest.pattern import AbsenceIn, add_absence
from server.reviews.actions import add_action
from server.schedules.feeds import regenerate_feed
from server.settings import load_settings
from server.statements.closing import close_month
from server.swaps.ask import create_request
from server.swaps.workflow import accept as accept_swap
from server.teams.store import set_membership
from server.training.workflow import create_session
from tests.conftest import Client, Company
from tests.integration.schedule_helpers import add_rotation

# Open to anyone: logging in, invitations, the app shell the service worker caches, the health
# check, static files, calendar feeds (their URL is the secret), and the OpenAPI document that
# Litestar serves under /schema.
PUBLIC = {
    "/login",
    "/invite/{token:str}",
    "/manifest.webmanifest",
    "/sw.js",
    "/sw/{name:str}",
    "/offline",
    "/lang/{code:str}",
    "/healthz",
    "/static/{file_path:path}",
    "/static/vendor/{file_path:path}",
    "/calendar/{token:str}",
    # The client's survey page opened from the technician's QR code: the token is the secret.
    "/s/q/{token:str}",
    # The survey page a client's SMS or e-mail links to: the token in the link is the secret.
    "/s/{token:str}",
}
PUBLIC_PREFIX = "/schema"

# Who is let in, by kind of person. `staff` is in team B; `owner` is Sophie (staff, team A), the
# person whose shift and whose record the team-A routes below are given.
EVERYONE = frozenset({"staff", "owner", "manager_b", "manager_a", "admin"})
MANAGERS = frozenset({"manager_b", "manager_a", "admin"})
TEAM_A_MANAGERS = frozenset({"manager_a", "admin"})
ADMINS = frozenset({"admin"})
SHIFT_OWNER = frozenset({"owner"})
TEAM_A = frozenset({"owner", "manager_a", "admin"})  # an alert of team A: its people, admins
# Team A's members who may take a colleague's request (the admin is in no team).
TEAM_A_MEMBERS = frozenset({"owner", "manager_a"})
DEVICE_OWNER = frozenset({"owner"})  # Sophie's phone: hers alone, not even an admin's
API_KEY = frozenset()  # no person: an API key of the team
# No person and no key: the service worker calls these with a secret of their own (a device
# token, a single-use acknowledgement token). A marker, not a set of roles.
TOKEN = frozenset({"token"})
# The phone's outbox: any person logged in, with JSON (an /api route, so 401 rather than a
# redirect to the login page when nobody is).
SESSION_JSON = frozenset({"session-json"})
# The phone's own copies (its teams' client list): any person logged in reads theirs, as JSON
# (401 rather than a redirect when nobody is), never another team's.
SESSION_READ = frozenset({"session-read"})
# The procedures a phone keeps offline: each person their own teams', down to the page asked.
SESSION_PROCEDURES = frozenset({"session-procedures"})

RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): EVERYONE,  # an admin is sent on to /admin
    ("GET", "/today"): EVERYONE,
    ("GET", "/admin"): ADMINS,
    ("GET", "/schedule"): EVERYONE,
    ("GET", "/interventions"): EVERYONE,
    ("GET", "/rest"): EVERYONE,
    ("GET", "/team"): EVERYONE,
    ("GET", "/settings"): EVERYONE,
    ("POST", "/settings/preferences"): EVERYONE,
    ("POST", "/settings/password"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("POST", "/logout/everywhere"): EVERYONE,
    ("GET", "/notifications"): EVERYONE,
    ("POST", "/notifications/read"): EVERYONE,
    ("GET", "/schedule/mine"): EVERYONE,
    ("POST", "/schedule/accept-all"): EVERYONE,
    ("GET", "/schedule/feeds"): EVERYONE,
    ("POST", "/schedule/feeds"): EVERYONE,
    ("POST", "/schedule/shifts/{shift_id:int}/accept"): SHIFT_OWNER,
    ("GET", "/schedule/shifts/{shift_id:int}/decline"): SHIFT_OWNER,
    ("POST", "/schedule/shifts/{shift_id:int}/decline"): SHIFT_OWNER,
    ("GET", "/people"): MANAGERS,
    ("GET", "/people/new"): MANAGERS,
    ("POST", "/people/new"): MANAGERS,
    ("GET", "/people/{user_id:int}"): TEAM_A_MANAGERS,
    ("POST", "/people/{user_id:int}"): TEAM_A_MANAGERS,
    ("POST", "/people/{user_id:int}/invitation"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage/publish/preview"): TEAM_A_MANAGERS,
    ("POST", "/schedule/manage/publish"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage/publish"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage/rotations/new"): TEAM_A_MANAGERS,
    ("POST", "/schedule/manage/rotations/new"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage/rotations/{rotation_id:int}"): TEAM_A_MANAGERS,
    ("POST", "/schedule/manage/rotations/{rotation_id:int}"): TEAM_A_MANAGERS,
    ("POST", "/schedule/manage/rotations/{rotation_id:int}/delete"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage/shifts/{shift_id:int}"): TEAM_A_MANAGERS,
    ("POST", "/schedule/manage/shifts/{shift_id:int}"): TEAM_A_MANAGERS,
    ("POST", "/schedule/manage/overrides"): TEAM_A_MANAGERS,
    ("POST", "/schedule/manage/overrides/{shift_id:int}/cancel"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage/overrides"): TEAM_A_MANAGERS,
    ("GET", "/schedule/manage/overrides/{shift_id:int}/cancel"): TEAM_A_MANAGERS,
    ("GET", "/admin/teams"): ADMINS,
    ("GET", "/admin/teams/new"): ADMINS,
    ("POST", "/admin/teams/new"): ADMINS,
    ("GET", "/admin/teams/{team_id:int}"): ADMINS,
    ("POST", "/admin/teams/{team_id:int}"): ADMINS,
    ("POST", "/admin/teams/{team_id:int}/members"): ADMINS,
    ("POST", "/admin/teams/{team_id:int}/members/{user_id:int}/remove"): ADMINS,
    ("GET", "/admin/api-keys"): ADMINS,
    ("POST", "/admin/api-keys"): ADMINS,
    ("POST", "/admin/api-keys/{key_id:int}/revoke"): ADMINS,
    ("GET", "/api/v1/whoami"): API_KEY,
    ("GET", "/api/v1/teams/{team_id:int}/oncall"): API_KEY,
    ("GET", "/api/v1/teams/{team_id:int}/oncall.txt"): API_KEY,
    ("GET", "/api/v1/teams/{team_id:int}/shifts"): API_KEY,
    ("GET", "/alerts"): EVERYONE,
    ("GET", "/alerts/new"): EVERYONE,
    ("POST", "/alerts/new"): EVERYONE,
    ("GET", "/alerts/{alert_id:int}"): TEAM_A,
    ("POST", "/alerts/{alert_id:int}/acknowledge"): TEAM_A,
    ("POST", "/alerts/{alert_id:int}/resolve"): TEAM_A,
    ("POST", "/alerts/{alert_id:int}/reassign"): TEAM_A,
    ("GET", "/alerts/policy"): TEAM_A_MANAGERS,
    ("POST", "/alerts/policy"): TEAM_A_MANAGERS,
    ("POST", "/settings/channels"): EVERYONE,
    ("GET", "/push/key"): EVERYONE,
    ("POST", "/push/subscriptions"): EVERYONE,
    ("POST", "/push/devices/{device_id:int}/test"): DEVICE_OWNER,
    ("POST", "/push/devices/{device_id:int}/remove"): DEVICE_OWNER,
    ("POST", "/api/v1/alerts"): API_KEY,
    ("POST", "/api/v1/alerts/{alert_id:int}/acknowledge"): API_KEY,
    ("POST", "/api/v1/alerts/{alert_id:int}/resolve"): API_KEY,
    ("POST", "/api/v1/calls"): API_KEY,
    ("POST", "/api/v1/integrations/alertmanager"): API_KEY,
    ("GET", "/interventions/new"): EVERYONE,
    ("POST", "/interventions/new"): EVERYONE,
    ("GET", "/interventions/team"): MANAGERS,
    ("GET", "/interventions/{record:str}"): TEAM_A,
    ("POST", "/interventions/{record:str}/correct"): TEAM_A_MANAGERS,
    ("POST", "/api/v1/sync/interventions"): SESSION_JSON,
    ("GET", "/api/v1/me/clients"): SESSION_READ,
    ("GET", "/api/v1/me/procedures"): SESSION_PROCEDURES,
    ("GET", "/api/v1/me/procedures/pages"): SESSION_PROCEDURES,
    # The phone's pool of survey QR codes: anyone logged in, for themselves only.
    ("POST", "/api/v1/surveys/qr-pool"): SESSION_JSON,
    ("POST", "/api/v1/push/renew"): TOKEN,
    ("POST", "/api/v1/push/ack"): TOKEN,
    # Swaps: Sophie's request for cover, taken by Théo, waits for a manager of team A.
    ("GET", "/swaps"): EVERYONE,
    ("GET", "/swaps/inbox"): MANAGERS,
    ("GET", "/swaps/{swap_id:int}"): TEAM_A,
    ("POST", "/swaps/{swap_id:int}/accept"): TEAM_A_MEMBERS,
    ("POST", "/swaps/{swap_id:int}/decline"): TEAM_A_MEMBERS,
    ("POST", "/swaps/{swap_id:int}/cancel"): SHIFT_OWNER,
    ("POST", "/swaps/{swap_id:int}/approve"): TEAM_A_MANAGERS,
    ("POST", "/swaps/{swap_id:int}/reject"): TEAM_A_MANAGERS,
    # The addresses a refused step is shown at without JavaScript lead back to the request.
    ("GET", "/swaps/{swap_id:int}/accept"): TEAM_A,
    ("GET", "/swaps/{swap_id:int}/decline"): TEAM_A,
    ("GET", "/swaps/{swap_id:int}/cancel"): TEAM_A,
    ("GET", "/swaps/{swap_id:int}/approve"): TEAM_A,
    ("GET", "/swaps/{swap_id:int}/reject"): TEAM_A,
    ("GET", "/swaps/shifts/{shift_id:int}/new"): TEAM_A,
    ("POST", "/swaps/shifts/{shift_id:int}/new"): TEAM_A,
    ("GET", "/swaps/shifts/{shift_id:int}"): TEAM_A,
    ("POST", "/swaps/shifts/{shift_id:int}/qualifications"): TEAM_A_MANAGERS,
    # Qualifications: the catalogue is the admins' to change, the managers' to read; Sophie's
    # holdings are hers to read (and to add a certificate to), her managers' to change.
    ("GET", "/qualifications"): MANAGERS,
    ("POST", "/qualifications"): ADMINS,
    ("POST", "/qualifications/{qualification_id:int}"): ADMINS,
    ("POST", "/qualifications/{qualification_id:int}/delete"): ADMINS,
    ("GET", "/qualifications/people/{user_id:int}"): TEAM_A,
    ("POST", "/qualifications/people/{user_id:int}"): TEAM_A_MANAGERS,
    ("GET", "/qualifications/holdings/{holding_id:int}/document"): TEAM_A,
    ("POST", "/qualifications/holdings/{holding_id:int}/document"): TEAM_A,
    ("POST", "/qualifications/holdings/{holding_id:int}/delete"): TEAM_A_MANAGERS,
    ("GET", "/qualifications/team"): TEAM_A_MANAGERS,
    ("GET", "/qualifications/team/csv"): TEAM_A_MANAGERS,
    ("POST", "/qualifications/team/rotations"): TEAM_A_MANAGERS,
    ("POST", "/api/v1/swaps/approve"): TOKEN,
    ("GET", "/rest/clock"): EVERYONE,
    ("POST", "/rest/fatigue"): EVERYONE,
    ("POST", "/rest/declared"): EVERYONE,
    # Sophie's working hours and days off: hers, and her team's managers'.
    ("GET", "/rest/pattern"): TEAM_A,
    ("POST", "/rest/pattern"): TEAM_A,
    ("POST", "/rest/absences"): TEAM_A,
    ("POST", "/rest/absences/{absence_id:int}/delete"): TEAM_A,
    ("GET", "/rest/team"): TEAM_A_MANAGERS,
    ("GET", "/rest/team.csv"): TEAM_A_MANAGERS,
    ("GET", "/rest/policy"): TEAM_A_MANAGERS,
    ("POST", "/rest/policy"): TEAM_A_MANAGERS,
    # Statement pages: a person's own months; one person's month for them, their teams'
    # managers and admins (a manager sees only the teams they manage); a receipt is the
    # person's alone; the manager's month, its closing and the compensation for the team's
    # managers; an hourly wage for whoever may act on the person, never the person.
    ("GET", "/statements"): EVERYONE,
    ("GET", "/statements/{month:str}"): EVERYONE,
    ("GET", "/statements/{person_id:int}/{month:str}"): TEAM_A,
    ("POST", "/statements/receipts/{statement_id:int}"): SHIFT_OWNER,
    ("GET", "/teams/{team_id:int}/statements"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/statements/{month:str}"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/statements/{month:str}/close"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/compensation"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/compensation"): TEAM_A_MANAGERS,
    # The needs analysis (Erlang C against the schedule): the team's managers and admins.
    ("GET", "/teams/{team_id:int}/needs"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/needs.csv"): TEAM_A_MANAGERS,
    ("POST", "/people/{user_id:int}/wage"): TEAM_A_MANAGERS,
    # Statements' downloads: a closed version's PDF is the person's and their team's managers'
    # (here none is closed: a 404 to them, a 403 to anyone else); the payroll CSV is for the
    # team's managers; the same figures as JSON for the team's key.
    ("GET", "/statements/{person_id:int}/{month:str}/{version:str}"): TEAM_A,
    ("GET", "/teams/{team_id:int}/statements/{month:str}/payroll.csv"): TEAM_A_MANAGERS,
    ("GET", "/api/v1/teams/{team_id:int}/statements"): API_KEY,
    # The monthly service review: read by the team's members (what the team decided is shared
    # with it), its managers and admins (a manager of B is refused A's); its actions written
    # by the team's managers only.
    ("GET", "/teams/{team_id:int}/reviews"): TEAM_A,
    ("GET", "/teams/{team_id:int}/reviews/{month:str}"): TEAM_A,
    ("POST", "/teams/{team_id:int}/reviews/{month:str}/actions"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/reviews/{month:str}/actions/{action_id:int}"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/reviews/{month:str}/actions/{action_id:int}/done"): (
        TEAM_A_MANAGERS
    ),
    ("POST", "/teams/{team_id:int}/reviews/{month:str}/actions/{action_id:int}/reopen"): (
        TEAM_A_MANAGERS
    ),
    ("POST", "/teams/{team_id:int}/reviews/{month:str}/actions/{action_id:int}/delete"): (
        TEAM_A_MANAGERS
    ),
    # The quality review: a team's queue and checklist for its managers; an intervention's
    # review read by its technician and the team's managers, written by the managers, answered
    # by the technician alone; a follow-up marked done by either (Sophie's has no review yet:
    # a 404 to them, a 403 to anyone else).
    ("GET", "/teams/{team_id:int}/quality"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/quality/checklist"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/quality/checklist"): TEAM_A_MANAGERS,
    ("GET", "/interventions/{record:str}/review"): TEAM_A,
    ("POST", "/interventions/{record:str}/review"): TEAM_A_MANAGERS,
    ("POST", "/interventions/{record:str}/review/answer"): SHIFT_OWNER,
    ("POST", "/interventions/{record:str}/review/follow-up/done"): TEAM_A,
    # Figures: a team's dashboard and its CSV tables for the team's managers (a manager of B
    # is refused A's), a person's own figures for anyone, the same figures as JSON for the key.
    ("GET", "/teams/{team_id:int}/figures"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/figures/{table:str}"): TEAM_A_MANAGERS,
    ("GET", "/figures"): EVERYONE,
    # Satisfaction results: a team's for its managers (a manager of B is refused A's), each
    # person's own answers for themselves.
    ("GET", "/teams/{team_id:int}/satisfaction"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/satisfaction.csv"): TEAM_A_MANAGERS,
    ("GET", "/satisfaction"): EVERYONE,
    ("GET", "/api/v1/teams/{team_id:int}/metrics"): API_KEY,
    # Clients: a team's clients (access codes included) are read by its members, managers and
    # admins; written, exported, imported and erased by its managers and admins only.
    ("GET", "/teams/{team_id:int}/clients"): TEAM_A,
    ("GET", "/teams/{team_id:int}/clients/new"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/clients/new"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/clients.csv"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/clients/import"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/clients/import"): TEAM_A_MANAGERS,
    ("GET", "/clients/{client_id:int}"): TEAM_A,
    ("GET", "/clients/{client_id:int}/edit"): TEAM_A_MANAGERS,
    ("POST", "/clients/{client_id:int}/edit"): TEAM_A_MANAGERS,
    ("POST", "/clients/{client_id:int}/sites/{site_id:int}/delete"): TEAM_A_MANAGERS,
    ("POST", "/clients/{client_id:int}/surveys"): TEAM_A_MANAGERS,
    ("GET", "/clients/{client_id:int}/erase"): TEAM_A_MANAGERS,
    ("POST", "/clients/{client_id:int}/erase"): TEAM_A_MANAGERS,
    # Procedures: a team's read by its members, managers and admins (and said read by them);
    # a new one written by the team's managers; the sample, owned by Sophie (staff of A),
    # changed by her and A's managers, never by a manager of B or another member.
    ("GET", "/teams/{team_id:int}/procedures"): TEAM_A,
    ("GET", "/teams/{team_id:int}/procedures/new"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/procedures/new"): TEAM_A_MANAGERS,
    ("GET", "/procedures/{procedure_id:int}"): TEAM_A,
    ("GET", "/procedures/{procedure_id:int}/versions/{version:int}"): TEAM_A,
    ("GET", "/procedures/{procedure_id:int}/edit"): TEAM_A,
    ("POST", "/procedures/{procedure_id:int}/edit"): TEAM_A,
    ("POST", "/procedures/{procedure_id:int}/read"): TEAM_A,
    # Training: a team's sessions, their CSV and a new one for its managers; a session (of
    # team A, Sophie attending) read by the managers of its teams and changed by those of the
    # team that held it; a person's history for them and their teams' managers (each person's
    # own at /training).
    ("GET", "/teams/{team_id:int}/training"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/training.csv"): TEAM_A_MANAGERS,
    ("GET", "/teams/{team_id:int}/training/new"): TEAM_A_MANAGERS,
    ("POST", "/teams/{team_id:int}/training/new"): TEAM_A_MANAGERS,
    ("GET", "/training"): EVERYONE,
    ("GET", "/training/people/{user_id:int}"): TEAM_A,
    ("GET", "/training/{session_id:int}"): TEAM_A_MANAGERS,
    ("GET", "/training/{session_id:int}/edit"): TEAM_A_MANAGERS,
    ("POST", "/training/{session_id:int}/edit"): TEAM_A_MANAGERS,
    ("POST", "/training/{session_id:int}/delete"): TEAM_A_MANAGERS,
}
# Query strings the routes need to name team A (without them a manager of B gets B's page).
QUERIES = {
    "/schedule/manage": "team={team}",
    "/schedule/manage/publish/preview": "team={team}&start=2026-12-15&end=2026-12-21",
    "/schedule/manage/publish": "team={team}",
    "/schedule/manage/rotations/new": "team={team}",
    "/schedule/manage/overrides": "team={team}",
    "/alerts/policy": "team={team}",
    "/qualifications/team": "team={team}",
    "/qualifications/team/csv": "team={team}",
    "/qualifications/team/rotations": "team={team}",
    "/rest/pattern": "person={person}",
    "/rest/absences": "person={person}",
    "/rest/absences/{absence_id:int}/delete": "person={person}",
    "/rest/team": "team={team}",
    "/rest/team.csv": "team={team}",
    "/rest/policy": "team={team}",
    "/api/v1/teams/{team_id:int}/statements": "month=2026-11",
    "/api/v1/teams/{team_id:int}/metrics": "from=2026-11-01&to=2026-11-30",
}
# Routes whose whole point is to end the session: their redirect to /login is success.
ENDS_SESSION = {"/logout", "/logout/everywhere"}
LOGINS = {
    "staff": "staff.b@test.fr",
    "owner": "staff.a@test.fr",
    "manager_b": "manager.b@test.fr",
    "manager_a": "manager.a@test.fr",
    "admin": "admin@test.fr",
}


def app_routes() -> list[tuple[str, str]]:
    """(method, path template) of every route the app serves, OPTIONS aside."""
    database = Database(":memory:")
    try:
        app = create_app(load_settings({}, data_dir=tempfile.mkdtemp()), database=database)
        found = set()
        for route in app.routes:
            if isinstance(route, HTTPRoute):
                found.update((method, route.path) for method in route.methods - {"OPTIONS"})
            else:  # a websocket or a mounted ASGI app needs a rule like any page
                found.add((type(route).__name__, route.path))
        return sorted(found)
    finally:
        database.close()


ROUTES = app_routes()


def is_public(path: str) -> bool:
    return path in PUBLIC or path == PUBLIC_PREFIX or path.startswith(PUBLIC_PREFIX + "/")


class World:
    """The company with a published rotation in team A, a real value for every path parameter,
    and one browser per kind of person."""

    def __init__(self, company: Company, database: Database, open_client, now) -> None:
        self.company = company
        self.database = database
        self.now = now
        actor = Actor(label="test")
        team_a = company.team_a.id
        self.invitation = create_invitation(
            database, company.staff_a2.id, actor=actor, now=now, hours=72
        )
        self.api_token, self.key = create_key(database, team_a, "Supervision", actor=actor, now=now)
        self.other_team_token, _key = create_key(
            database, company.team_b.id, "Autre", actor=actor, now=now
        )
        self.feed = regenerate_feed(database, company.staff_a.id, None, actor=actor, now=now)
        self.clients: dict[str, Client] = {"anonymous": open_client()}
        for role, email in LOGINS.items():
            self.clients[role] = open_client()
            self.clients[role].login(email)
        manager = self.clients["manager_a"]
        # Weekly turns from Monday 30 November: Samuel, Sophie, Samuel, Sophie (21 Dec).
        people = [company.staff_a2.id, company.staff_a.id]
        add_rotation(manager, team_a, people, coverage="always", horizon_weeks=4)
        published = manager.post_form(
            f"/schedule/manage/publish?team={team_a}", {"start": "2026-12-15", "end": "2026-12-27"}
        )
        assert published.status_code == 303, published.text
        self.rotation_id = database.scalar("SELECT id FROM rotations WHERE team_id = ?", (team_a,))
        self.shift_id = database.scalar(
            "SELECT id FROM shifts WHERE user_id = ? AND status = 'published' ORDER BY starts_at",
            (company.staff_a.id,),
        )
        assert self.rotation_id and self.shift_id
        # An alert of team A (nobody is on call at this hour: nobody is paged), Sophie's phone,
        # and the acknowledgement token a push to her would have carried.
        self.record = "0b5e2a8e-4c1f-4d6b-9a8e-2f3c4d5e6f70"
        apply_operation(
            database,
            current_user(database, company.staff_a.id),
            CreateOp(
                op_id="1d4c3b2a-0000-4000-8000-000000000001",
                uuid=self.record,
                changed_at=now,
                data=InterventionData(
                    started_at=now - timedelta(hours=3),
                    ended_at=now - timedelta(hours=2),
                    place="Chaufferie B",
                ),
            ),
            now,
        )
        self.alert, _new = create_alert(
            database,
            team_a,
            AlertIn(title="Chaudière en panne"),
            now=now,
            channels=frozenset({"push"}),
        )
        self.device_id, self.device_token = self.add_device()
        self.absence = add_absence(
            database,
            company.staff_a.id,
            AbsenceIn(kind="leave", first_day=date(2026, 12, 24), last_day=date(2026, 12, 24)),
            actor=actor,
            now=now,
        )
        # Théo, new in team A and on call nowhere yet (no check warns), takes Sophie's turn; and
        # the approval token a push to Marc would have carried.
        theo = create_user(
            database, UserForm(email="theo.a@test.fr", name="Théo Nouveau"), actor=actor, now=now
        )
        set_membership(database, team_a, theo.id, "member", actor=actor, now=now)
        # Théo has not chosen a password yet: his manager may invite him (a reset of someone
        # who has one is for admins only, see test_people_of_several_teams).
        self.theo = theo
        self.swap = create_request(
            database,
            current_user(database, company.staff_a.id),
            self.shift_id,
            kind="cover",
            starts_at=None,
            ends_at=None,
            target_id=None,
            counter_shift_id=None,
            note="",
            now=now,
        )
        taken = accept_swap(database, self.swap.id, current_user(database, theo.id), now)
        self.approval_token = "approval-token-of-marcs-push"
        with database.write():
            database.insert(
                "swap_approval_tokens",
                {
                    "token_hash": hashlib.sha256(self.approval_token.encode()).hexdigest(),
                    "swap_id": taken.id,
                    "user_id": company.manager_a.id,
                    "version": taken.version,
                    "expires_at": to_db(now + timedelta(hours=24)),
                },
            )
        self.qualification = save_qualification(
            database, QualificationForm(name="Habilitation électrique BR"), actor=actor, now=now
        )
        self.holding = save_holding(
            database,
            company.staff_a.id,
            self.qualification.id,
            date(2026, 1, 5),
            None,
            actor=actor,
            now=now,
        )
        # A client of each team, with a site: A's for the routes, B's for the forms naming it.
        self.client, self.client_b = (
            create_client(
                database,
                team,
                ClientInput(name=name),
                [SiteInput(name="Chaufferie")],
                [],
                actor=actor,
                now=now,
            )
            for team, name in ((team_a, "Résidence A"), (company.team_b.id, "Résidence B"))
        )
        self.review_action = add_action(
            database,
            team_a,
            "2026-11",
            {"what": "Vérifier les sondes", "due_on": "2026-12-15"},
            actor=actor,
            now=now,
        )
        self.training = create_session(
            database,
            team_a,
            {"topic": "Gestion du stress", "kind": "stress", "held_on": "2026-11-02"},
            [str(company.staff_a.id)],
            people={company.staff_a.id},
            today=date(2026, 11, 30),
            actor=actor,
            now=now,
        )
        self.statement_id = self.statement()
        self.ack_token = "ack-token-of-sophies-push"
        with database.write():
            database.insert(
                "ack_tokens",
                {
                    "token_hash": hashlib.sha256(self.ack_token.encode()).hexdigest(),
                    "alert_id": self.alert.id,
                    "user_id": company.staff_a.id,
                    "expires_at": to_db(now + timedelta(hours=24)),
                },
            )

    def statement(self) -> int:
        """Sophie's statement of October 2026 (a night of hers, the month closed by Marc)."""
        with self.database.write():
            self.database.insert(
                "shifts",
                {
                    "team_id": self.company.team_a.id,
                    "kind": "regular",
                    "layer": "primary",
                    "user_id": self.company.staff_a.id,
                    "starts_at": "2026-10-12T16:00:00Z",
                    "ends_at": "2026-10-13T06:00:00Z",
                    "status": "accepted",
                    "created_at": to_db(self.now),
                    "updated_at": to_db(self.now),
                },
            )
        close_month(
            self.database,
            self.company.team_a.id,
            "2026-10",
            now=self.now,
            channels=frozenset(),
            by=current_user(self.database, self.company.manager_a.id),
        )
        return self.database.scalar(
            "SELECT id FROM statements WHERE user_id = ?", (self.company.staff_a.id,)
        )

    def add_device(self) -> tuple[int, str]:
        count = self.database.scalar("SELECT COUNT(*) FROM push_subscriptions")
        subscribed = subscribe(
            self.database,
            self.company.staff_a.id,
            SubscriptionIn(
                endpoint=f"https://push.example.net/sophie/{count}",
                keys=SubscriptionKeys(p256dh="B" + "A" * 86, auth="c2VjcmV0LWF1dGg"),
            ),
            user_agent="Sophie's phone",
            now=self.now,
        )
        return subscribed.id, subscribed.device_token

    def sample_procedure(self) -> int:
        """Team A's procedure owned by Sophie (staff), written the first time a route needs
        one, straight in its tables (no audit entry: the refused requests count them); other
        tests of this world see no procedure."""
        found = self.database.scalar(
            "SELECT MIN(id) FROM procedures WHERE team_id = ?", (self.company.team_a.id,)
        )
        if found:
            return found
        text = ProcedureInput(
            title="Chaudière en panne",
            body="- [ ] Couper la vanne",
            note="",
            owner_id=self.company.staff_a.id,
            review_on=None,
            tags=(),
        )
        with self.database.write():
            found = procedure_store.insert_procedure(
                self.database,
                self.company.team_a.id,
                self.company.staff_a.id,
                (self.now + timedelta(days=180)).date(),
                self.now,
            )
            procedure_store.insert_version(
                self.database, found, 1, text, self.company.manager_a.id, self.now
            )
        return found

    def device(self) -> int:
        """Sophie's phone; once she removed it, the next person tries a fresh one of hers."""
        if not self.database.scalar(
            "SELECT COUNT(*) FROM push_subscriptions WHERE id = ?", (self.device_id,)
        ):
            self.device_id, self.device_token = self.add_device()
        return self.device_id

    def url(self, path: str, **values: int | str) -> str:
        samples = {
            "user_id": self.theo.id if path.endswith("/invitation") else self.company.staff_a.id,
            "team_id": self.company.team_a.id,
            "key_id": self.key.id,
            "rotation_id": self.rotation_id,
            "shift_id": self.shift_id,
            "token": self.feed if path.startswith("/calendar/") else self.invitation,
            "code": "en",
            "name": "cache.js",
            "file_path": "htmx.min.js" if path.startswith("/static/vendor/") else "app.css",
            "path": "openapi.yaml",
            "alert_id": self.alert.id,
            "record": self.record,
            "device_id": self.device() if "{device_id" in path else self.device_id,
            "absence_id": self.absence.id,
            "swap_id": self.swap.id,
            "qualification_id": self.qualification.id,
            "holding_id": self.holding.id,
            "statement_id": self.statement_id,
            "person_id": self.company.staff_a.id,
            "month": "2026-11",
            "version": 1 if path.startswith("/procedures/") else "v1.pdf",
            "procedure_id": self.sample_procedure() if "{procedure_id" in path else 0,
            "action_id": self.review_action.id,
            "session_id": self.training.id,
            "table": "people.csv",
            "client_id": self.client.id,
            "site_id": self.client.sites[0].id,
            **values,
        }

        def value(match: re.Match) -> str:
            name = match.group(1)
            assert name in samples, f"no sample value for path parameter {name!r} of {path}"
            return str(samples[name])

        url = re.sub(r"\{(\w+)(?::\w+)?\}", value, path)
        query = QUERIES.get(path)
        if not query:
            return url
        person = values.get("person", self.company.staff_a.id)
        return f"{url}?{query.format(team=self.company.team_a.id, person=person)}"

    def audit_count(self) -> int:
        return self.database.scalar("SELECT count(*) FROM audit_log")

    def send(self, role: str, method: str, path: str, values: dict | None = None, **kwargs):
        client = self.clients[role]
        url = self.url(path, **(values or {}))
        if method == "POST":
            return client.post_form(url, {}, **kwargs)
        return client.request(method, url, follow_redirects=False, **kwargs)


@pytest.fixture
def world(company: Company, database: Database, app, clock) -> Iterator[World]:
    # Browsers are closed in the reverse order they were opened (the app's lifespan needs it).
    with ExitStack() as stack:

        def open_client() -> Client:
            return stack.enter_context(Client(app=app, base_url="http://testserver.local"))

        yield World(company, database, open_client, clock.now())


def test_every_route_is_public_or_has_a_rule() -> None:
    assert len(ROUTES) > 20, ROUTES
    missing = [route for route in ROUTES if route not in RULES and not is_public(route[1])]
    assert not missing, f"routes with no authorisation rule in this test: {missing}"
    stale = [route for route in RULES if route not in ROUTES]
    assert not stale, f"rules for routes the app no longer has: {stale}"


def test_the_public_list_stays_small() -> None:
    public = {path for _method, path in ROUTES if is_public(path)}
    assert {path for path in public if not path.startswith(PUBLIC_PREFIX)} == PUBLIC
    assert not any(path.startswith("/api/") for path in public)


def refused_login(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def assert_allowed(
    world: World, role: str, method: str, path: str, values: dict | None = None
) -> None:
    response = world.send(role, method, path, values)
    what = f"{role} {method} {path}: {response.status_code} {response.text[:300]}"
    assert response.status_code < 500, what
    assert response.status_code not in (401, 403), what
    if path not in ENDS_SESSION:
        assert not refused_login(response), what


def assert_forbidden(
    world: World, role: str, method: str, path: str, values: dict | None = None
) -> None:
    if "{device_id" in path:
        world.device()  # set up (and audited) before counting, not by the refused request
    before = world.audit_count()
    response = world.send(role, method, path, values)
    assert response.status_code == 403, f"{role} {method} {path}: {response.status_code}"
    assert "<html" in response.text
    assert world.audit_count() == before, f"{role} {method} {path} changed something"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        route
        for route in ROUTES
        if RULES.get(route, API_KEY)
        not in (API_KEY, TOKEN, SESSION_JSON, SESSION_READ, SESSION_PROCEDURES)
    ],
    ids=lambda value: value,
)
def test_page_rule(world: World, method: str, path: str) -> None:
    allowed = RULES[(method, path)]
    before = world.audit_count()
    anonymous = world.send("anonymous", method, path)
    assert refused_login(anonymous), (anonymous.status_code, anonymous.headers)
    assert world.audit_count() == before
    htmx = world.send("anonymous", method, path, headers={"HX-Request": "true"})
    assert htmx.status_code == 401
    assert htmx.headers["hx-redirect"].startswith("/login")

    for role in LOGINS:
        if role in allowed:
            assert_allowed(world, role, method, path)
        else:
            assert_forbidden(world, role, method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [route for route in ROUTES if RULES.get(route) is API_KEY],
    ids=lambda value: value,
)
def test_api_rule(world: World, method: str, path: str) -> None:
    # No key, and a browser session (even an admin's) is not an API credential.
    for role in ("anonymous", "staff", "admin"):
        response = world.send(role, method, path)
        assert response.status_code == 401, (role, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 401
    wrong = world.send("anonymous", method, path, headers={"Authorization": "Bearer ast_wrong"})
    assert wrong.status_code == 401
    keyed = world.send(
        "anonymous", method, path, headers={"Authorization": f"Bearer {world.api_token}"}
    )
    assert keyed.status_code < 500, keyed.text
    assert keyed.status_code not in (401, 403), keyed.text
    if "{team_id" in path or "{alert_id" in path:
        other = world.send(
            "anonymous", method, path, headers={"Authorization": f"Bearer {world.other_team_token}"}
        )
        assert other.status_code == 403, other.text
        assert other.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("method", "path"), [route for route in ROUTES if RULES.get(route) is SESSION_JSON]
)
def test_session_json_rule(world: World, method: str, path: str) -> None:
    if path == "/api/v1/surveys/qr-pool":
        return _qr_pool_rule(world, path)
    body = {"operations": []}
    nobody = world.clients["anonymous"].post(world.url(path), json=body)
    assert nobody.status_code == 401
    assert nobody.headers["content-type"].startswith("application/problem+json")
    for role in LOGINS:
        answer = world.clients[role].post(world.url(path), json=body)
        assert answer.status_code == 200, (role, answer.text)
        assert answer.json() == {"results": []}


def _qr_pool_rule(world: World, path: str) -> None:
    """Each person gets codes of their own (none for the admin, in no team)."""
    nobody = world.clients["anonymous"].post(path, json={"held": []})
    assert nobody.status_code == 401
    for role in LOGINS:
        answer = world.clients[role].post(path, json={"held": []})
        assert answer.status_code == 200, (role, answer.text)
        assert len(answer.json()["tokens"]) == (0 if role == "admin" else 5)
    rows = world.database.query("SELECT user_id FROM survey_qr_tokens")
    owners = {row["user_id"] for row in rows}
    assert world.company.admin.id not in owners and len(owners) == 4


def test_session_read_rule_gives_each_person_their_teams_clients_only(world: World) -> None:
    from tests.integration.caller_helpers import add_client

    path = "/api/v1/me/clients"
    assert [r for r in ROUTES if RULES.get(r) is SESSION_READ] == [("GET", path)]
    add_client(world.database, world.company.team_a.id, "Client A", sites=[{"name": "A"}])
    add_client(world.database, world.company.team_b.id, "Client B", sites=[{"name": "B"}])
    nobody = world.clients["anonymous"].get(world.url(path))
    assert nobody.status_code == 401
    assert nobody.headers["content-type"].startswith("application/problem+json")
    # Sophie and Marc are in team A, staff and Nina in team B, the admin in none.
    teams = {"owner": "team_a", "manager_a": "team_a", "staff": "team_b", "manager_b": "team_b"}
    for role in LOGINS:
        answer = world.clients[role].get(world.url(path))
        assert answer.status_code == 200, (role, answer.text)
        names = {c["name"] for c in answer.json()["clients"]}
        team = getattr(world.company, teams[role]).id if role in teams else None
        mine = {
            r["name"]
            for r in world.database.query(
                "SELECT name FROM clients WHERE team_id = ? AND erased_at IS NULL", (team,)
            )
        }
        assert names == mine, role
        assert ("Client A" in names) == (role in ("owner", "manager_a")), role
        assert ("Client B" in names) == (role in ("staff", "manager_b")), role


def test_session_procedures_rule_gives_each_person_their_teams_procedures_only(
    world: World,
) -> None:
    from tests.integration.procedure_offline_helpers import add_procedure

    routes = [r for r in ROUTES if RULES.get(r) is SESSION_PROCEDURES]
    assert routes == [("GET", "/api/v1/me/procedures"), ("GET", "/api/v1/me/procedures/pages")]
    ours = add_procedure(world.database, world.company.team_a.id, "Procédure A")
    theirs = add_procedure(world.database, world.company.team_b.id, "Procédure B")
    both = {"ids": f"{ours},{theirs}"}
    for path in ("/api/v1/me/procedures", "/api/v1/me/procedures/pages"):
        nobody = world.clients["anonymous"].get(path, params=both)
        assert nobody.status_code == 401
        assert nobody.headers["content-type"].startswith("application/problem+json")
    # Sophie and Marc are in team A, staff and Nina in team B, the admin in none.
    mine = {"owner": [ours], "manager_a": [ours], "staff": [theirs], "manager_b": [theirs]}
    for role in LOGINS:
        kept = world.clients[role].get("/api/v1/me/procedures")
        assert kept.status_code == 200, (role, kept.text)
        assert [p["id"] for p in kept.json()["procedures"]] == mine.get(role, []), role
        pages = world.clients[role].get("/api/v1/me/procedures/pages", params=both)
        assert pages.status_code == 200, (role, pages.text)
        assert [p["id"] for p in pages.json()["pages"]] == mine.get(role, []), role


def token_bodies(world: World, path: str) -> tuple[dict, dict]:
    """(a body with a made-up secret, the body the service worker really sends)."""
    if path.endswith("/renew"):
        fresh = {
            "endpoint": "https://push.example.net/sophie/renewed",
            "keys": {"p256dh": "B" + "A" * 86, "auth": "bmV3LWF1dGgtc2VjcmV0"},
        }
        return (
            {"device_token": "made-up-device-token-0123456789", "subscription": fresh},
            {"device_token": world.device_token, "subscription": fresh},
        )
    if "/swaps/" in path:
        return {"token": "made-up-approval-token"}, {"token": world.approval_token}
    return {"token": "made-up-acknowledgement-token"}, {"token": world.ack_token}


@pytest.mark.parametrize(
    ("method", "path"),
    [route for route in ROUTES if RULES.get(route) is TOKEN],
    ids=lambda value: value,
)
def test_token_rule(world: World, method: str, path: str) -> None:
    # No session or key is needed (a service worker has neither), and none is enough: without
    # its secret the call changes nothing, even from an admin's browser.
    alert_before = world.database.one("SELECT * FROM alerts WHERE id = ?", (world.alert.id,))
    devices_before = world.database.query("SELECT * FROM push_subscriptions ORDER BY id")
    wrong, right = token_bodies(world, path)
    for role in ("anonymous", "admin"):
        empty = world.send(role, method, path)
        assert empty.status_code == 400, (role, empty.status_code)
        assert empty.headers["content-type"].startswith("application/problem+json")
        made_up = world.clients[role].post(path, json=wrong)
        assert made_up.status_code == 404, (role, made_up.text)
    keyed = world.clients["anonymous"].post(
        path, json=wrong, headers={"Authorization": f"Bearer {world.api_token}"}
    )
    assert keyed.status_code == 404
    assert world.database.one("SELECT * FROM alerts WHERE id = ?", (world.alert.id,)) == (
        alert_before
    )
    assert world.database.query("SELECT * FROM push_subscriptions ORDER BY id") == devices_before
    # With its secret, anyone may: the secret is the credential.
    right_answer = world.clients["anonymous"].post(path, json=right)
    assert right_answer.is_success, right_answer.text


@pytest.mark.parametrize(
    ("method", "path"), [route for route in ROUTES if is_public(route[1])], ids=lambda v: v
)
def test_public_route_is_open_to_anonymous(world: World, method: str, path: str) -> None:
    response = world.send("anonymous", method, path)
    assert response.status_code < 500, response.text[:300]
    assert response.status_code not in (401, 403)
    assert not refused_login(response)


def test_a_manager_lists_only_the_people_of_their_teams(world: World) -> None:
    page = world.clients["manager_b"].get("/people").text
    assert "Bruno Staff" in page
    assert "Sophie Staff" not in page
    assert "Marc Manager" not in page


def test_a_manager_cannot_change_a_person_of_another_team(world: World) -> None:
    staff_a = world.company.staff_a
    response = world.clients["manager_b"].post_form(
        f"/people/{staff_a.id}",
        {"name": "Renamed", "email": "stolen@evil.example", "role": "staff", "active": "true"},
    )
    assert response.status_code == 403
    row = world.database.one("SELECT name, email FROM users WHERE id = ?", (staff_a.id,))
    assert row == {"name": "Sophie Staff", "email": "staff.a@test.fr"}


# People in several teams ----------------------------------------------------------------------

# What a manager changes about a person: their account, their working hours and days off.
PERSON_ROUTES = [route for route in ROUTES if route[1].startswith("/people/{user_id")] + [
    ("GET", "/rest/pattern"),
    ("POST", "/rest/pattern"),
    ("POST", "/rest/absences"),
]


def several_teams(world: World) -> dict[str, int]:
    """Claire manages team A and is a plain member of team B, and has chosen a password; Paul
    is a plain member of both and has not yet."""
    actor, now = Actor(label="test"), world.now
    people = {}
    for key, email, name, role_in_a in (
        ("claire", "claire.ab@test.fr", "Claire Deux-Équipes", "manager"),
        ("paul", "paul.ab@test.fr", "Paul Deux-Équipes", "member"),
    ):
        user = create_user(world.database, UserForm(email=email, name=name), actor=actor, now=now)
        set_membership(
            world.database, world.company.team_a.id, user.id, role_in_a, actor=actor, now=now
        )
        set_membership(
            world.database, world.company.team_b.id, user.id, "member", actor=actor, now=now
        )
        people[key] = user.id
    with world.database.write():
        world.database.execute(
            "UPDATE users SET password_hash = 'x' WHERE id = ?", (people["claire"],)
        )
    return people


def several_teams_rule(subject: str, path: str) -> frozenset[str]:
    if subject == "paul":  # in both teams, manages neither: either team's manager
        return MANAGERS
    if path.endswith("/invitation"):  # Claire has a password: a link would be a reset
        return ADMINS
    return TEAM_A_MANAGERS  # the manager of B must not take over a manager of A


@pytest.mark.parametrize("subject", ["claire", "paul"])
@pytest.mark.parametrize(("method", "path"), PERSON_ROUTES, ids=lambda value: value)
def test_people_of_several_teams(world: World, subject: str, method: str, path: str) -> None:
    assert len(PERSON_ROUTES) >= 3, PERSON_ROUTES
    person = several_teams(world)[subject]
    values = {"user_id": person, "person": person}
    allowed = several_teams_rule(subject, path)
    for role in LOGINS:
        if role in allowed:
            assert_allowed(world, role, method, path, values)
        else:
            assert_forbidden(world, role, method, path, values)


# Statements of people in several teams: each team's managers read that team's statement of
# the person (a statement is the team's business, whoever else the person manages); a manager
# of neither is refused, and an hourly wage follows the rule of acting on a person.
STATEMENT_PERSON_ROUTES = [("GET", "/statements/{person_id:int}/{month:str}")]


@pytest.mark.parametrize("subject", ["claire", "paul"])
@pytest.mark.parametrize(("method", "path"), STATEMENT_PERSON_ROUTES, ids=lambda value: value)
def test_statements_of_people_in_several_teams(
    world: World, subject: str, method: str, path: str
) -> None:
    person = several_teams(world)[subject]
    values = {"person_id": person}
    for role in LOGINS:
        if role in MANAGERS:
            assert_allowed(world, role, method, path, values)
            page = world.send(role, method, path, values).text
            # Each manager reads only the teams they manage.
            if role == "manager_b":
                assert "Informatique" in page and "Maintenance" not in page
            if role == "manager_a":
                assert "Maintenance" in page and "Informatique" not in page
        else:
            assert_forbidden(world, role, method, path, values)


# Training of people in several teams: a session of team A attended by Claire and Paul (both
# also in team B) is read by either team's managers, changed by team A's only; their training
# history is read by either team's managers (and themselves), never by staff.
TRAINING_SEVERAL_TEAMS = [
    ("GET", "/training/{session_id:int}", MANAGERS),
    ("GET", "/training/{session_id:int}/edit", TEAM_A_MANAGERS),
    ("POST", "/training/{session_id:int}/edit", TEAM_A_MANAGERS),
    ("GET", "/training/people/{user_id:int}", MANAGERS),
]


@pytest.mark.parametrize("subject", ["claire", "paul"])
# Ids from the sorted roles: a frozenset's order follows the hash seed, which differs between
# xdist workers, and workers must collect the same ids.
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    TRAINING_SEVERAL_TEAMS,
    ids=lambda value: "+".join(sorted(value)) if isinstance(value, frozenset) else str(value),
)
def test_training_of_people_in_several_teams(
    world: World, subject: str, method: str, path: str, allowed: frozenset[str]
) -> None:
    person = several_teams(world)[subject]
    session = create_session(
        world.database,
        world.company.team_a.id,
        {"topic": "Communication client", "kind": "communication", "held_on": "2026-11-02"},
        [str(person)],
        people={person},
        today=date(2026, 11, 30),
        actor=Actor(label="test"),
        now=world.now,
    )
    values = {"session_id": session.id, "user_id": person}
    for role in LOGINS:
        if role in allowed:
            assert_allowed(world, role, method, path, values)
        else:
            assert_forbidden(world, role, method, path, values)
    # Nina (manager of B) reads the person's figures on the session's page.
    page = world.clients["manager_b"].get(f"/training/{session.id}").text
    assert "training-effect" in page and ("Deux-Équipes" in page)


# Ids sent in form bodies ----------------------------------------------------------------------


class BodyCase(NamedTuple):
    """Who posts the form, the route (World.url fills its path), the form naming something of
    another team (or nobody), and the control: who posts and what changes in the form for the
    same request to be one the app accepts (so a refusal is about the id, not the form)."""

    role: str
    path: str
    form: dict
    control_role: str
    control: dict


def body_cases(world: World) -> dict[str, BodyCase]:
    company = world.company
    team_a, outsider = company.team_a.id, company.staff_b.id  # Bruno is in team B only
    colleague = company.staff_a2.id  # Samuel is in team A
    shift_version = world.database.scalar(
        "SELECT version FROM shifts WHERE id = ?", (world.shift_id,)
    )
    rotation = {
        "name": "Renfort",
        "layer": "secondary",
        "start_date": "2026-12-28",
        "handoff_time": "08:00",
        "length": "1",
        "length_unit": "weeks",
        "coverage": "always",
        "horizon_weeks": "2",
    }
    intervention = {
        "uuid": "0b5e2a8e-4c1f-4d6b-9a8e-2f3c4d5e6f71",
        "started_at": "2026-11-30T08:00",
        "ended_at": "2026-11-30T08:30",
        "mode": "remote",
        "alert_id": world.alert.id,
    }
    return {
        "a manager of B adds a person to team A": BodyCase(
            "manager_b",
            "/people/new",
            {"name": "Intrus", "email": "intrus@test.fr", "role": "staff", "team_id": team_a},
            "manager_a",
            {},
        ),
        "staff of B raises an alert for team A": BodyCase(
            "staff",
            "/alerts/new",
            {"team_id": team_a, "title": "Fausse alerte", "severity": "critical"},
            "owner",
            {},
        ),
        "staff of B asks for team A's calendar": BodyCase(
            "staff", "/schedule/feeds", {"team_id": team_a}, "owner", {}
        ),
        "a manager of A gives an alert to someone of B": BodyCase(
            "manager_a",
            "/alerts/{alert_id:int}/reassign",
            {"user_id": outsider},
            "manager_a",
            {"user_id": colleague},
        ),
        "a manager of A pages someone of B in the policy": BodyCase(
            "manager_a",
            "/alerts/policy",
            {"target_0": "primary", "person_0": outsider, "delay_0": "0", "reason": "test"},
            "manager_a",
            {"person_0": colleague},
        ),
        "a manager of A puts someone of B on call (override)": BodyCase(
            "manager_a",
            "/schedule/manage/overrides",
            {
                "user_id": outsider,
                "layer": "primary",
                "starts_at": "2026-12-16T20:00",
                "ends_at": "2026-12-17T08:00",
                "exceptional": "true",
                "reason": "test",
            },
            "manager_a",
            {"user_id": colleague},
        ),
        "a manager of A gives a shift to someone of B": BodyCase(
            "manager_a",
            "/schedule/manage/shifts/{shift_id:int}",
            {"user_id": outsider, "version": shift_version, "exceptional": "true", "reason": "t"},
            "manager_a",
            {"user_id": colleague},
        ),
        "a manager of A puts someone of B in a rotation": BodyCase(
            "manager_a",
            "/schedule/manage/rotations/new",
            {**rotation, f"order_{outsider}": "1"},
            "manager_a",
            {f"order_{outsider}": "", f"order_{colleague}": "1"},
        ),
        "Sophie asks someone of B to cover her shift": BodyCase(
            "owner",
            "/swaps/shifts/{shift_id:int}/new",
            {"kind": "cover", "whole": "true", "target": str(outsider)},
            "owner",
            {"target": str(colleague)},
        ),
        "staff of B links an intervention to team A's alert": BodyCase(
            "staff", "/interventions/new", intervention, "owner", {}
        ),
        "a manager of A puts someone of B in charge of a review action": BodyCase(
            "manager_a",
            "/teams/{team_id:int}/reviews/{month:str}/actions",
            {"what": "Former Bruno", "due_on": "2026-12-15", "assignee_id": outsider},
            "manager_a",
            {"assignee_id": colleague},
        ),
        "a manager of A gives a client of A a site of B": BodyCase(
            "manager_a",
            "/clients/{client_id:int}/edit",
            {
                "version": "1",
                "name": "Résidence A",
                "site_0_id": str(world.client_b.sites[0].id),
                "site_0_name": "Pris à B",
            },
            "manager_a",
            {"site_0_id": str(world.client.sites[0].id)},
        ),
        "a manager of A gives a number of a client of A to a site of B": BodyCase(
            "manager_a",
            "/clients/{client_id:int}/edit",
            {
                "version": "1",
                "name": "Résidence A",
                "phone_0_number": "06 12 34 56 78",
                "phone_0_site_id": str(world.client_b.sites[0].id),
            },
            "manager_a",
            {"phone_0_site_id": str(world.client.sites[0].id)},
        ),
        "a manager of A names someone of B at a training of A": BodyCase(
            "manager_a",
            "/teams/{team_id:int}/training/new",
            {
                "topic": "Gestion du stress",
                "kind": "stress",
                "held_on": "2026-11-02",
                "attendees": outsider,
            },
            "manager_a",
            {"attendees": colleague},
        ),
        "a manager of A names someone of B as the trainer": BodyCase(
            "manager_a",
            "/training/{session_id:int}/edit",
            {
                "topic": "Gestion du stress",
                "kind": "stress",
                "held_on": "2026-11-02",
                "attendees": colleague,
                "trainer_id": outsider,
            },
            "manager_a",
            {"trainer_id": colleague},
        ),
        "the admin adds a person who does not exist to a team": BodyCase(
            "admin",
            "/admin/teams/{team_id:int}/members",
            {"user_id": 999999, "team_role": "member"},
            "admin",
            {"user_id": outsider},
        ),
    }


BODY_CASES = [
    "a manager of B adds a person to team A",
    "staff of B raises an alert for team A",
    "staff of B asks for team A's calendar",
    "a manager of A gives an alert to someone of B",
    "a manager of A pages someone of B in the policy",
    "a manager of A puts someone of B on call (override)",
    "a manager of A gives a shift to someone of B",
    "a manager of A puts someone of B in a rotation",
    "Sophie asks someone of B to cover her shift",
    "staff of B links an intervention to team A's alert",
    "a manager of A puts someone of B in charge of a review action",
    "a manager of A gives a client of A a site of B",
    "a manager of A gives a number of a client of A to a site of B",
    "a manager of A names someone of B at a training of A",
    "a manager of A names someone of B as the trainer",
    "the admin adds a person who does not exist to a team",
]


# What a form of BODY_CASES could change (sessions aside: reading a page touches them).
FOOTPRINT = (
    "audit_log",
    "users",
    "memberships",
    "alerts",
    "teams",
    "rotations",
    "shifts",
    "swap_requests",
    "calendar_feeds",
    "interventions",
    "review_actions",
    "clients",
    "client_sites",
    "client_phones",
    "training_sessions",
    "training_attendees",
)


def footprint(world: World) -> dict[str, list[dict]]:
    return {t: world.database.query(f"SELECT * FROM {t} ORDER BY rowid") for t in FOOTPRINT}


@pytest.mark.parametrize("case", BODY_CASES)
def test_an_id_in_a_form_body_is_checked_like_one_in_the_path(world: World, case: str) -> None:
    role, path, form, control_role, control = body_cases(world)[case]

    def post(who: str, fields: dict):
        return world.clients[who].post_form(
            world.url(path), {k: str(v) for k, v in fields.items() if v != ""}
        )

    if path.startswith("/swaps/"):  # Sophie's shift is free to ask about again
        assert world.clients["owner"].post_form(f"/swaps/{world.swap.id}/cancel").is_redirect
    before = footprint(world)
    refused = post(role, form)
    assert 400 <= refused.status_code < 500, (case, refused.status_code, refused.text[:300])
    assert footprint(world) == before, f"{case}: something changed"
    # The same form naming what the poster may name goes through.
    accepted = post(control_role, {**form, **control})
    # A new person's answer is their invitation page itself (its link is shown only there).
    success = 200 if path == "/people/new" else 303
    assert accepted.status_code == success, (case, accepted.status_code, accepted.text[:300])
    assert footprint(world) != before


# Tokens after the person's access ended --------------------------------------------------------

EVENTS = [None, "deactivation", "logout everywhere", "removal from the team"]
TOKENS = ["acknowledgement", "device", "approval", "invitation", "own calendar", "team calendar"]


def end_access(world: World, event: str, person_id: int, login: str) -> None:
    """What ends the person's access, done through the app as it would be."""
    admin = world.clients["admin"]
    if event == "deactivation":
        person = world.database.one("SELECT * FROM users WHERE id = ?", (person_id,))
        done = admin.post_form(
            f"/people/{person_id}",
            {"name": person["name"], "email": person["email"], "role": person["role"]},
        )
    elif event == "logout everywhere":
        done = world.clients[login].post_form("/logout/everywhere")
    else:
        done = admin.post_form(f"/admin/teams/{world.company.team_a.id}/members/{person_id}/remove")
    assert done.status_code == 303, (event, done.status_code, done.text[:300])


def use_token(world: World, kind: str) -> tuple[int, str]:
    """Use a secret of Sophie's (Marc's for the approval) with no session: (status, state), the
    state being what the secret would change."""
    anonymous = world.clients["anonymous"]
    db = world.database
    if kind == "acknowledgement":
        answer = anonymous.post("/api/v1/push/ack", json={"token": world.ack_token})
        return answer.status_code, db.scalar(
            "SELECT status FROM alerts WHERE id = ?", (world.alert.id,)
        )
    if kind == "device":
        fresh = {
            "endpoint": "https://push.example.net/sophie/after",
            "keys": {"p256dh": "B" + "A" * 86, "auth": "bmV3LWF1dGgtc2VjcmV0"},
        }
        answer = anonymous.post(
            "/api/v1/push/renew", json={"device_token": world.device_token, "subscription": fresh}
        )
        return answer.status_code, str(db.query("SELECT endpoint FROM push_subscriptions"))
    if kind == "approval":
        answer = anonymous.post("/api/v1/swaps/approve", json={"token": world.approval_token})
        return answer.status_code, db.scalar(
            "SELECT status FROM swap_requests WHERE id = ?", (world.swap.id,)
        )
    if kind == "invitation":
        answer = anonymous.get(f"/invite/{world.sophie_invitation}")
        return answer.status_code, ""
    feed = world.own_feed if kind == "own calendar" else world.team_feed
    return anonymous.get(f"/calendar/{feed}.ics").status_code, ""


@pytest.mark.parametrize("kind", TOKENS)
@pytest.mark.parametrize("event", EVENTS)
def test_a_token_stops_working_when_its_persons_access_ends(
    world: World, event: str | None, kind: str
) -> None:
    company, actor = world.company, Actor(label="test")
    world.sophie_invitation = create_invitation(
        world.database, company.staff_a.id, actor=actor, now=world.now, hours=72
    )
    world.own_feed = world.feed
    world.team_feed = regenerate_feed(
        world.database, company.staff_a.id, company.team_a.id, actor=actor, now=world.now
    )
    marcs = kind == "approval"
    if event is None:  # the control: with access intact, each secret works
        status, _state = use_token(world, kind)
        assert status == 200, (kind, status)
        return
    end_access(
        world,
        event,
        company.manager_a.id if marcs else company.staff_a.id,
        "manager_a" if marcs else "owner",
    )
    status, state = use_token(world, kind)
    if (event, kind) == ("removal from the team", "own calendar"):
        # The one secret that outlives leaving the team: it lists the person's own shifts,
        # which stay theirs (README, Security); the account is still active.
        assert status == 200
        return
    assert status in (403, 404), (event, kind, status)
    if kind == "acknowledgement":
        assert state == "triggered"
    if kind == "approval":
        assert state == "accepted"
    if kind == "device":
        assert "after" not in state
