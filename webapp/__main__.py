"""``python -m webapp`` / ``glassbox``: run the app on the development server; ``glassbox db|users|tokens ...``
manage the database, users and tokens (``webapp.cli``)."""

from __future__ import annotations

import argparse
import os
import sys

from werkzeug.serving import WSGIRequestHandler

from webapp import cli, create_app, security
from webapp.config import ConfigError, load_config


class _QuietHandler(WSGIRequestHandler):
    """The development server's handler without its ``Server: Werkzeug/x Python/y`` version banner."""

    server_version = "glassbox"
    sys_version = ""


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in cli.COMMANDS:  # glassbox db|users|tokens ...
        sys.exit(cli.main(argv))
    parser = argparse.ArgumentParser(
        prog="glassbox",
        description="Run the Glassbox web app.",
        epilog="Management: glassbox db upgrade|current, glassbox users add|list|remove|set-role|set-password, "
        "glassbox tokens create|revoke|list (each with --help).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true", help="reload on change and show Dash dev tools")
    args = parser.parse_args(argv)
    overrides = {}
    try:
        problem = security.secret_key_problem(load_config().get("SECRET_KEY"))
        if problem and security.is_loopback_host(args.host):
            # Nobody else can reach the server, and one process means no other worker needs the same key.
            overrides["SECRET_KEY"] = os.environ[security.SECRET_KEY_ENV] = security.random_secret_key()
            print(f"{problem}: listening on {args.host} only, with a random key for this run.", file=sys.stderr)
        if security.is_loopback_host(args.host):
            overrides["AUTH_LOOPBACK"] = True  # GLASSBOX_AUTH may stay unset (none), and none needs no banner
        app = create_app(overrides)
    except ConfigError as exc:
        parser.exit(2, f"glassbox: {exc}\n")
    app.run(host=args.host, port=args.port, debug=args.debug, request_handler=_QuietHandler)


if __name__ == "__main__":
    main()
