"""What makes an intervention valid (times, length, clock skew, position), who wins when the
phone and a manager both changed one, and how the phone's operations decode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from server.interventions.models import (
    CreateOp,
    DeleteOp,
    InterventionData,
    Operation,
    UpdateOp,
)
from server.interventions.rules import CLOCK_SKEW, phone_wins, problem

NOW = datetime(2026, 12, 15, 22, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)

END_AFTER_START = ("The end must be after the start.", "ended_at")
TOO_LONG = ("An intervention lasts at most 24 hours: log a long job as several.", "ended_at")
FUTURE = ("The end is in the future.", "ended_at")
HALF_POSITION = ("A position needs both latitude and longitude.", "latitude")
NO_OFFSET = "Times need their time zone offset."

RECORD = "8f14e45f-ceea-467f-a0e6-7f0b6c3d2e11"
OP = "c9f0f895-fb98-4b91-8d5e-1b7f4c6d0a22"


def data(start: datetime, end: datetime, **fields) -> InterventionData:
    return InterventionData(started_at=start, ended_at=end, **fields)


@pytest.mark.parametrize(
    ("start", "end", "fields", "expected"),
    [
        pytest.param(NOW - 2 * HOUR, NOW - HOUR, {}, None, id="an hour in the past is fine"),
        pytest.param(NOW - HOUR, NOW - 2 * HOUR, {}, END_AFTER_START, id="end before start"),
        pytest.param(NOW - HOUR, NOW - HOUR, {}, END_AFTER_START, id="end equal to start"),
        pytest.param(NOW - HOUR, NOW - HOUR + SECOND, {}, None, id="one second is fine"),
        pytest.param(NOW - 25 * HOUR, NOW - HOUR, {}, None, id="exactly 24 hours is fine"),
        pytest.param(
            NOW - 25 * HOUR - SECOND, NOW - HOUR, {}, TOO_LONG, id="24 hours and 1 second"
        ),
        pytest.param(NOW - 3 * 24 * HOUR, NOW - HOUR, {}, TOO_LONG, id="three days"),
        pytest.param(NOW - HOUR, NOW + CLOCK_SKEW, {}, None, id="end just at the clock skew"),
        pytest.param(
            NOW - HOUR,
            NOW + timedelta(minutes=4, seconds=59),
            {},
            None,
            id="a phone clock 4:59 ahead",
        ),
        pytest.param(NOW - HOUR, NOW + CLOCK_SKEW + SECOND, {}, FUTURE, id="just past the skew"),
        pytest.param(NOW + HOUR, NOW + 2 * HOUR, {}, FUTURE, id="entirely tomorrow"),
        pytest.param(
            NOW - 2 * HOUR,
            NOW - HOUR,
            {"latitude": 48.85, "longitude": 2.35},
            None,
            id="a full position",
        ),
        pytest.param(
            NOW - 2 * HOUR,
            NOW - HOUR,
            {"latitude": 0.0, "longitude": 0.0},
            None,
            id="the position 0, 0 is a position",
        ),
        pytest.param(
            NOW - 2 * HOUR, NOW - HOUR, {"latitude": 48.85}, HALF_POSITION, id="latitude alone"
        ),
        pytest.param(
            NOW - 2 * HOUR, NOW - HOUR, {"longitude": 2.35}, HALF_POSITION, id="longitude alone"
        ),
        pytest.param(
            (NOW - 2 * HOUR).astimezone(PARIS),
            (NOW - HOUR).astimezone(PARIS),
            {},
            None,
            id="times with a Paris offset",
        ),
    ],
)
def test_problem(start, end, fields, expected) -> None:
    assert problem(data(start, end, **fields), NOW) == expected


def test_times_compare_as_instants_across_offsets() -> None:
    # 22:50 in Paris is 21:50 UTC, ten minutes before NOW: fine. The same wall-clock hours read
    # in UTC end 50 minutes after NOW: in the future.
    start = datetime(2026, 12, 15, 22, 0, tzinfo=PARIS)
    end = datetime(2026, 12, 15, 22, 50, tzinfo=PARIS)
    assert problem(data(start, end), NOW) is None
    assert problem(data(start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)), NOW) == FUTURE


def test_a_time_without_offset_is_refused_with_its_field() -> None:
    naive = NOW.replace(tzinfo=None)
    assert problem(data(naive - HOUR, NOW), NOW) == (NO_OFFSET, "started_at")
    assert problem(data(NOW - HOUR, naive), NOW) == (NO_OFFSET, "ended_at")


def test_the_first_problem_is_reported() -> None:
    # Both backwards and in the future: the order of the times is what the person fixes first.
    wrong = data(NOW + 3 * HOUR, NOW + 2 * HOUR, latitude=1.0)
    assert problem(wrong, NOW) == END_AFTER_START


@pytest.mark.parametrize(
    ("phone", "server", "wins"),
    [
        pytest.param(NOW + SECOND, NOW, True, id="phone a second later wins"),
        pytest.param(NOW + HOUR, NOW, True, id="phone an hour later wins"),
        pytest.param(NOW, NOW, True, id="a tie goes to the phone"),
        pytest.param(NOW - SECOND, NOW, False, id="manager a second later wins"),
        pytest.param(NOW - 24 * HOUR, NOW, False, id="a day-old phone edit loses"),
        pytest.param(
            NOW.astimezone(PARIS), NOW, True, id="the same instant in another offset is a tie"
        ),
        pytest.param(
            (NOW - SECOND).astimezone(PARIS), NOW, False, id="offsets do not change the order"
        ),
    ],
)
def test_phone_wins(phone: datetime, server: datetime, wins: bool) -> None:
    assert phone_wins(phone, server) is wins


# Decoding the phone's operations ------------------------------------------------------------

DECODER = msgspec.json.Decoder(Operation)
DATA = {
    "started_at": "2026-12-15T22:10:00+01:00",
    "ended_at": "2026-12-15T23:40:00+01:00",
    "mode": "remote",
    "place": "Bâtiment C, chaufferie",
    "travel_minutes": 25,
    "alert_id": 7,
    "found": "Brûleur en défaut",
    "done": "Réarmement",
    "outcome": "temporary",
    "latitude": 48.8566,
    "longitude": 2.3522,
}


def encoded(**op) -> bytes:
    return msgspec.json.encode(op)


def test_a_create_decodes_with_all_the_form() -> None:
    op = DECODER.decode(
        encoded(
            op="create",
            op_id=OP,
            uuid=RECORD,
            version=1,
            changed_at="2026-12-15T22:41:00Z",
            data=DATA,
        )
    )
    assert isinstance(op, CreateOp)
    assert (op.op_id, op.uuid, op.version) == (OP, RECORD, 1)
    assert op.changed_at == datetime(2026, 12, 15, 22, 41, tzinfo=UTC)
    assert op.data.started_at == datetime(2026, 12, 15, 21, 10, tzinfo=UTC)
    assert op.data.started_at.utcoffset() == HOUR
    assert op.data.ended_at - op.data.started_at == timedelta(minutes=90)
    assert (op.data.mode, op.data.place, op.data.travel_minutes) == (
        "remote",
        "Bâtiment C, chaufferie",
        25,
    )
    assert (op.data.alert_id, op.data.outcome) == (7, "temporary")
    assert (op.data.found, op.data.done) == ("Brûleur en défaut", "Réarmement")
    assert (op.data.latitude, op.data.longitude) == (48.8566, 2.3522)


def test_a_create_from_an_old_phone_gets_defaults() -> None:
    minimal = {"started_at": DATA["started_at"], "ended_at": DATA["ended_at"]}
    op = DECODER.decode(
        encoded(op="create", op_id=OP, uuid=RECORD, changed_at="2026-12-15T22:41:00Z", data=minimal)
    )
    assert isinstance(op, CreateOp)
    assert op.version == 1
    assert (op.data.mode, op.data.place, op.data.travel_minutes, op.data.outcome) == (
        "on_site",
        "",
        0,
        "resolved",
    )
    assert op.data.alert_id is None and op.data.latitude is None and op.data.longitude is None


def test_an_update_decodes() -> None:
    op = DECODER.decode(
        encoded(
            op="update",
            op_id=OP,
            uuid=RECORD,
            version=3,
            changed_at="2026-12-15T22:41:00Z",
            data=DATA,
        )
    )
    assert isinstance(op, UpdateOp)
    assert (op.uuid, op.version, op.data.place) == (RECORD, 3, "Bâtiment C, chaufferie")


def test_a_delete_decodes_without_data() -> None:
    op = DECODER.decode(
        encoded(op="delete", op_id=OP, uuid=RECORD, version=2, changed_at="2026-12-15T22:41:00Z")
    )
    assert isinstance(op, DeleteOp)
    assert (op.op_id, op.uuid, op.version) == (OP, RECORD, 2)


def test_an_uppercase_uuid_without_dashes_is_accepted() -> None:
    compact = RECORD.replace("-", "").upper()
    op = DECODER.decode(
        encoded(op="delete", op_id=OP, uuid=compact, version=1, changed_at="2026-12-15T22:41:00Z")
    )
    assert op.uuid == compact


def valid(kind: str) -> dict:
    op = {
        "op": kind,
        "op_id": OP,
        "uuid": RECORD,
        "version": 2,
        "changed_at": "2026-12-15T22:41:00Z",
    }
    if kind != "delete":
        op["data"] = dict(DATA)
    return op


def without(op: dict, key: str) -> dict:
    return {k: v for k, v in op.items() if k != key}


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        pytest.param({**valid("create"), "op": "upsert"}, "`$.op`", id="unknown op"),
        pytest.param(without(valid("create"), "op"), "`op`", id="no op at all"),
        pytest.param(without(valid("create"), "uuid"), "`uuid`", id="create without uuid"),
        pytest.param(without(valid("update"), "uuid"), "`uuid`", id="update without uuid"),
        pytest.param(without(valid("delete"), "uuid"), "`uuid`", id="delete without uuid"),
        pytest.param(without(valid("create"), "op_id"), "`op_id`", id="without op_id"),
        pytest.param(without(valid("create"), "data"), "`data`", id="create without data"),
        pytest.param(without(valid("update"), "version"), "`version`", id="update without version"),
        pytest.param(without(valid("delete"), "version"), "`version`", id="delete w/o version"),
        pytest.param(
            without(valid("create"), "changed_at"), "`changed_at`", id="without changed_at"
        ),
        pytest.param({**valid("update"), "version": 0}, "`$.version`", id="version 0"),
        pytest.param({**valid("create"), "uuid": "not-a-uuid"}, "`$.uuid`", id="a bad uuid"),
        pytest.param({**valid("create"), "uuid": 42}, "`$.uuid`", id="a number as uuid"),
        pytest.param(
            {**valid("create"), "changed_at": "yesterday"}, "`$.changed_at`", id="a bad time"
        ),
        pytest.param({**valid("create"), "extra": 1}, "`extra`", id="an unknown field"),
        pytest.param(
            {**valid("create"), "data": {**DATA, "mode": "teleport"}},
            "`$.data.mode`",
            id="unknown mode",
        ),
        pytest.param(
            {**valid("create"), "data": {**DATA, "outcome": "done"}},
            "`$.data.outcome`",
            id="unknown outcome",
        ),
        pytest.param(
            {**valid("create"), "data": {**DATA, "travel_minutes": -5}},
            "`$.data.travel_minutes`",
            id="negative travel",
        ),
        pytest.param(
            {**valid("create"), "data": {**DATA, "latitude": 91}},
            "`$.data.latitude`",
            id="latitude out of range",
        ),
        pytest.param(
            {**valid("create"), "data": {**DATA, "place": "x" * 301}},
            "`$.data.place`",
            id="place too long",
        ),
        pytest.param(
            {**valid("create"), "data": {**DATA, "done": "x" * 4001}},
            "`$.data.done`",
            id="description too long",
        ),
        pytest.param(
            {**valid("create"), "data": without(DATA, "ended_at")},
            "`ended_at`",
            id="no end",
        ),
        pytest.param({**valid("delete"), "data": DATA}, "`data`", id="a delete carrying data"),
    ],
)
def test_bad_operations_fail_to_decode_naming_the_field(payload: dict, error: str) -> None:
    with pytest.raises(msgspec.ValidationError) as refused:
        DECODER.decode(msgspec.json.encode(payload))
    assert error in str(refused.value), str(refused.value)


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[1, 2", b"not json", b'{"op": "create",}'],
    ids=["empty", "unclosed", "unclosed list", "words", "trailing comma"],
)
def test_malformed_json_is_a_decode_error(raw: bytes) -> None:
    with pytest.raises(msgspec.DecodeError):
        DECODER.decode(raw)


@pytest.mark.parametrize("raw", [b"42", b'"create"', b"null", b"[]"])
def test_something_else_than_an_object_is_refused(raw: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        DECODER.decode(raw)
