"""The `astreinte` command as an operator runs it, checked through the app and the database."""

from __future__ import annotations

import io
import logging
import logging.config
import os
import sqlite3
import sys
from pathlib import Path

import pytest
import uvicorn

from server.app import create_app
from server.cli import main
from server.db import open_database, schema_snapshot
from server.settings import SettingsError, load_settings
from tests.conftest import Client, Company

CLI_PASSWORD = "operator chose this one"
REAL_SECRET = "a-long-random-secret-for-production-use-only-0123456789"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, settings) -> Path:
    """The CLI reads ASTREINTE_* like the server; point it at the test's data folder."""
    for name in list(os.environ):
        if name.startswith("ASTREINTE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ASTREINTE_DATA_DIR", settings.data_dir)
    return Path(settings.data_dir)


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """`serve` must never start a real server here; record what it would have served."""
    started: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options))
    return started


def run(capsys: pytest.CaptureFixture, *argv: str, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def users(path: Path) -> list[tuple[str, str]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT email, role FROM users ORDER BY email").fetchall()
    finally:
        connection.close()


# user add -------------------------------------------------------------------------------


def test_user_add_then_log_in_with_that_password(
    environment: Path,
    company: Company,
    client: Client,
    capsys,
    monkeypatch: pytest.MonkeyPatch,
    database,
) -> None:
    code, out, err = run(
        capsys,
        "user",
        "add",
        "Chef.Equipe@Test.fr",
        "--role",
        "manager",
        "--team",
        "Maintenance",
        "--name",
        "Chef Équipe",
        "--password-stdin",
        stdin=CLI_PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0, err
    assert "chef.equipe@test.fr" in out
    assert CLI_PASSWORD not in out + err
    row = database.one("SELECT * FROM users WHERE email = 'chef.equipe@test.fr'")
    assert (row["name"], row["role"]) == ("Chef Équipe", "manager")
    team_role = database.scalar(
        "SELECT team_role FROM memberships WHERE user_id = ? AND team_id = ?",
        (row["id"], company.team_a.id),
    )
    assert team_role == "manager"
    client.login("chef.equipe@test.fr", CLI_PASSWORD)
    assert client.get("/people", follow_redirects=False).status_code == 200
    assert database.one(
        "SELECT actor FROM audit_log WHERE action = 'user.create' AND entity_id = ?",
        (str(row["id"]),),
    ) == {"actor": "cli"}


def test_the_first_admin_of_an_empty_install(
    environment: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = run(
        capsys,
        "user",
        "add",
        "root@test.fr",
        "--role",
        "admin",
        "--password-stdin",
        stdin=CLI_PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0, err
    assert users(environment / "astreinte.db") == [("root@test.fr", "admin")]


def test_user_add_with_a_bad_role_exits_2(environment: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["user", "add", "x@test.fr", "--role", "boss"])
    assert exit_info.value.code == 2
    assert "boss" in capsys.readouterr().err


def test_user_add_to_an_unknown_team_exits_2_and_creates_nobody(
    environment: Path, company: Company, capsys, monkeypatch: pytest.MonkeyPatch, database
) -> None:
    code, out, err = run(
        capsys,
        "user",
        "add",
        "lost@test.fr",
        "--role",
        "staff",
        "--team",
        "Nowhere",
        "--password-stdin",
        stdin=CLI_PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2
    assert err.startswith("error:")
    assert out == ""
    assert database.one("SELECT id FROM users WHERE email = 'lost@test.fr'") is None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("short@test.fr", "short\n", "at least 10 characters"),
        ("not-an-email", CLI_PASSWORD + "\n", "mail"),
        ("staff.a@test.fr", CLI_PASSWORD + "\n", "mail"),  # already taken
    ],
)
def test_user_add_refuses_bad_input_with_a_message(
    environment: Path,
    company: Company,
    capsys,
    monkeypatch: pytest.MonkeyPatch,
    database,
    email: str,
    password: str,
    message: str,
) -> None:
    before = database.scalar("SELECT count(*) FROM users")
    code, _out, err = run(
        capsys,
        "user",
        "add",
        email,
        "--role",
        "staff",
        "--password-stdin",
        stdin=password,
        monkeypatch=monkeypatch,
    )
    assert code == 2
    assert err.startswith("error:")
    assert message in err
    assert database.scalar("SELECT count(*) FROM users") == before


# team list, apikey create ---------------------------------------------------------------


def test_team_list_prints_id_and_name(environment: Path, company: Company, capsys) -> None:
    code, out, _err = run(capsys, "team", "list")
    assert code == 0
    lines = sorted(line.split("\t") for line in out.splitlines())
    assert lines == sorted(
        [[str(company.team_a.id), "Maintenance"], [str(company.team_b.id), "Informatique"]]
    )


@pytest.mark.parametrize("team", ["Informatique", "informatique", "TEAM_B_ID"])
def test_apikey_create_prints_a_key_that_whoami_accepts(
    environment: Path, company: Company, client: Client, capsys, team: str, database
) -> None:
    team = str(company.team_b.id) if team == "TEAM_B_ID" else team
    code, out, err = run(capsys, "apikey", "create", "--team", team, "--name", "PBX")
    assert code == 0, err
    key = out.strip()
    assert key.startswith("ast_") and "\n" not in key
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert (response.json()["team_id"], response.json()["team_name"]) == (
        company.team_b.id,
        "Informatique",
    )
    assert database.scalar("SELECT count(*) FROM api_keys WHERE key_hash = ?", (key,)) == 0


def test_apikey_create_for_an_unknown_team_exits_2(
    environment: Path, company: Company, capsys, database
) -> None:
    code, out, err = run(capsys, "apikey", "create", "--team", "Nowhere", "--name", "PBX")
    assert code == 2
    assert out == ""
    assert err.startswith("error:")
    assert database.scalar("SELECT count(*) FROM api_keys") == 0


# demo, serve, production ----------------------------------------------------------------


def test_demo_seeds_nine_people_once(environment: Path, capsys) -> None:
    code, out, _err = run(capsys, "demo")
    assert code == 0
    assert "admin@astreinte.test" in out
    people = users(environment / "astreinte.db")
    assert len(people) == 9
    assert sum(role == "admin" for _email, role in people) == 1
    code, _out, _err = run(capsys, "demo")
    assert code == 0
    assert len(users(environment / "astreinte.db")) == 9


def test_demo_is_refused_in_production(
    environment: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASTREINTE_PRODUCTION", "1")
    monkeypatch.setenv("ASTREINTE_SECRET_KEY", REAL_SECRET)
    code, _out, err = run(capsys, "demo")
    assert code == 2
    assert "production" in err
    db = environment / "astreinte.db"
    assert not db.exists() or users(db) == []


def test_serve_refuses_the_demo_secret_in_production(
    environment: Path, capsys, monkeypatch: pytest.MonkeyPatch, no_server: list
) -> None:
    monkeypatch.setenv("ASTREINTE_PRODUCTION", "true")
    code, _out, err = run(capsys, "serve")
    assert code == 2
    assert "ASTREINTE_SECRET_KEY" in err
    assert no_server == []
    db = environment / "astreinte.db"
    assert not db.exists() or users(db) == []


def test_create_app_refuses_the_demo_secret_in_production(tmp_path: Path) -> None:
    settings = load_settings({"ASTREINTE_PRODUCTION": "1"}, data_dir=str(tmp_path))
    with pytest.raises(SettingsError, match="ASTREINTE_SECRET_KEY"):
        create_app(settings)


def test_serve_in_production_never_seeds_the_demo(
    environment: Path, capsys, monkeypatch: pytest.MonkeyPatch, no_server: list
) -> None:
    monkeypatch.setenv("ASTREINTE_PRODUCTION", "1")
    monkeypatch.setenv("ASTREINTE_SECRET_KEY", REAL_SECRET)
    code, out, _err = run(capsys, "serve", "--port", "8123")
    assert code == 0
    assert len(no_server) == 1 and no_server[0]["port"] == 8123
    assert users(environment / "astreinte.db") == []
    assert "astreinte-demo" not in out


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "astreinte.lan", ""])
def test_serve_with_the_demo_secret_listens_on_this_machine_only(
    host: str, environment: Path, capsys, monkeypatch: pytest.MonkeyPatch, no_server: list
) -> None:
    """The demo admin's password is in the README: reachable from the network, anyone is admin."""
    monkeypatch.setenv("ASTREINTE_HOST", host)
    code, _out, err = run(capsys, "serve")
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "ASTREINTE_SECRET_KEY" in line
    assert no_server == []
    db = environment / "astreinte.db"
    assert not db.exists() or users(db) == []
    # With a real secret it starts there; on loopback the demo secret is fine.
    monkeypatch.setenv("ASTREINTE_SECRET_KEY", REAL_SECRET)
    assert run(capsys, "serve")[0] == 0
    monkeypatch.delenv("ASTREINTE_SECRET_KEY")
    for loopback in ("127.0.0.1", "::1", "localhost"):
        assert run(capsys, "serve", "--host", loopback)[0] == 0
    assert [started["host"] for started in no_server] == [host, "127.0.0.1", "::1", "localhost"]


def test_serve_outside_production_seeds_the_demo_on_an_empty_database(
    environment: Path, capsys, no_server: list
) -> None:
    code, out, _err = run(capsys, "serve")
    assert code == 0
    assert len(no_server) == 1
    assert len(users(environment / "astreinte.db")) == 9
    assert "admin@astreinte.test" in out


# backup, migrate ------------------------------------------------------------------------


def test_backup_writes_a_database_with_the_people(
    environment: Path, company: Company, capsys, tmp_path: Path, database
) -> None:
    target = tmp_path / "saves" / "astreinte-2026-11-30.db"
    code, out, _err = run(capsys, "backup", str(target))
    assert code == 0
    assert str(target) in out
    assert users(target) == users(environment / "astreinte.db")
    assert len(users(target)) == 6
    restored = open_database(target)
    try:
        assert schema_snapshot(restored) == schema_snapshot(database)
    finally:
        restored.close()


def test_migrate_writes_the_snapshot(environment: Path, capsys, tmp_path: Path) -> None:
    target = tmp_path / "schema.sql"
    code, out, _err = run(capsys, "migrate", "--snapshot", str(target))
    assert code == 0
    assert "0001_initial" in out
    committed = Path(__file__).resolve().parents[2] / "schema" / "schema.sql"
    assert target.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")
    code, out, _err = run(capsys, "migrate")
    assert "nothing" in out


def test_a_bad_setting_in_the_environment_exits_2_naming_it(
    environment: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASTREINTE_SESSION_DAYS", "thirty")
    code, _out, err = run(capsys, "team", "list")
    assert code == 2
    assert "ASTREINTE_SESSION_DAYS" in err


# vapid ----------------------------------------------------------------------------------


def vapid_files(data_dir: Path) -> list[str]:
    return sorted(path.name for path in data_dir.iterdir() if "vapid" in path.name)


def printed_key(out: str) -> str:
    (line,) = [line for line in out.splitlines() if line.startswith("public key: ")]
    return line.removeprefix("public key: ")


def served_key(settings, database) -> str:
    """The key a server started now puts in its pages (data-vapid) for phones to subscribe."""
    return create_app(settings, database=database).state.vapid.public_key


def test_vapid_makes_the_key_pair_on_first_use_readable_by_the_owner_only(
    environment: Path, capsys, settings, database
) -> None:
    assert vapid_files(environment) == []
    code, out, _err = run(capsys, "vapid")
    assert code == 0
    key = printed_key(out)
    assert vapid_files(environment) == ["vapid_private.pem"]
    assert (environment / "vapid_private.pem").stat().st_mode & 0o777 == 0o600
    # The key printed is the one the server uses, and asking again does not change it.
    assert served_key(settings, database) == key
    code, out, _err = run(capsys, "vapid")
    assert (code, printed_key(out)) == (0, key)


def test_vapid_rotate_replaces_the_pair_and_says_to_restart(
    environment: Path, capsys, settings, database
) -> None:
    code, out, _err = run(capsys, "vapid")
    old_key, old_pem = printed_key(out), (environment / "vapid_private.pem").read_bytes()

    code, out, _err = run(capsys, "vapid", "--rotate")
    assert code == 0
    new_key = printed_key(out)
    assert new_key != old_key
    assert "Restart the server" in out
    assert "next time its app opens" in out
    # The old pair is gone (a rotated key is often a leaked one), the new one is private.
    assert vapid_files(environment) == ["vapid_private.pem"]
    pem = environment / "vapid_private.pem"
    assert pem.read_bytes() != old_pem
    assert pem.stat().st_mode & 0o777 == 0o600
    # A server started now signs with the new key.
    assert served_key(settings, database) == new_key


def test_vapid_rotate_on_a_new_install_makes_a_first_pair(environment: Path, capsys) -> None:
    code, out, _err = run(capsys, "vapid", "--rotate")
    assert code == 0
    assert vapid_files(environment) == ["vapid_private.pem"]
    assert (environment / "vapid_private.pem").stat().st_mode & 0o777 == 0o600
    code, again, _err = run(capsys, "vapid")
    assert printed_key(again) == printed_key(out)


def test_the_access_log_never_shows_an_invitation_or_calendar_token(
    environment: Path, capsys, no_server: list
) -> None:
    """What uvicorn writes for each request, with the logging `serve` gives it: the token of an
    invitation link (it sets a password) or of a calendar feed is not in the line."""
    assert run(capsys, "serve")[0] == 0
    logging.config.dictConfig(no_server[0]["log_config"])
    access = logging.getLogger("uvicorn.access")
    paths = ["/invite/SECRET-invite_Tok3n", "/calendar/SECRET-feed-t0ken.ics", "/today?x=1"]
    for path in paths:
        # uvicorn's own call (protocols/http/h11_impl.py).
        access.info('%s - "%s %s HTTP/%s" %d', "203.0.113.7:5123", "GET", path, "1.1", 200)
    lines = [line for line in capsys.readouterr().out.splitlines() if "203.0.113.7" in line]
    assert len(lines) == 3
    assert "SECRET" not in "\n".join(lines)
    assert '"GET /invite/[redacted] HTTP/1.1" 200' in lines[0]
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 200' in lines[1]
    assert '"GET /today?x=1 HTTP/1.1" 200' in lines[2]
