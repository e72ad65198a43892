"""``python -m models.logs generate|generate-parquet|parse``: make a realistic log (as text, or as a
ts-sorted Parquet dataset of parsed events), or parse logs and report."""

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
    events = commands.add_parser(
        "generate-parquet", help="write the events of a seeded log straight to a ts-sorted Parquet dataset (no text)"
    )
    events.add_argument("--events", type=int, required=True)
    events.add_argument("--seed", type=int, default=0)
    events.add_argument("--days", type=int, help="days covered (default: about 20,000 events a day, at most 90)")
    events.add_argument("--out", type=Path, required=True, help="dataset folder to write")
    events.add_argument("--row-group-rows", type=int, default=None, help="rows per Parquet row group")
    events.add_argument("--rows-per-file", type=int, default=None, help="rows per Parquet file")
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

    if args.command == "generate-parquet":
        from models.logs.generate import write_parquet

        if args.events <= 0:
            parser.error("--events must be positive")
        layout = {"row_group_rows": args.row_group_rows, "rows_per_file": args.rows_per_file}
        try:
            result = write_parquet(
                args.out,
                args.events,
                seed=args.seed,
                days=args.days,
                **{k: v for k, v in layout.items() if v is not None},
            )
        except ValueError as exc:
            parser.error(str(exc))
        summary = result.summary()
        print(
            f"{summary['rows']:,} events in {len(summary['files'])} files, {summary['row_groups']:,} row groups "
            f"in {summary['seconds']:.1f} s (peak RSS {peak_rss_mb():,} MB): {summary['out']}"
        )
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
