"""The baseline: bare Litestar + Jinja2 + SQLite, one page after one indexed query, on uvicorn."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
from pathlib import Path

import sqlite_utils
from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
PERSON = "person5@bare.test"


def open_people(path: Path) -> sqlite_utils.Database:
    """Ten people with an index on email, in a WAL database opened like the real app's."""
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    db = sqlite_utils.Database(conn)
    if "people" not in db.table_names():
        db["people"].insert_all(
            (
                {"id": n, "email": f"person{n}@bare.test", "name": f"Person{n} Bare", "phone": "0"}
                for n in range(10)
            ),
            pk="id",
        )
        db["people"].create_index(["email"], unique=True)
    return db


def create_app(db: sqlite_utils.Database) -> Litestar:
    @get("/")
    async def page() -> Template:
        person = next(db.query("SELECT * FROM people WHERE email = ?", (PERSON,)))
        return Template("bare.html", context={"person": person, "items": ("a", "b", "c")})

    @get("/healthz")
    async def health() -> dict:
        return {"status": "ok"}

    return Litestar(
        route_handlers=[page, health],
        template_config=TemplateConfig(directory=TEMPLATE_DIR, engine=JinjaTemplateEngine),
        debug=False,
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    # The same logging set-up and uvicorn.run() arguments as `astreinte serve` (server/cli.py).
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    db = open_people(Path(os.environ.get("BENCH_BARE_DB", "bare.db")))
    uvicorn.run(
        create_app(db),
        host="127.0.0.1",
        port=args.port,
        log_level=args.log_level.lower(),
        proxy_headers=False,
        access_log=True,
    )


if __name__ == "__main__":
    main()
