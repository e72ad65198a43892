"""``python -m models.logs generate|parse``: make a realistic log, or parse logs and report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.logs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a seeded web-shop access log")
    generate.add_argument("--lines", type=int, required=True)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--out", type=Path, required=True, help="file to write (.gz to compress)")
    parse = commands.add_parser("parse", help="parse access logs (plain or .gz) and print counts")
    parse.add_argument("files", nargs="+", type=Path)
    parse.add_argument("--out", type=Path, help="folder to write events.parquet into")
    parse.add_argument("--timezone", default="UTC", help="zone of timestamps written without an offset")
    parse.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    if args.command == "generate":
        from models.logs.generate import write_log

        if args.lines <= 0:
            parser.error("--lines must be positive")
        path = write_log(args.out, args.lines, seed=args.seed)
        print(path)
        return 0

    from models.logs.parse import LogFormatError, ParserConfig, parse_files

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    try:
        result = parse_files(args.files, ParserConfig(timezone=args.timezone))
    except LogFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        pq.write_table(result.table, args.out / "events.parquet", compression="zstd")
    summary = result.summary()
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['lines']:,} lines: {summary['parsed']:,} parsed, {summary['rejected']:,} rejected "
              f"in {summary['seconds']:.2f} s ({summary['lines_per_second'] or 0:,} lines/s)")
        for example in summary["rejected_examples"]:
            print(f"  {example['source']}:{example['line']}: {example['text'][:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
