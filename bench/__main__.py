"""`python -m bench [--quick] [--json]`: measure, then print one table (or JSON)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # every model is local; never reach the network

from bench.config import CONCURRENCY, FULL, QUICK, SECTIONS  # noqa: E402
from bench.run import Report, run  # noqa: E402
from bench.table import render  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="kotae benchmarks: indexing, query path, service under load, scale, peer.",
        epilog="Example: python -m bench --quick --only service,scale",
    )
    parser.add_argument("--quick", action="store_true", help="CI smoke test (under a minute)")
    parser.add_argument(
        "--concurrency",
        action="store_true",
        help="issue 18's check in minutes: with --only batching,threads,service",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}"
    )
    parser.add_argument("--workdir", type=Path, help="keep indexes and logs here (default: temp)")
    parser.add_argument("--save-json", type=Path, help="also write the JSON report to this file")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    config = CONCURRENCY if args.concurrency else QUICK if args.quick else FULL
    report = run(config, sections, args.workdir)
    print(to_json(report) if args.json else to_markdown(report))
    if args.save_json:
        args.save_json.write_text(to_json(report) + "\n", encoding="utf-8")
    return 0


def to_markdown(report: Report) -> str:
    lines = [f"## kotae benchmark ({report.config} mode, {report.seconds:.0f} s)", ""]
    lines += [f"- **{k}**: {v}" for k, v in {**report.machine, **report.threads}.items()]
    load = "; ".join(f"{step} {v}" for step, v in report.load.items())
    lines.append(f"- **1-min load average before → after each step**: {load}")
    return "\n".join(lines) + "\n\n" + render(report.rows)


def to_json(report: Report) -> str:
    return json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2)


if __name__ == "__main__":
    sys.exit(main())
