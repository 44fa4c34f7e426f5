"""What the browser tests share, in one place: the Chromium they drive and the phone it plays,
logging in, waiting for the page or for the server, the datetime-local fields' wall clock, the
`astreinte` command and the server's database read beside it. Fixtures stay in conftest.py."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from server.clock import to_db
from server.db import Database

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

REPO_ROOT = Path(__file__).resolve().parents[2]
ASTREINTE = Path(sys.executable).with_name("astreinte")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE_JS = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"

DEMO_PASSWORD = "astreinte-demo"
STAFF = "julien.moreau@astreinte.test"
MANAGER = "claire.martin@astreinte.test"
ADMIN = "admin@astreinte.test"

# Playwright's default of 30 s hides a hang for too long; a local page answers in milliseconds.
TIMEOUT_MS = 10_000
# The phone every test holds unless it says otherwise: a 360×640 touch screen speaking French.
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "fr-FR",
}
# The demo company's zone: the datetime-local fields of its teams are Paris wall-clock times.
PARIS = ZoneInfo("Europe/Paris")


def port_refuses(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port (the connection is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return True
        except OSError:
            return False
        return False


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, as a person would (French labels)."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    error = page.locator("[role=alert]")
    assert "/login" not in page.url, f"login as {email} failed: {error.all_inner_texts()}"


def wait_for_js(
    page: Page, function: str, arg: Any = None, *, what: str = "", timeout_ms: int = TIMEOUT_MS
) -> Any:
    """Poll a JavaScript function (it may be async) until it gives something truthy; returns it.

    Never `page.wait_for_function` with a string: Playwright re-evaluates a string predicate
    with the page's eval(), which the app's Content-Security-Policy (no 'unsafe-eval') forbids.
    Its first check, inside DevTools' call, is let through, so it fails only when the page is
    slow to get there (under load). Each `page.evaluate` here goes through DevTools alone, and
    awaits an async function, where wait_for_function takes its Promise for a true answer."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        result = page.evaluate(function, arg)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_ms / 1000:.0f} s for {what or function}")
        page.wait_for_timeout(50)  # Playwright's events (routes, workers) flow meanwhile


def wait_for_service_worker(page: Page) -> None:
    """The service worker has installed, activated and now controls this page."""
    wait_for_js(
        page,
        "() => navigator.serviceWorker.controller?.state === 'activated'",
        what="the service worker to control the page",
        # Installing precaches the shell (and the worker's scripts for clients and
        # procedures): on two cores busy with the whole suite that took over 10 s once.
        timeout_ms=3 * TIMEOUT_MS,
    )


def wait_until_cached(page: Page, paths: list[str]) -> None:
    version = page.evaluate("document.body.dataset.version")
    wait_for_js(
        page,
        """async ([paths, name]) => {
            const hits = await Promise.all(paths.map((p) => caches.match(p, {cacheName: name})));
            return hits.every(Boolean);
        }""",
        [paths, f"astreinte-pages-{version}"],
        what=f"the copies of {paths}",
    )


def raise_alert(page: Page, title: str) -> str:
    """Julien logs a client's call as an alert; returns the alert page's path."""
    page.goto("/alerts/new")
    page.get_by_label("Que se passe-t-il ?").fill(title)
    with page.expect_navigation():
        page.get_by_role("button", name="Alerter la personne d’astreinte").tap()
    path = page.url.removeprefix(page.url.split("/alerts/")[0])
    assert re.fullmatch(r"/alerts/\d+", path), page.url
    return path


def wait_for(check: Callable[[], bool], timeout_s: float = 15.0) -> bool:
    """Poll a check in the test (the server's database, its log) until it holds or time runs
    out; returns the last answer, for the test to assert with its own message."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def local_input(moment: datetime) -> str:
    """What a datetime-local field holds: the Paris wall clock to the minute."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def read_rows(live: LiveServer, sql: str, params: tuple = ()) -> list[dict]:
    """Rows of the running server's database, read beside it (read-only: the test never
    writes behind the server's back this way)."""
    path = live.data_dir / "astreinte.db"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, params).fetchall()]


def first_team_of(live: LiveServer, email: str) -> int:
    """The id of the first team (lowest id) the person belongs to, on the running server."""
    (row,) = read_rows(
        live,
        "SELECT m.team_id FROM memberships m JOIN users u ON u.id = m.user_id"
        " WHERE u.email = ? ORDER BY m.team_id LIMIT 1",
        (email,),
    )
    return row["team_id"]


def astreinte_cli(live: LiveServer, *args: str, stdin: str | None = None) -> str:
    """`astreinte ARGS` on the server's data folder, as an administrator runs it beside the
    server (none of the test process's own ASTREINTE_ settings); returns what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTREINTE_")}
    done = subprocess.run(
        [str(ASTREINTE), *args],
        input=stdin,
        env={**env, "ASTREINTE_DATA_DIR": str(live.data_dir)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def put_on_call(live: LiveServer, email: str, team_id: int, hours: int = 12) -> datetime:
    """Make `email` the team's primary on call from a minute ago for `hours` (an override
    written beside the running server); returns its end.

    The demo company is on call nights, weekends and holidays only: a test that needs someone
    on call now builds it, whatever the hour the suite runs at. Written as the demo writes its
    shifts (the manager's override form refuses a start in the past, and a start within a day
    asks for the notice rule). The on-call answer sees another process's write at once, but
    Today is kept per person for up to 15 minutes: call this before the person opens it."""
    now = datetime.now(UTC).replace(microsecond=0)
    ends_at = now + timedelta(hours=hours)
    database = Database(live.data_dir / "astreinte.db")
    try:
        with database.write():
            user_id = database.scalar("SELECT id FROM users WHERE email = ?", (email,))
            assert user_id is not None, email
            database.insert(
                "shifts",
                {
                    "team_id": team_id,
                    "rotation_id": None,
                    "kind": "override",
                    "layer": "primary",
                    "user_id": user_id,
                    "starts_at": to_db(now - timedelta(minutes=1)),
                    "ends_at": to_db(ends_at),
                    "status": "accepted",
                    "published_at": to_db(now - timedelta(minutes=1)),
                    "answered_at": to_db(now - timedelta(minutes=1)),
                    "edited": 1,
                    "created_at": to_db(now),
                    "updated_at": to_db(now),
                },
            )
    finally:
        database.close()
    return ends_at


# The demo company's first team (maintenance), where Inès joins.
MAINTENANCE = 1
INES = "ines.garcia@astreinte.test"
INES_PASSWORD = "astreinte-demo"


def new_colleague(live: LiveServer) -> None:
    """Inès joins the maintenance team (the CLI, as an administrator would) with the electrical
    habilitation its nights require (as her manager records it); she is on call nowhere yet, so
    taking a night passes every check."""
    astreinte_cli(
        live,
        *("user", "add", INES, "--role", "staff", "--team", str(MAINTENANCE)),
        *("--name", "Inès Garcia", "--password-stdin"),
        stdin=INES_PASSWORD + "\n",
    )
    database = Database(live.data_dir / "astreinte.db")
    try:
        with database.write():
            database.execute(
                "INSERT INTO person_qualifications (user_id, qualification_id, obtained_on,"
                " created_at, updated_at)"
                " SELECT u.id, q.id, '2026-01-05', '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z'"
                " FROM users u, qualifications q"
                " WHERE u.email = ? AND q.name = 'Habilitation électrique BR'",
                (INES,),
            )
    finally:
        database.close()


# Accessibility ---------------------------------------------------------------------------------
# The sweep's checks (axe injected by the phone's init script, htmx settled, details open) and
# the shell's quicker one (axe added to a page whose CSP is bypassed).

FAILING = ("serious", "critical")
# Dark mode only changes colours: the rules about colour are enough there.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def run_axe(page: Page, rules: list[str] | None = None) -> list[dict]:
    # Fragments htmx loads on arrival (the rest clock…) are part of the page.
    expect(page.locator(".htmx-request")).to_have_count(0, timeout=TIMEOUT_MS)
    # What a person can unfold is checked unfolded.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = page.evaluate("options => axe.run(document, options)", options)
    return [v for v in results["violations"] if v["impact"] in FAILING]


# What axe cannot see on a phone: a page wider than the screen, targets under 44 px (links inside
# a sentence excepted, a box counts with its label), and a control that shows no focus ring.
PHONE_CHECKS = """() => {
  const problems = [];
  const html = document.documentElement;
  // clientWidth: the phone's 360 px (a mobile browser widens innerWidth to fit the page).
  if (html.scrollWidth > html.clientWidth) {
    problems.push(`wider than the screen: ${html.scrollWidth} px for ${html.clientWidth} px`);
  }
  const tap = 44 - 0.5;
  const focusable = "a[href], button, input:not([type=hidden]), select, textarea, summary,"
    + " [tabindex]:not([tabindex='-1'])";
  for (const el of document.querySelectorAll(focusable)) {
    const style = getComputedStyle(el);
    if (!el.getClientRects().length || style.visibility === "hidden") continue;
    const what = el.outerHTML.slice(0, 160);
    const box = (el.matches("[type=checkbox], [type=radio]") && el.labels.length
      ? el.labels[0] : el).getBoundingClientRect();
    const inSentence = el.localName === "a" && style.display === "inline"
      && el.parentElement.textContent.trim() !== el.textContent.trim();
    const offScreen = box.right <= 0;  // the skip link, until it has the focus
    if (!inSentence && !offScreen && (box.width < tap || box.height < tap)) {
      problems.push(`touch target ${Math.round(box.width)}x${Math.round(box.height)} px: ${what}`);
    }
    el.focus();
    const ring = getComputedStyle(el);
    if (document.activeElement === el
        && (ring.outlineStyle === "none" || parseFloat(ring.outlineWidth) < 2)) {
      problems.push(`no visible focus: ${what}`);
    }
  }
  document.activeElement.blur();
  return problems;
}"""


def phone_problems(where: str, page: Page) -> list[str]:
    # A key press first: focus moved by the page then shows as it does for a keyboard user.
    page.keyboard.press("Shift")
    return [f"{where}: {problem}" for problem in page.evaluate(PHONE_CHECKS)]


def describe(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {target}: {node['html'][:160]}\n      {summary}")
    return lines


def serious_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("axe.run()")
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def violations_text(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"  {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {summary}")
    return "\n".join(lines)
