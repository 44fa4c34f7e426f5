"""Shared fixtures: a temporary database with migrations, an app per test, an injected clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from litestar.testing import TestClient

from server.accounts import passwords
from server.accounts.models import UserForm
from server.accounts.store import create_user
from server.app import create_app
from server.audit.models import Actor
from server.clock import ManualClock
from server.db import Database, open_database
from server.settings import Settings, load_settings
from server.teams.models import TeamForm
from server.teams.store import create_team, set_membership
from tests.push_service import listening_socket, origin_of

PASSWORD = "correct horse battery"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def pytest_report_header(config: pytest.Config) -> str:
    """The wall clock the run sees (browser tests run on it): `make test-anytime` sets it."""
    paris = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris"))
    faked = " (libfaketime)" if "faketime" in os.environ.get("LD_PRELOAD", "") else ""
    return f"wall clock: {paris:%A %Y-%m-%d %H:%M %Z} in Paris{faked}"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with tiny costs: the same code path, without seconds of hashing per test."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


class LocalOrigins:
    """Sockets listening on 127.0.0.1 for the test's push service and webhook receiver, opened
    before the app's settings so that ASTREINTE_PUSH_ALLOW lists exactly these two origins: the
    server sends nowhere else that is local, as in production."""

    def __init__(self) -> None:
        self.push = listening_socket()
        self.webhook = listening_socket()

    @property
    def allow(self) -> str:
        return ",".join(origin_of(listener) for listener in (self.push, self.webhook))

    def close(self) -> None:
        self.push.close()
        self.webhook.close()


@pytest.fixture
def local_origins() -> Iterator[LocalOrigins]:
    origins = LocalOrigins()
    yield origins
    origins.close()


@pytest.fixture
def settings(tmp_path: Path, local_origins: LocalOrigins) -> Settings:
    # The engine runs only when a test calls app.state.engine.run_once() with its clock.
    return load_settings(
        {}, data_dir=str(tmp_path / "data"), engine_interval=0, push_allow=local_origins.allow
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = open_database(settings.database_path)
    yield db
    db.close()


class Company:
    """A small company: two teams, a manager for each, staff, and an admin."""

    def __init__(self, database: Database, now: datetime) -> None:
        actor = Actor(label="test")
        self.team_a = create_team(database, TeamForm(name="Maintenance"), actor=actor, now=now)
        self.team_b = create_team(database, TeamForm(name="Informatique"), actor=actor, now=now)
        hashed = passwords.hash_password(PASSWORD)

        def person(email: str, name: str, role: str, team=None, team_role="member"):
            user = create_user(
                database,
                UserForm(email=email, name=name, role=role, phone="+33 6 00 00 00 00"),
                actor=actor,
                now=now,
            )
            with database.write():
                database.execute(
                    "UPDATE users SET password_hash = ? WHERE id = ?", (hashed, user.id)
                )
            if team is not None:
                set_membership(database, team.id, user.id, team_role, actor=actor, now=now)
            return user

        self.admin = person("admin@test.fr", "Alice Admin", "admin")
        self.manager_a = person(
            "manager.a@test.fr", "Marc Manager", "manager", self.team_a, "manager"
        )
        self.staff_a = person("staff.a@test.fr", "Sophie Staff", "staff", self.team_a)
        self.staff_a2 = person("staff.a2@test.fr", "Samuel Staff", "staff", self.team_a)
        self.manager_b = person(
            "manager.b@test.fr", "Nina Manager", "manager", self.team_b, "manager"
        )
        self.staff_b = person("staff.b@test.fr", "Bruno Staff", "staff", self.team_b)


@pytest.fixture
def company(database: Database, clock: ManualClock) -> Company:
    return Company(database, clock.now())


class Client(TestClient):
    """A test client that behaves like a browser: it keeps cookies and sends the CSRF token."""

    def csrf(self) -> str:
        if "astreinte_csrf" not in self.cookies:
            self.get("/login")
        return self.cookies["astreinte_csrf"]

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        body = {"_csrf_token": self.csrf(), **(data or {})}
        return self.post(url, data=body, follow_redirects=False, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post_form("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        return response


@pytest.fixture
def app(settings: Settings, clock: ManualClock, database: Database):
    return create_app(settings, clock=clock, database=database)


@pytest.fixture
def client(app) -> Iterator[Client]:
    with Client(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
def make_client(app):
    """More browsers on the same server (one per person)."""
    opened: list[Client] = []

    def make() -> Client:
        test_client = Client(app=app, base_url="http://testserver.local")
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    # Closed newest first: Litestar's test portals wait on each other in that order.
    for test_client in reversed(opened):
        test_client.__exit__(None, None, None)
