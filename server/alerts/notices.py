"""What alerts tell the layers below them: an alert's push carries Acknowledge through a
single-use token, and the app's badge and the navigation count the person's open alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.alerts.store import count_open_for
from server.alerts.workflow import issue_ack_token
from server.badges import register_badge
from server.db import Database
from server.notifications import kinds

ACK_TOKEN_LIFETIME = timedelta(hours=24)


def ack_token(database: Database, row: dict, now: datetime) -> str | None:
    """For an alert's push: a token to acknowledge it from the notification. E-mail and the
    webhook carry none (they link to the alert's page)."""
    if row["channel"] != "push" or not row["alert_id"]:
        return None
    return issue_ack_token(database, row["alert_id"], row["user_id"], now, ACK_TOKEN_LIFETIME)


def register_notices() -> None:
    kinds.register("alert", token=ack_token)
    kinds.register_badge(count_open_for)
    register_badge("open_alerts", lambda database, user, now: count_open_for(database, user.id))
