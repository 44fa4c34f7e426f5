"""Steps the schedule tests share: a rotation typed into the manager's form, a publication,
rows read back from the database, and a small HTML reader for the pages people see.

The test clock starts on Monday 30 November 2026 at 10:00 in Paris (09:00 UTC). The rotations
made here hand off on Mondays at 08:00 from that Monday on, so turn k starts on Monday
30 November + 7·k days; outside business hours (08:00–18:00, Monday to Friday, public holidays
off) a turn is four weeknights (Monday to Thursday, 18:00–08:00) and a weekend from Friday
18:00 to Monday 08:00."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from litestar import Litestar

from server.clock import from_db, to_db
from server.db import Database
from tests.conftest import Client

PARIS = ZoneInfo("Europe/Paris")
FIRST_MONDAY = date(2026, 11, 30)


class Browsers:
    """Several people's browsers on one app, each logged in as someone.

    conftest's `make_client` closes its clients in the order they were opened, and closing a
    second test client's lifespan before the one opened after it hangs the test run; here they
    are closed last-opened first."""

    def __init__(self, app: Litestar, language: str | None = None) -> None:
        self.app = app
        self.language = language  # sent as Accept-Language by each browser, when given
        self._stack = ExitStack()

    def __call__(self, email: str | None = None) -> Client:
        browser = self._stack.enter_context(
            Client(app=self.app, base_url="http://testserver.local")
        )
        if self.language is not None:
            browser.headers["Accept-Language"] = self.language
        if email is not None:
            browser.login(email)
        return browser

    def __enter__(self) -> Browsers:
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.close()


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in Paris as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def stored(moment: datetime) -> str:
    """How the database writes an instant."""
    return to_db(moment)


def local(text: str) -> datetime:
    """A stored instant read on the Paris wall clock."""
    return from_db(text).astimezone(PARIS)


def turn_of(starts_at: str) -> int:
    """The weekly turn (0 = the week of Monday 30 November 2026) a stored start falls in."""
    return (local(starts_at).date() - FIRST_MONDAY).days // 7


def rotation_form(
    people: list[int],
    *,
    name: str = "Astreinte hebdomadaire",
    layer: str = "primary",
    start_date: str = "2026-11-30",
    handoff_time: str = "08:00",
    length: int = 1,
    length_unit: str = "weeks",
    coverage: str = "outside_business_hours",
    business_start: str = "08:00",
    business_end: str = "18:00",
    horizon_weeks: int = 12,
    backup: bool = False,
) -> dict[str, str]:
    """The rotation form as a manager fills it: `people` in hand-off order (position 1 first)."""
    form = {
        "name": name,
        "layer": layer,
        "start_date": start_date,
        "handoff_time": handoff_time,
        "length": str(length),
        "length_unit": length_unit,
        "coverage": coverage,
        "business_start": business_start,
        "business_end": business_end,
        "horizon_weeks": str(horizon_weeks),
    }
    for position, user_id in enumerate(people, start=1):
        form[f"order_{user_id}"] = str(position)
    if backup:
        form["backup"] = "true"
    return form


def create_rotation(client: Client, team_id: int, people: list[int], **options):
    """Post the new-rotation form; the caller checks the answer."""
    return client.post_form(
        f"/schedule/manage/rotations/new?team={team_id}", rotation_form(people, **options)
    )


def add_rotation(client: Client, team_id: int, people: list[int], **options) -> None:
    response = create_rotation(client, team_id, people, **options)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/schedule/manage?team={team_id}&done=rotation")


def publish(
    client: Client, team_id: int, start: str, end: str, *, exceptional: bool = False, reason=""
):
    data = {"start": start, "end": end, "reason": reason}
    if exceptional:
        data["exceptional"] = "true"
    return client.post_form(f"/schedule/manage/publish?team={team_id}", data)


def publish_ok(client: Client, team_id: int, start: str, end: str, **options) -> None:
    response = publish(client, team_id, start, end, **options)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/schedule/manage?team={team_id}&done=")


def shift_rows(
    database: Database,
    team_id: int | None = None,
    *,
    status: str | None = None,
    layer: str | None = None,
    user_id: int | None = None,
    kind: str | None = None,
) -> list[dict]:
    clauses, params = [], []
    for column, value in (
        ("team_id", team_id),
        ("status", status),
        ("layer", layer),
        ("user_id", user_id),
        ("kind", kind),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
    return database.query(f"SELECT * FROM shifts {where}ORDER BY starts_at, layer, id", params)


def shift_at(database: Database, team_id: int, layer: str, starts_at: datetime) -> dict:
    """The one shift of a layer starting at a given instant."""
    rows = database.query(
        "SELECT * FROM shifts WHERE team_id = ? AND layer = ? AND starts_at = ?",
        (team_id, layer, stored(starts_at)),
    )
    assert len(rows) == 1, (starts_at, rows)
    return rows[0]


def notifications_of(database: Database, user_id: int, kind: str | None = None) -> list[dict]:
    if kind is None:
        return database.query(
            "SELECT * FROM notifications WHERE user_id = ? ORDER BY id", (user_id,)
        )
    return database.query(
        "SELECT * FROM notifications WHERE user_id = ? AND kind = ? ORDER BY id", (user_id, kind)
    )


def counts(database: Database) -> dict[str, int]:
    """Rows of every table a schedule change writes to: to prove nothing was written."""
    tables = ("rotations", "shifts", "notifications", "audit_log", "calendar_feeds")
    return {t: database.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables}


def snapshot(database: Database) -> list[tuple]:
    """Every shift as it is, to compare before and after a refused request."""
    return [tuple(row.values()) for row in database.query("SELECT * FROM shifts ORDER BY id")]


def weeknight(day: date) -> tuple[datetime, datetime]:
    """The on-call night starting on a weekday: 18:00 to 08:00 the next morning, in Paris."""
    start = datetime.combine(day, time(18), tzinfo=PARIS)
    following = day + timedelta(days=1)
    return start, datetime.combine(following, time(8), tzinfo=PARIS)


# HTML ---------------------------------------------------------------------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Node:
    """An element of a parsed page: tag, attributes, children (nodes and text)."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        """The text a person reads, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in ("script", "style", "template"):
                    walk(child)

        walk(self)
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Elements by tag and attribute values: `aria_label` for aria-label, `for_` for for;
        `class_` matches one class among several."""
        found = []
        for node in self.iter():
            if tag is not None and node.tag != tag:
                continue
            ok = True
            for name, wanted in attrs.items():
                if name == "class_":
                    ok = wanted in (node.attrs.get("class") or "").split()
                else:
                    ok = node.attrs.get(name.rstrip("_").replace("_", "-")) == wanted
                if not ok:
                    break
            if ok:
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, [n.text[:80] for n in found])
        return found[0]

    def section(self, heading_id: str) -> Node:
        """The region a heading names (`aria-labelledby`)."""
        return self.one(aria_labelledby=heading_id)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def page_text(html: str) -> str:
    """The text of the page's main content (or of the whole page when it has no <main>)."""
    document = parse(html)
    main = document.find("main")
    return (main or document).text
