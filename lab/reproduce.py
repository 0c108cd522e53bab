"""Reproduce the results table: run each condition's `kotae eval` command, check its numbers.

    python -m lab.reproduce                  # every condition (slow: each index is built once)
    python -m lab.reproduce --only 2+2       # one condition (repeatable)
    python -m lab.reproduce --table          # write eval/README.md's table from the file; no runs
    python -m lab.reproduce --work DIR       # where the indexes live (default .kotae/reproduce)

The conditions, commands and expected numbers are data (eval/conditions.toml), as in pyserini's
reproduction matrices: the README's table is generated from them, and a run fails (exit 1) when
a number is off by more than the file's tolerance. The measured numbers are printed either way,
to paste into the file after a change that moves them on purpose.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONDITIONS = ROOT / "eval" / "conditions.toml"
README = ROOT / "eval" / "README.md"
WORK = ROOT / ".kotae" / "reproduce"
BEGIN = "<!-- results: written by python -m lab.reproduce --table from eval/conditions.toml -->"
END = "<!-- end of results -->"


@dataclass(frozen=True)
class Condition:
    name: str
    about: str
    index: str  # the index folder's name under the work folder: one per collection
    measured: str  # the commit whose code gave the expected numbers
    command: str
    expected: dict[str, Any]
    prepare: str = ""  # a lab command that writes the collection first (idempotent)

    @property
    def followups(self) -> bool:
        return "--followups" in shlex.split(self.command)

    def argv(self, work: Path) -> list[str]:
        """The command as this Python runs it, with ``{index}`` made a folder under ``work``."""
        words = shlex.split(self.command.replace("{index}", str(work / self.index)))
        if words[:2] != ["kotae", "eval"]:
            raise ValueError(f"{self.name}: a condition runs `kotae eval`, not {words[:2]}")
        return [sys.executable, "-m", "kotae.cli.main", *words[1:]]


def prepare(condition: Condition) -> None:
    """Run the condition's ``prepare`` command (``python -m lab.NAME ...``) from the root."""
    words = shlex.split(condition.prepare)
    if words[:2] != ["python", "-m"] or not words[2].startswith("lab."):
        raise ValueError(f"{condition.name}: prepare runs python -m lab.NAME, not {words[:3]}")
    done = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{condition.name}: {condition.prepare}: {done.stderr[-2000:]}")


def load_conditions(path: Path = CONDITIONS) -> tuple[list[Condition], float]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Condition(**c) for c in data["condition"]], float(data["tolerance"])


def differences(
    expected: dict[str, Any], measured: dict[str, Any], tolerance: float, where: str = ""
) -> list[str]:
    """Every expected number the measurement misses by more than ``tolerance`` (or lacks)."""
    out = []
    for key, want in expected.items():
        name = f"{where}{key}"
        got = measured.get(key)
        if isinstance(want, dict):
            if not isinstance(got, dict):
                out.append(f"{name}: missing")
            else:
                out += differences(want, got, tolerance, f"{name}.")
        elif not isinstance(got, int | float):
            out.append(f"{name}: expected {want}, missing")
        elif abs(got - want) > tolerance:
            out.append(f"{name}: expected {want}, measured {got}")
    return out


def measured_like(expected: dict[str, Any], measured: dict[str, Any]) -> dict[str, Any]:
    """The measured numbers under the expected keys (and nDCG where a set has none yet)."""
    out: dict[str, Any] = {}
    keys = list(expected) + (["ndcg@10"] if "ndcg@10" in measured else [])
    for key in keys:
        got = measured.get(key)
        out[key] = measured_like(expected[key], got) if isinstance(got, dict) else got
    return out


def run(condition: Condition, work: Path) -> dict[str, Any]:
    """Run the command from the repository root; its stdout is one JSON object."""
    done = subprocess.run(
        condition.argv(work), cwd=ROOT, capture_output=True, text=True, encoding="utf-8"
    )
    if done.returncode != 0:
        raise RuntimeError(f"{condition.name}: exit {done.returncode}\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else ("–" if value is None else str(value))


def _abstain(by_file: dict[str, float]) -> str:
    return ", ".join(f"{name} {rate:.3f}" for name, rate in by_file.items()) or "–"


def _short(e: dict[str, Any]) -> str:
    return " / ".join(_cell(e.get(k)) for k in ("short_f1", "short_em", "short_coverage"))


def table(conditions: Iterable[Condition]) -> str:
    """The README's results: one row per question set, one per follow-up set, the commands."""
    conditions = list(conditions)
    head = (
        "| set | n | R@1 | R@5 | MRR@10 | nDCG@10 | answer_any | answer_first | found "
        "| abstain (per off-topic file) | off-topic chips | short F1 / EM / coverage "
        "| measured at |"
    )
    lines = [head, "|" + "---|" * 13]
    for c in (c for c in conditions if not c.followups):
        e = c.expected
        cells = [c.name, _cell(e.get("n"))]
        cells += [_cell(e.get(k)) for k in ("recall@1", "recall@5", "mrr@10", "ndcg@10")]
        cells += [_cell(e.get(k)) for k in ("answer_any", "answer_first", "found_rate")]
        cells += [_abstain(e.get("abstain_by_file", {})), _cell(e.get("offtopic_chip_rate"))]
        cells += [_short(e), c.measured]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| follow-up set | n | R@1 alone | R@1 with history | R@5 alone | R@5 with history "
        "| standalone R@1 | measured at |",
        "|" + "---|" * 8,
    ]
    for c in (c for c in conditions if c.followups):
        d, s = c.expected["dependent"], c.expected.get("standalone", {})
        cells = [c.name, _cell(d.get("n"))]
        cells += [_cell(d.get(f"recall@{k}_{w}")) for k in (1, 5) for w in ("alone", "history")]
        cells += [_cell(s.get("recall@1_history")), c.measured]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Commands (`{index}`: an index folder per collection):", "", "```bash"]
    lines += [f"{c.command}  # {c.name}" for c in conditions]
    lines.append("```")
    return "\n".join(lines)


def with_table(readme: str, text: str) -> str:
    """``readme`` with the text between its markers replaced."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + text + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", action="append", help="A condition's name (repeatable).")
    parser.add_argument("--table", action="store_true", help="Write the README table; no runs.")
    parser.add_argument("--work", type=Path, default=WORK, help="Folder of the indexes.")
    args = parser.parse_args(argv)
    conditions, tolerance = load_conditions()
    if args.table:
        text = with_table(README.read_text(encoding="utf-8"), table(conditions))
        README.write_text(text, encoding="utf-8")
        print(f"wrote {README}")
        return 0
    chosen = [c for c in conditions if not args.only or c.name in args.only]
    if args.only and len(chosen) != len(set(args.only)):
        names = ", ".join(c.name for c in conditions)
        parser.error(f"unknown condition in {args.only}: choose from {names}")
    failed = 0
    for c in chosen:
        started = time.perf_counter()
        if c.prepare:
            prepare(c)
        measured = run(c, args.work)
        misses = differences(c.expected, measured, tolerance)
        failed += bool(misses)
        status = "differs" if misses else "reproduced"
        print(f"{c.name}: {status} in {time.perf_counter() - started:.0f} s")
        for m in misses:
            print(f"  {m}")
        print("  measured: " + json.dumps(measured_like(c.expected, measured), ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
