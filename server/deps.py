"""Names of the app-wide dependencies a handler can ask for (db, clock, settings)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency

from server.clock import Clock
from server.db import Database
from server.settings import Settings

Db: TypeAlias = NamedDependency[Database]
Now: TypeAlias = NamedDependency[Clock]
Config: TypeAlias = NamedDependency[Settings]
