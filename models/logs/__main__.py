"""``python -m models.logs generate|parse``: make a realistic log, or parse logs and report."""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path


def peak_rss_mb() -> int:
    """This process's peak resident memory. /proc's VmHWM starts afresh at exec; getrusage's
    maximum carries over from the parent that forked us, so it is only the fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.logs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a seeded web-shop access log")
    generate.add_argument("--lines", type=int, required=True)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--out", type=Path, required=True, help="file to write (.gz to compress)")
    parse = commands.add_parser("parse", help="parse access logs (plain or .gz) and print counts")
    parse.add_argument("files", nargs="+", type=Path)
    parse.add_argument("--out", type=Path, help="Parquet dataset folder to write, chunk by chunk (bounded memory)")
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
    from models.logs.store import write_dataset

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    config = ParserConfig(timezone=args.timezone)
    try:
        result = write_dataset(args.files, args.out, config) if args.out else parse_files(args.files, config)
    except LogFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = result.summary() | {"max_rss_mb": peak_rss_mb()}
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{summary['lines']:,} lines: {summary['parsed']:,} parsed, {summary['rejected']:,} rejected "
            f"in {summary['seconds']:.2f} s ({summary['lines_per_second'] or 0:,} lines/s, peak RSS {summary['max_rss_mb']:,} MB)"
        )
        for example in summary["rejected_examples"]:
            print(f"  {example['source']}:{example['line']}: {example['text'][:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
