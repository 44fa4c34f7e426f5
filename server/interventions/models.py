"""An intervention and the sync operations a phone sends (a tagged union, one per change)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.models import Base, Value

Mode = Literal["remote", "on_site"]
Outcome = Literal["resolved", "temporary", "escalated", "follow_up"]
UUID = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-fA-F-]{32,36}$")]
Text = Annotated[str, msgspec.Meta(max_length=4000)]
# A row's id: a number beyond SQLite's 64 bits would fail when bound (JavaScript's exact bound).
RecordRef = Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)]


class ChecklistTicks(Base, kw_only=True):
    """A procedure's checklist as ticked on the phone: the version its boxes were read from and
    the numbers (data-item) of the boxes ticked (server/procedures/offline_sync.py keeps it)."""

    procedure_id: RecordRef
    version: Annotated[int, msgspec.Meta(ge=1, le=2**31)]
    items: Annotated[
        list[Annotated[int, msgspec.Meta(ge=0, le=9999)]], msgspec.Meta(max_length=500)
    ] = []


class InterventionData(Base, kw_only=True):
    """What the person typed; new fields always get defaults (old phones send old payloads)."""

    started_at: datetime
    ended_at: datetime
    mode: Mode = "on_site"
    place: Annotated[str, msgspec.Meta(max_length=300)] = ""
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    travel_minutes: Annotated[int, msgspec.Meta(ge=0, le=600)] = 0
    alert_id: int | None = None
    found: Text = ""
    done: Text = ""
    outcome: Outcome = "resolved"
    # The client served and its site, picked from the phone's list of its teams' clients.
    client_id: RecordRef | None = None
    site_id: RecordRef | None = None
    # The survey QR code shown for this intervention (a token of the phone's pool), bound to it
    # on the server once (README, "The survey as a QR code").
    survey_token_id: RecordRef | None = None
    # The checklists of the procedures ticked during it (README, "Procedures offline").
    checklist: Annotated[list[ChecklistTicks], msgspec.Meta(max_length=50)] = []


def _bounds(kind: msgspec.inspect.Type) -> dict[str, int | float]:
    """A field type's limits as HTML names them (maxlength, min, max); {} if it has none."""
    if isinstance(kind, msgspec.inspect.UnionType):
        # An optional number: the limits are the number's.
        return next((b for k in kind.types if (b := _bounds(k))), {})
    if isinstance(kind, msgspec.inspect.StrType) and kind.max_length is not None:
        return {"maxlength": kind.max_length}
    if isinstance(kind, msgspec.inspect.IntType | msgspec.inspect.FloatType):
        found = {"min": kind.ge, "max": kind.le}
        return {name: value for name, value in found.items() if value is not None}
    return {}


# What the server accepts of each field, read from the Struct itself: the forms and the
# messages quote these, so they cannot drift from what the decoder enforces.
LIMITS: dict[str, dict[str, int | float]] = {
    field.name: bounds
    for field in msgspec.inspect.type_info(InterventionData).fields
    if (bounds := _bounds(field.type))
}


class CreateOp(Base, tag_field="op", tag="create", kw_only=True):
    op_id: UUID
    uuid: UUID
    version: Annotated[int, msgspec.Meta(ge=1)] = 1
    changed_at: datetime
    data: InterventionData


class UpdateOp(Base, tag_field="op", tag="update", kw_only=True):
    op_id: UUID
    uuid: UUID
    version: Annotated[int, msgspec.Meta(ge=1)]
    changed_at: datetime
    data: InterventionData


class DeleteOp(Base, tag_field="op", tag="delete", kw_only=True):
    op_id: UUID
    uuid: UUID
    version: Annotated[int, msgspec.Meta(ge=1)]
    changed_at: datetime


Operation = CreateOp | UpdateOp | DeleteOp
MAX_BATCH = 200


class SyncBatch(Base, kw_only=True):
    """A phone's batch as the API documents it. The endpoint reads each operation on its own:
    one it cannot read is answered `rejected` in the results, not a 400 for the batch."""

    operations: Annotated[list[Operation], msgspec.Meta(max_length=MAX_BATCH)]


ResultStatus = Literal["applied", "already_applied", "rejected", "superseded"]


class OpResult(Value, kw_only=True, omit_defaults=True):
    op_id: str
    uuid: str
    status: ResultStatus
    reason: str = ""
    field: str | None = None
    server_version: dict | None = None


class SyncResult(Value, kw_only=True):
    results: list[OpResult]


class Intervention(Value, kw_only=True):
    id: int
    uuid: str
    user_id: int
    user_name: str
    team_id: int | None
    alert_id: int | None
    started_at: datetime
    ended_at: datetime
    travel_minutes: int
    place: str
    latitude: float | None
    longitude: float | None
    mode: Mode
    found: str
    done: str
    outcome: Outcome
    client_version: int
    client_changed_at: datetime
    server_changed_at: datetime
    corrected_by: int | None
    deleted: bool
    # When it reached the server: a record logged late stays the person's to change a while.
    created_at: datetime
    client_id: int | None = None
    site_id: int | None = None


class AlertChoice(Value, kw_only=True):
    """An alert as the intervention form offers it: the one the intervention answers."""

    id: int
    title: str
    team_id: int
    # Who called, when a call raised it: the form answering it names them.
    client_id: int | None = None
    site_id: int | None = None
