"""Fixtures every HTTP test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.schedule_helpers import Browsers


@pytest.fixture
def browsers(app) -> Iterator[Browsers]:
    """One logged-in browser per person asked for, on the test's app: `browsers(email)`."""
    with Browsers(app) as open_browser:
        yield open_browser
