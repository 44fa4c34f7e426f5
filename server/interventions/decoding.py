"""Reading a phone's sync items one by one: an item the server cannot decode is refused with a
reason the person can act on, naming the field of the form to fix (and `field` set, so the phone
can point at it), rather than msgspec's own English."""

from __future__ import annotations

import contextlib
import re

import msgspec

from server.i18n import N_
from server.i18n import gettext as _
from server.interventions.models import LIMITS, Operation, OpResult

_OPERATION = msgspec.json.Decoder(Operation)

# The intervention form's own labels, so the reason names the field as the person sees it.
FIELD_LABELS = {
    "started_at": N_("Start"),
    "ended_at": N_("End"),
    "mode": N_("Where"),
    "place": N_("Place"),
    "latitude": N_("Position"),
    "longitude": N_("Position"),
    "travel_minutes": N_("Travel time (minutes)"),
    "alert_id": N_("Alert answered"),
    "found": N_("What I found"),
    "done": N_("What I did"),
    "outcome": N_("Outcome"),
    "client_id": N_("Client"),
    "site_id": N_("Site"),
}
# msgspec ends a validation error with where it happened: "… - at `$.data.place`".
_WHERE = re.compile(r" - at `\$\.data\.(\w+)`$")


def decode_operation(raw: bytes) -> Operation | OpResult:
    """The operation, or its refusal (with the ids it carries, so the phone knows which)."""
    try:
        return _OPERATION.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        reason, field = unreadable_reason(error)
        ids = {}
        with contextlib.suppress(msgspec.DecodeError):
            ids = msgspec.json.decode(raw)
        ids = ids if isinstance(ids, dict) else {}
        return OpResult(
            op_id=str(ids.get("op_id", "")),
            uuid=str(ids.get("uuid", "")),
            status="rejected",
            reason=reason,
            field=field,
        )


def unreadable_reason(error: Exception) -> tuple[str, str | None]:
    """Why an item cannot be read, in the person's language, and the form field at fault."""
    where = _WHERE.search(str(error)) if isinstance(error, msgspec.ValidationError) else None
    if where is None or where.group(1) not in FIELD_LABELS:
        # Not a field the person typed (an ill-formed item, an app too old or too new): only
        # deleting it or updating the app will do.
        return _(
            "This change could not be read: update the app, or delete this change "
            "and type it again."
        ), None
    field = where.group(1)
    return _field_problem(field, str(error)[: where.start()]), field


def _field_problem(field: str, problem: str) -> str:
    label = _(FIELD_LABELS[field])
    limits = LIMITS.get(field, {})
    if "of length <=" in problem and "maxlength" in limits:
        return _(
            "“%(field)s” is too long: at most %(count)s characters.",
            field=label,
            count=limits["maxlength"],
        )
    if re.search(r"[<>]=", problem) and {"min", "max"} <= set(limits):
        return _(
            "“%(field)s” must be between %(min)s and %(max)s.",
            field=label,
            min=limits["min"],
            max=limits["max"],
        )
    return _("Please check the field “%(field)s”.", field=label)
