"""What a manager's "swap to approve" push carries: an Approve button that works from the
notification, through a single-use token (the pattern of an alert's Acknowledge)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.db import Database
from server.i18n import gettext
from server.swaps.store import issue_approval_token

APPROVE_KIND = "swap_to_approve"
APPROVE_URL = "/api/v1/swaps/approve"


def approval_token(database: Database, row: dict, now: datetime) -> str | None:
    """For a push of a request waiting for this manager: a token to approve the version the
    push describes; inside the dispatcher's transaction. None for any other delivery."""
    if row["channel"] != "push" or row["kind"] != APPROVE_KIND:
        return None
    swap_id = msgspec.json.decode(row["params"]).get("swap_id")
    current = database.one("SELECT version, status FROM swap_requests WHERE id = ?", (swap_id,))
    if current is None or current["status"] != "accepted":
        return None
    return issue_approval_token(database, swap_id, row["user_id"], current["version"], now)


def approval_action(kind: str) -> tuple[str, dict[str, str]] | None:
    """(the URL the service worker posts the token to, the button's words) for a kind of
    notification with an Approve button; in the reader's language (the caller sets it)."""
    if kind != APPROVE_KIND:
        return None
    return APPROVE_URL, {"ack": gettext("Approve"), "acked": gettext("Approved")}
