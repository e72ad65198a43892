"""``glassbox db|users|tokens ...``: the database schema, users and API tokens from the command line.

Plain ``glassbox [--host --port --debug]`` still runs the app (``webapp.__main__``); these subcommands work on the
database named by ``GLASSBOX_DATABASE_URL`` (default: the SQLite file under ``GLASSBOX_DATA_DIR``).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from models import accounts, audit, migrations
from models.access import ROLES
from models.db import make_engine
from webapp.config import ConfigError, load_config

COMMANDS = ("db", "users", "tokens")
CLI_ACTOR = "cli"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassbox", description="Manage the Glassbox database, users and tokens.")
    groups = parser.add_subparsers(dest="group", required=True)

    db = groups.add_parser("db", help="the database schema (Alembic migrations)").add_subparsers(
        dest="action", required=True
    )
    upgrade = db.add_parser("upgrade", help="bring the database to the newest schema (keeps every row)")
    upgrade.add_argument("revision", nargs="?", default="head")
    db.add_parser("current", help="the database's revision and the newest one")

    users = groups.add_parser("users", help="users who sign in (GLASSBOX_AUTH=password)").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="viewer")
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    how.add_argument("--no-password", action="store_true", help="a user who signs in by OIDC or a proxy")
    users.add_parser("list", help="list users")
    remove = users.add_parser("remove", help="remove a user (and revoke their tokens)")
    remove.add_argument("name")
    set_role = users.add_parser("set-role", help="change a user's role")
    set_role.add_argument("name")
    set_role.add_argument("role", choices=ROLES)
    password = users.add_parser("set-password", help="change a user's password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")

    tokens = groups.add_parser("tokens", help="personal API tokens").add_subparsers(dest="action", required=True)
    create = tokens.add_parser("create", help="create a token for USER (printed once)")
    create.add_argument("user")
    create.add_argument("--name", default="cli")
    revoke = tokens.add_parser("revoke", help="revoke token ID")
    revoke.add_argument("id", type=int)
    listing = tokens.add_parser("list", help="list tokens (never the tokens themselves)")
    listing.add_argument("user", nargs="?")
    return parser


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise accounts.AccountError("The two passwords differ.")
    return first


def _table(rows: list[dict], columns: list[str]) -> str:
    cells = [[("" if row.get(c) is None else str(row.get(c))) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        engine = make_engine(load_config()["DATABASE_URL"])
    except ConfigError as exc:
        print(f"glassbox: {exc}", file=sys.stderr)
        return 2
    try:
        if args.group == "db":
            return _db(engine, args)
        migrations.ensure_current(engine)
        return _users(engine, args) if args.group == "users" else _tokens(engine, args)
    except (accounts.AccountError, migrations.SchemaBehindError) as exc:
        print(f"glassbox: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _db(engine, args) -> int:
    if args.action == "current":
        print(f"database: {migrations.current(engine) or 'none (no alembic_version)'} ({migrations.state(engine)})")
        print(f"newest:   {migrations.head()}")
        return 0
    before, after = migrations.upgrade(engine, args.revision)
    print(f"upgraded {before or 'none'} -> {after}" if before != after else f"already at {after}")
    return 0


def _users(engine, args) -> int:
    if args.action == "list":
        print(_table(accounts.list_users(engine), ["name", "role", "source", "created_at", "last_sign_in"]))
    elif args.action == "add":
        password = None if args.no_password else _read_password(args.password_stdin)
        accounts.add_user(engine, args.name, args.role, password, source="password" if password else "external")
        audit.record(engine, CLI_ACTOR, "user.add", f"user:{args.name}", role=args.role)
        print(f"added {args.name} ({args.role})")
    elif args.action == "remove":
        accounts.remove_user(engine, args.name)
        audit.record(engine, CLI_ACTOR, "user.remove", f"user:{args.name}")
        print(f"removed {args.name}")
    elif args.action == "set-role":
        old = accounts.set_role(engine, args.name, args.role)
        audit.record(engine, CLI_ACTOR, "user.role", f"user:{args.name}", old=old, new=args.role)
        print(f"{args.name}: {old} -> {args.role}")
    elif args.action == "set-password":
        accounts.set_password(engine, args.name, _read_password(args.password_stdin))
        audit.record(engine, CLI_ACTOR, "user.password", f"user:{args.name}")
        print(f"changed {args.name}'s password")
    return 0


def _tokens(engine, args) -> int:
    if args.action == "create":
        token_id, token = accounts.create_token(engine, args.user, args.name)
        audit.record(engine, CLI_ACTOR, "token.create", f"token:{token_id}", user=args.user, name=args.name)
        print(f"token {token_id} for {args.user} (shown once, keep it secret):", file=sys.stderr)
        print(token)
    elif args.action == "revoke":
        row = accounts.revoke_token(engine, args.id)
        audit.record(engine, CLI_ACTOR, "token.revoke", f"token:{args.id}", user=row["user_name"])
        print(f"revoked token {args.id} of {row['user_name']}")
    else:
        print(_table(accounts.list_tokens(engine, args.user), ["id", "user_name", "name", "created_at", "revoked_at"]))
    return 0
