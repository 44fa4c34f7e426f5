"""Rules the test suite keeps so that it passes at any hour and under load."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_browser_test_waits_with_wait_for_function() -> None:
    # Playwright evaluates wait_for_function's string predicate again with the page's eval(),
    # which the app's CSP forbids (no 'unsafe-eval'): the wait fails whenever the page is slow
    # to get there; and it takes an async predicate's Promise for a true answer at once.
    # tests/e2e/conftest.py's wait_for_js polls through DevTools instead.
    users = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.wait_for_function\(", line)
    ]
    assert users == [], "use wait_for_js or a locator's expect() instead: " + ", ".join(users)
