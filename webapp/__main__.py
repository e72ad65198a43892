"""``python -m webapp`` / ``glassbox``: run the app on the development server."""

from __future__ import annotations

import argparse

from webapp import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="glassbox", description="Run the Glassbox web app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true", help="reload on change and show Dash dev tools")
    args = parser.parse_args(argv)
    create_app().run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
