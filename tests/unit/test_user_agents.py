"""Sessions and devices in Settings are named as a person says them: "Chrome on Android"."""

from __future__ import annotations

import pytest

from server.i18n import current_locale
from server.i18n.user_agents import describe, device_label

# Real strings, as these browsers send them (their "reduced" forms where they have one).
CASES = [
    (
        "chrome android",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        ("Chrome", "Android"),
    ),
    (
        "samsung internet",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like "
        "Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        ("Samsung Internet", "Android"),
    ),
    (
        "safari iphone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        ("Safari", "iPhone"),
    ),
    (
        "chrome iphone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
        ("Chrome", "iPhone"),
    ),
    (
        "safari ipad",
        "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1",
        ("Safari", "iPad"),
    ),
    (
        "firefox android",
        "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
        ("Firefox", "Android"),
    ),
    (
        "edge windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        ("Edge", "Windows"),
    ),
    (
        "firefox windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ("Firefox", "Windows"),
    ),
    (
        "chrome linux",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ("Chrome", "Linux"),
    ),
    (
        "chrome macos",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ("Chrome", "macOS"),
    ),
    (
        "safari macos",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/18.1 Safari/605.1.15",
        ("Safari", "macOS"),
    ),
    (
        "opera android",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Mobile Safari/537.36 OPR/85.0.0.0",
        ("Opera", "Android"),
    ),
    (
        "chromebook",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ("Chrome", "ChromeOS"),
    ),
    ("command line", "curl/8.5.0", (None, None)),
    ("nothing sent", "", (None, None)),
]


@pytest.mark.parametrize(
    ("user_agent", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_browser_and_system_are_recognised(user_agent: str, expected: tuple) -> None:
    assert describe(user_agent) == expected


@pytest.mark.parametrize(
    ("locale", "user_agent", "label"),
    [
        ("fr", CASES[0][1], "Chrome sur Android"),
        ("en", CASES[0][1], "Chrome on Android"),
        ("fr", CASES[2][1], "Safari sur iPhone"),
        ("en", CASES[7][1], "Firefox on Windows"),
        ("fr", "curl/8.5.0", "Navigateur inconnu"),
        ("en", None, "Unknown browser"),
        ("fr", "SomeApp/1.0 (Linux; Android 14)", "Navigateur inconnu sur Android"),
        ("en", "HeadlessChrome/131.0.0.0", "Chrome"),
    ],
)
def test_the_label_reads_in_the_persons_language(locale: str, user_agent, label: str) -> None:
    token = current_locale.set(locale)
    try:
        assert device_label(user_agent) == label
    finally:
        current_locale.reset(token)
