"""All SQL of the server is in its stores (issue 12): a string that reads as a statement, or a
call running one, outside `store.py` / `store/` fails here, so the SQL surface stays known (a
second database engine has only the stores to learn). Every package and module under server/
is read, but for the database layer itself (`db.py`, `checkpoint.py`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"
# The database layer: connections, transactions, pragmas and checkpoints, below every store.
DATABASE_LAYER = {"db.py", "checkpoint.py"}
STATEMENT = re.compile(
    r"^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|REPLACE\s+INTO\s"
    r"|WITH\s+\w+\s+AS\s|PRAGMA\s)"
)
RUNS_SQL = {"execute", "executemany", "executescript", "query", "one", "scalar"}


def modules() -> list[Path]:
    found = [
        path
        for path in sorted(SERVER.rglob("*.py"))
        if path.relative_to(SERVER).as_posix() not in DATABASE_LAYER
    ]
    return [p for p in found if p.stem != "store" and "store" not in p.parent.parts[-1:]]


def test_every_package_is_read() -> None:
    """The check reads the domains the refactor moved last too (a list that forgot one would
    pass without looking)."""
    read = {p.relative_to(SERVER).parts[0] for p in modules()}
    for package in ("swaps", "rest", "alerts", "notifications", "push", "statements", "pages"):
        assert package in read


def sql_in(source: str) -> list[str]:
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if STATEMENT.match(node.value):
                found.append(f"line {node.lineno}: {node.value[:40]!r}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNS_SQL
            and isinstance(node.func.value, ast.Name | ast.Attribute)
            and getattr(node.func.value, "id", getattr(node.func.value, "attr", ""))
            in {
                "database",
                "db",
                "conn",
                "connection",
            }
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}(…)")
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SERVER)))
def test_no_sql_outside_the_store(path: Path) -> None:
    assert sql_in(path.read_text(encoding="utf-8")) == [], "move this SQL into its store"


def test_the_check_finds_sql() -> None:
    """What the check looks for is found (a check that finds nothing would always pass), and
    words that are not statements are not."""
    sample = (
        "def f(database):\n"
        '    database.execute("UPDATE users SET name = ? WHERE id = ?", ("x", 1))\n'
        '    return database.scalar(SQL), "update", "With one statement", "Delete it"\n'
    )
    assert [line.split(":")[0] for line in sql_in(sample)] == ["line 2", "line 2", "line 3"]
