"""The `astreinte` command: serve, migrate, demo, backup, user, team, apikey, rest-check,
statement-check, staffing-check."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path

from server.settings import (
    Settings,
    SettingsError,
    check_listening,
    check_production,
    load_settings,
    setting_docs,
)


def _database(settings: Settings):
    from server.db import open_database

    return open_database(settings.database_path)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.access_log import log_config
    from server.app import create_app
    from server.clock import SystemClock
    from server.demo import is_empty, keep_demo_schedule, logins_text, seed_demo

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        settings = load_settings(**overrides)
    check_production(settings)
    check_listening(settings)
    database = _database(settings)
    if not settings.production and is_empty(database):
        seed_demo(database, SystemClock().now())
        print("Demo company created.")
    if not settings.production:
        keep_demo_schedule(database, SystemClock().now())
        print(logins_text(settings.public_url))
    print(f"Serving on http://{settings.host}:{settings.port}", flush=True)
    app = create_app(settings, database=database)
    # What start-up made (modules, routes, templates) lives as long as the process: set aside,
    # a full collection no longer walks it (40 ms, 200 ms on a busy machine, every ~10 s of an
    # alert storm, with every request and push waiting behind it).
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=settings.trust_proxy,
        access_log=True,
        log_config=log_config(),  # invitation and calendar tokens never reach the log
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from server.db import Database, migrate, schema_snapshot

    database = Database(settings.database_path)
    applied = migrate(database)
    print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    if args.snapshot:
        Path(args.snapshot).write_text(schema_snapshot(database), encoding="utf-8")
        print(f"schema snapshot written to {args.snapshot}")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from server.clock import SystemClock
    from server.demo import logins_text, seed_demo

    if settings.production:
        print("error: no demo company in production mode", file=sys.stderr)
        return 2
    created = seed_demo(_database(settings), SystemClock().now())
    print("Demo company created." if created else "The demo company is already there.")
    print(logins_text(settings.public_url))
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from server.db import backup

    target = Path(args.path)
    backup(_database(settings), target)
    print(f"backup written to {target}")
    return 0


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from server.accounts.models import UserForm
    from server.accounts.store import create_user
    from server.audit.models import Actor
    from server.clock import SystemClock
    from server.errors import DomainError
    from server.teams.store import find_team, set_membership

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    if args.password_stdin and len(password or "") < 10:
        print(
            "error: the password read from standard input must have at least 10 characters",
            file=sys.stderr,
        )
        return 2
    database = _database(settings)
    now = SystemClock().now()
    try:
        form = UserForm(
            email=args.email,
            name=args.name or args.email.split("@")[0],
            role=args.role,
            phone=args.phone or "",
        )
        with database.write():
            user = create_user(database, form, actor=Actor.cli(), now=now, password=password)
            if args.team:
                team = find_team(database, args.team)
                team_role = "manager" if args.role == "manager" else "member"
                set_membership(database, team.id, user.id, team_role, actor=Actor.cli(), now=now)
    except (DomainError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"user {user.id} created: {user.email} ({user.role})")
    return 0


def cmd_team_list(args: argparse.Namespace, settings: Settings) -> int:
    from server.teams.store import list_teams

    for team in list_teams(_database(settings)):
        print(f"{team.id}\t{team.name}")
    return 0


def cmd_apikey_create(args: argparse.Namespace, settings: Settings) -> int:
    from server.apikeys.store import create_key
    from server.audit.models import Actor
    from server.clock import SystemClock
    from server.errors import DomainError
    from server.teams.store import find_team

    database = _database(settings)
    try:
        team = find_team(database, args.team)
        token, _key = create_key(
            database, team.id, args.name, actor=Actor.cli(), now=SystemClock().now()
        )
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(token)
    return 0


def cmd_vapid(args: argparse.Namespace, settings: Settings) -> int:
    from server.push.vapid import VapidKeys, rotate

    keys = rotate(settings.data_path) if args.rotate else VapidKeys(settings.data_path)
    print(f"public key: {keys.public_key}")
    print(f"private key file: {keys.path}")
    if args.rotate:
        # The server reads the key once at start, and phones hold subscriptions made with the
        # old one: say what happens next, since nothing else will.
        print(
            "new key pair made, the old one is deleted. Restart the server to use it. Each "
            "phone subscribes again with the new key the next time its app opens; until then "
            "alerts to it fail (403, recorded on the alert timeline)."
        )
    return 0


def cmd_rest_check(args: argparse.Namespace, settings: Settings) -> int:
    from server.rest.command import rest_check_main

    return rest_check_main(args.file, sys.stdin, sys.stdout, sys.stderr)


def cmd_statement_check(args: argparse.Namespace, settings: Settings) -> int:
    from server.statements.command import statement_check_main

    return statement_check_main(args.file, sys.stdin, sys.stdout, sys.stderr)


def cmd_staffing_check(args: argparse.Namespace, settings: Settings) -> int:
    from server.staffing.command import staffing_check_main

    return staffing_check_main(args.file, sys.stdin, sys.stdout, sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    epilog = "settings (environment variables):\n" + "\n".join(
        f"  {name:<38} {help_text} [default: {default}]"
        for name, default, help_text in setting_docs()
    )
    parser = argparse.ArgumentParser(
        prog="astreinte",
        description="Astreinte: on-call shifts, alerts, interventions and rest.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, seed the demo on an empty database, and serve")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply the migrations not yet applied")
    migrate.add_argument("--snapshot", help="also write the schema snapshot to this file")
    migrate.set_defaults(run=cmd_migrate)

    sub.add_parser("demo", help="create the demo company").set_defaults(run=cmd_demo)

    backup = sub.add_parser("backup", help="consistent copy of the database, safe while serving")
    backup.add_argument("path")
    backup.set_defaults(run=cmd_backup)

    user = sub.add_parser("user", help="manage people").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser(
        "add", help="create a person (e.g. the first admin of a production install)"
    )
    add.add_argument("email")
    add.add_argument("--role", choices=["staff", "manager", "admin"], required=True)
    add.add_argument("--team", help="team id or name")
    add.add_argument("--name")
    add.add_argument("--phone")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(run=cmd_user_add)

    team = sub.add_parser("team", help="teams").add_subparsers(dest="team_command", required=True)
    team.add_parser("list", help="id and name of each team").set_defaults(run=cmd_team_list)

    apikey = sub.add_parser("apikey", help="API keys").add_subparsers(
        dest="apikey_command", required=True
    )
    create = apikey.add_parser("create", help="create a key for a team and print it once")
    create.add_argument("--team", required=True, help="team id or name")
    create.add_argument("--name", required=True)
    create.set_defaults(run=cmd_apikey_create)

    vapid = sub.add_parser("vapid", help="show the Web Push public key (made on first start)")
    vapid.add_argument("--rotate", action="store_true", help="make a new key pair")
    vapid.set_defaults(run=cmd_vapid)

    rest = sub.add_parser("rest-check", help="run the rest-law engine on a JSON timeline (LAW.md)")
    rest.add_argument("file", help="JSON file, or - for standard input")
    rest.set_defaults(run=cmd_rest_check)

    statement = sub.add_parser(
        "statement-check", help="run the monthly statement engine on a JSON month (PAY.md)"
    )
    statement.add_argument("file", help="JSON file, or - for standard input")
    statement.set_defaults(run=cmd_statement_check)

    staffing = sub.add_parser(
        "staffing-check", help="people needed on call at once for a call volume (Erlang C)"
    )
    staffing.add_argument("file", help="JSON file, or - for standard input")
    staffing.set_defaults(run=cmd_staffing_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return args.run(args, settings)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
