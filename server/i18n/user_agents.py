"""A browser's user-agent string as a person names their device: "Chrome on Android".

A small mapping rather than a parser from PyPI: Settings only needs the browser's and the
system's family, the few browsers people use on a phone or a desk are named below, and since
browsers froze and trimmed their user-agent strings (versions, models) a full parser's monthly
regex updates would add nothing to that. Order matters: Edge, Opera and Samsung Internet all
say "Chrome" too, Chrome on iOS says "Safari", Android says "Linux" and iOS "Mac OS X"."""

from __future__ import annotations

import re

from server.i18n import gettext as _

# (token in the string, browser): the first that matches wins.
BROWSERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\bEdg(e|A|iOS)?/", "Edge"),
        (r"\b(OPR|OPT|Opera)/", "Opera"),
        (r"\bSamsungBrowser/", "Samsung Internet"),
        (r"\b(Firefox|FxiOS)/", "Firefox"),
        (r"\b(CriOS|HeadlessChrome|Chrome|Chromium)/", "Chrome"),
        (r"\bVersion/[\d.]+.*\bSafari/", "Safari"),
    )
)
SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\biPhone\b|\biPod\b", "iPhone"),
        (r"\biPad\b", "iPad"),
        (r"\bAndroid\b", "Android"),
        (r"\bWindows\b", "Windows"),
        (r"\bCrOS\b", "ChromeOS"),
        (r"\bMac OS X\b|\bMacintosh\b", "macOS"),
        (r"\bLinux\b|\bX11\b", "Linux"),
    )
)


def _first(table: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str | None:
    return next((name for pattern, name in table if pattern.search(text)), None)


def describe(user_agent: str | None) -> tuple[str | None, str | None]:
    """(browser, system) named in a user-agent string, each None when not recognised."""
    text = (user_agent or "")[:1000]
    return _first(BROWSERS, text), _first(SYSTEMS, text)


def device_label(user_agent: str | None) -> str:
    """ "Chrome on Android" in the page's language; what is known when only one part is."""
    browser, system = describe(user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if browser:
        return browser
    if system:
        return _("Unknown browser on %(system)s", system=system)
    return _("Unknown browser")
