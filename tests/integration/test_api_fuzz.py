"""The API fuzzed by schemathesis from its own `/schema/openapi.json`, on a live server.

Every operation gets generated requests, valid and invalid, with a team's API key (the sync
endpoint with a staff member's session). Each answer must: not be a 5xx, have a status code the
route documents, the documented content type, headers and body schema; refuse what the schema
refuses; refuse a request without its credential; and a refusal (4xx) must leave the database
as it was (nothing half-written). A sync batch's rejected operations leave no trace either.

`ASTREINTE_FUZZ_EXAMPLES` sets the examples per operation (the suite's default is small;
`make fuzz` asks for many more)."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sqlite3
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from server.apikeys.store import create_key
from server.app import create_app
from server.audit.models import Actor
from server.auth.identity import SESSION_COOKIE
from server.auth.store import create_session
from server.clock import ManualClock, to_db
from server.db import open_database
from server.notifications import outbound
from server.push.models import SubscriptionIn, SubscriptionKeys
from server.push.store import subscribe
from server.settings import load_settings
from tests.conftest import START, Company

# What each operation answered, printed at the end (`make fuzz` shows it).
ANSWERS: defaultdict[str, Counter[int]] = defaultdict(Counter)
# The suite's run is the same every time; `make fuzz` explores new requests on each run.
ASKED = os.environ.get("ASTREINTE_FUZZ_EXAMPLES")
EXAMPLES = int(ASKED or "40")
SYNC = "POST /api/v1/sync/interventions"
RECORDS = [f"0000000{n}-0000-4000-8000-000000000000" for n in range(5)]


@dataclass
class Fuzzed:
    """The server under fuzzing and what a request needs to be let in."""

    base_url: str
    database_path: Path
    api_key: str
    session: str
    team_id: int
    alert_ids: list[int]
    ack_tokens: list[str]
    device_token: str


async def _no_such_host(host: str, port: int, family: int = 0) -> list[tuple[int, str]]:
    raise OSError(f"{host} is not looked up while fuzzing")


def _serve(app) -> tuple[uvicorn.Server, threading.Thread, int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    return server, thread, sock.getsockname()[1]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    settings_ = load_settings(
        {}, data_dir=str(tmp_path_factory.mktemp("fuzz") / "data"), engine_interval=0
    )
    database = open_database(settings_.database_path)
    # The clock stands still: the key's and the session's "last used" are written at most
    # once (by the warm-up below), so any later write is the request's own.
    clock = ManualClock(START)
    company = Company(database, clock.now())
    actor = Actor(label="test")
    api_key, _key = create_key(database, company.team_a.id, "fuzz", actor=actor, now=clock.now())
    session = create_session(
        database, company.staff_a.id, now=clock.now(), days=30, user_agent="fuzz", address=""
    )
    with database.write():
        # Someone on call (and a backup) around now, so the on-call answers carry people.
        for layer, user in (("primary", company.staff_a), ("secondary", company.staff_a2)):
            database.insert(
                "shifts",
                {
                    "team_id": company.team_a.id,
                    "layer": layer,
                    "user_id": user.id,
                    "starts_at": to_db(START - timedelta(days=1)),
                    "ends_at": to_db(START + timedelta(days=3)),
                    "status": "published",
                    "published_at": to_db(START - timedelta(days=20)),
                    "created_at": to_db(START - timedelta(days=20)),
                    "updated_at": to_db(START - timedelta(days=20)),
                },
            )
    app = create_app(settings_, clock=clock, database=database)
    patch = pytest.MonkeyPatch()
    # Generated push endpoints name hosts anywhere: no name is looked up for real (a name that
    # does not resolve is accepted at registration; the connection-time check stays).
    patch.setattr(outbound, "lookup", _no_such_host)
    server, thread, port = _serve(app)
    base_url = f"http://127.0.0.1:{port}"
    # The key's first use writes its "last used" time; with the clock still, never again.
    warm_up = httpx.get(f"{base_url}/api/v1/whoami", headers={"Authorization": f"Bearer {api_key}"})
    assert warm_up.status_code == 200, warm_up.text
    alert_ids = []
    for number in range(4):
        raised = httpx.post(
            f"{base_url}/api/v1/alerts",
            json={"title": f"Seeded {number}", "dedup_key": f"seed-{number}"},
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert raised.status_code == 201, raised.text
        alert_ids.append(raised.json()["id"])
    ack_tokens = _ack_tokens(database, alert_ids, company.staff_a.id, clock.now())
    device = subscribe(
        database,
        company.staff_a.id,
        SubscriptionIn(
            endpoint="https://push.example.test/fuzz",
            keys=SubscriptionKeys(p256dh="B" * 87, auth="A" * 22),
        ),
        user_agent="fuzz",
        now=clock.now(),
    )
    try:
        yield Fuzzed(
            base_url=base_url,
            database_path=settings_.database_path,
            api_key=api_key,
            session=session,
            team_id=company.team_a.id,
            alert_ids=alert_ids,
            ack_tokens=ack_tokens,
            device_token=device.device_token,
        )
    finally:
        _print_answers()
        server.should_exit = True
        thread.join(timeout=10)
        patch.undo()
        database.close()


def _print_answers() -> None:
    total = sum(sum(counts.values()) for counts in ANSWERS.values())
    print(f"\nFuzzed {len(ANSWERS)} operations with {total} requests:")
    for label, counts in sorted(ANSWERS.items()):
        statuses = ", ".join(f"{status}×{n}" for status, n in sorted(counts.items()))
        print(f"  {label}: {statuses}")


def _openapi_document() -> dict:
    """The document `/schema/openapi.json` serves, from an app on a scratch database: pytest
    collects one test per operation before any server runs."""
    with tempfile.TemporaryDirectory() as folder:
        settings_ = load_settings({}, data_dir=folder, engine_interval=0)
        database = open_database(settings_.database_path)
        try:
            return create_app(settings_, database=database).openapi_schema.to_schema()
        finally:
            database.close()


DOCUMENT = _openapi_document()
# What `schemathesis.toml` would say. The credentials are ours (an explicit header or cookie),
# never generated; unknown query parameters are ignored by design (README, "API edges"), so
# none are sent; an invalid request must be refused with a 4xx, a body too large with a 413.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"with-security-parameters": False, "allow-extra-parameters": False},
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 409, 413, 415, 422, 429]
            }
        },
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


class Writes:
    """Whether anything was committed since the last look: SQLite's `data_version` changes on
    this connection whenever another connection commits."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def version(self) -> int:
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def interventions(self, uuids: list[str]) -> list[str]:
        marks = ",".join("?" * len(uuids))
        rows = self.connection.execute(
            f"SELECT uuid FROM interventions WHERE uuid IN ({marks})", uuids
        ).fetchall()
        return [row[0] for row in rows]


@pytest.fixture(scope="module")
def writes(fuzzed: Fuzzed) -> Iterator[Writes]:
    watcher = Writes(fuzzed.database_path)
    yield watcher
    watcher.connection.close()


def _credentials(case, fuzzed: Fuzzed) -> dict:
    if case.operation.label == SYNC:
        # The phone's outbox speaks with the person's session, from the app's own origin.
        return {
            "cookies": {SESSION_COOKIE: fuzzed.session},
            "headers": {"Sec-Fetch-Site": "same-origin"},
        }
    return {"headers": {"Authorization": f"Bearer {fuzzed.api_key}"}}


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
    unsupported_method,
]


def _fuzz_test(label: str):
    """The test of one operation. Each gets a function (and so a test id) of its own:
    schemathesis' one-function parametrisation gives all its items the same id under this
    pytest, which pytest-xdist then runs as one."""

    @schema.include(name=label).parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=ASKED is None,
        database=None,
    )
    def test(case, fuzzed: Fuzzed, writes: Writes) -> None:
        answers_as_documented_and_refusals_write_nothing(case, fuzzed, writes)

    return test


OPERATIONS = sorted(result.ok().label for result in schema.get_all_operations())
for _label in OPERATIONS:
    _name = "test_fuzz_" + re.sub(r"\W+", "_", _label.replace("/api/v1/", " ")).strip("_").lower()
    globals()[_name] = _fuzz_test(_label)


def answers_as_documented_and_refusals_write_nothing(case, fuzzed: Fuzzed, writes: Writes) -> None:
    _aim_at_our_records(case, fuzzed)
    before = writes.version()
    sent = _sent_uuids(case)
    stored_before = set(writes.interventions(sent)) if sent else set()
    checks = CHECKS
    if case.operation.label == SYNC:
        # A batch is accepted whole and each operation answered on its own: an operation the
        # schema refuses is answered 200 with `rejected` (checked below), not a 4xx.
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    response = case.call_and_validate(
        base_url=fuzzed.base_url, checks=checks, **_credentials(case, fuzzed)
    )
    ANSWERS[case.operation.label][response.status_code] += 1
    if 400 <= response.status_code < 500:
        assert writes.version() == before, f"a {response.status_code} refusal wrote something"
    if case.operation.label == SYNC and response.status_code == 200:
        results = response.json()["results"]
        kept = {item["uuid"] for item in results if item["status"] != "rejected"}
        refused = {item["uuid"] for item in results if item["status"] == "rejected"}
        # A record first sent in a batch and refused there leaves no row behind.
        new_and_refused = [uuid for uuid in refused - kept - stored_before if uuid in sent]
        assert writes.interventions(new_and_refused) == [], "a rejected operation was stored"


def _aim_at_our_records(case, fuzzed: Fuzzed) -> None:
    """A valid request names the key's own team, one of its alerts, a live acknowledgement
    token or device, so the answers past the 404 and 403 are reached too; invalid requests
    keep what was generated."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    ids = case.path_parameters or {}
    if isinstance(ids.get("team_id"), int):
        ids["team_id"] = fuzzed.team_id
    if isinstance(ids.get("alert_id"), int):
        ids["alert_id"] = fuzzed.alert_ids[ids["alert_id"] % len(fuzzed.alert_ids)]
    body = case.body if isinstance(case.body, dict) else {}
    if case.operation.label == "POST /api/v1/push/ack" and isinstance(body.get("token"), str):
        body["token"] = fuzzed.ack_tokens[len(body["token"]) % len(fuzzed.ack_tokens)]
    if case.operation.label == "POST /api/v1/push/renew" and "device_token" in body:
        body["device_token"] = fuzzed.device_token
    if case.operation.label == SYNC and isinstance(body.get("operations"), list):
        # A few records, so operations also change and delete what earlier batches created.
        for op in body["operations"]:
            if isinstance(op, dict) and isinstance(op.get("uuid"), str):
                op["uuid"] = RECORDS[sum(map(ord, op["uuid"])) % len(RECORDS)]


def _ack_tokens(database, alert_ids: list[int], user_id: int, now) -> list[str]:
    """The tokens the alerts' notifications would carry to the person's phone."""
    tokens = [f"fuzz-ack-{alert_id}" for alert_id in alert_ids]
    with database.write():
        for token, alert_id in zip(tokens, alert_ids, strict=True):
            database.insert(
                "ack_tokens",
                {
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "alert_id": alert_id,
                    "user_id": user_id,
                    "expires_at": to_db(now + timedelta(hours=1)),
                },
            )
    return tokens


def _sent_uuids(case) -> list[str]:
    if case.operation.label != SYNC or not isinstance(case.body, dict):
        return []
    operations = case.body.get("operations")
    if not isinstance(operations, list):
        return []
    return [
        op["uuid"] for op in operations if isinstance(op, dict) and isinstance(op.get("uuid"), str)
    ]


def test_the_fuzzed_document_is_the_one_served_with_every_api_route(fuzzed: Fuzzed) -> None:
    served = httpx.get(f"{fuzzed.base_url}/schema/openapi.json").json()
    assert served == DOCUMENT
    assert len(OPERATIONS) >= 13 and SYNC in OPERATIONS
    assert all(" /api/v1/" in label for label in OPERATIONS)
    # One test per operation, each with an id of its own.
    tests = [name for name in globals() if name.startswith("test_fuzz_")]
    assert len(tests) == len(OPERATIONS)


def test_the_write_watcher_sees_a_commit(fuzzed: Fuzzed, writes: Writes) -> None:
    """The "nothing written" check is not blind: an accepted alert changes what it reads."""
    before = writes.version()
    raised = httpx.post(
        f"{fuzzed.base_url}/api/v1/alerts",
        json={"title": "Watcher check"},
        headers={"Authorization": f"Bearer {fuzzed.api_key}"},
    )
    assert raised.status_code == 201, raised.text
    assert writes.version() != before
