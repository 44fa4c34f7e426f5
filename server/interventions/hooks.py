"""What higher layers do when a phone's interventions reach the server: they register a
function here (the surveys package binds the QR codes shown for them), and the sync calls each
in its own transaction, after the batch's records are written, so both stand or fall together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from server.accounts.models import CurrentUser
from server.db import Database
from server.interventions.models import Operation

# (database, person syncing, the batch's applied create/update operations, now)
SyncHook = Callable[[Database, CurrentUser, list[Operation], datetime], None]
_HOOKS: dict[str, SyncHook] = {}


def register_sync_hook(name: str, hook: SyncHook) -> None:
    """Registered by name, so registering again (an app per test) replaces rather than adds."""
    _HOOKS[name] = hook


def run_sync_hooks(
    database: Database, user: CurrentUser, applied: list[Operation], now: datetime
) -> None:
    for hook in _HOOKS.values():
        hook(database, user, applied, now)
