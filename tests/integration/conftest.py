"""Fixtures every HTTP test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.clock import ManualClock
from tests.conftest import Company, LocalOrigins
from tests.integration.alert_helpers import Night
from tests.integration.schedule_helpers import Browsers
from tests.push_service import PushService


@pytest.fixture
def browsers(app) -> Iterator[Browsers]:
    """One logged-in browser per person asked for, on the test's app: `browsers(email)`."""
    with Browsers(app) as open_browser:
        yield open_browser


@pytest.fixture
def push(clock: ManualClock, local_origins: LocalOrigins) -> Iterator[PushService]:
    """The local push service the test's devices are subscribed to (on the origin the settings
    allow); refusals fail the test."""
    with PushService(clock=clock.now, listener=local_origins.push) as service:
        yield service
        assert service.refused == [], [r.refused for r in service.refused]


@pytest.fixture
def night(app, company: Company, database, clock, push, browsers) -> Night:
    """A night on call: the company, its people's browsers and the push service together."""
    return Night(app, company, database, clock, push, browsers)
