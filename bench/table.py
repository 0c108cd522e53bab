"""The result table: rows grouped by section, rendered as Markdown (and kept for ``--json``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Value = float | int | str | None


@dataclass(frozen=True)
class Row:
    """One measured case; ``values`` keys become the section's columns, in first-seen order."""

    section: str
    case: str
    values: dict[str, Value] = field(default_factory=dict)
    note: str = ""


def format_value(value: Value) -> str:
    """Numbers with as many digits as a benchmark on a shared machine can justify."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        size = abs(value)
        if size >= 100:
            return f"{value:,.0f}"
        if size >= 10:
            return f"{value:.1f}"
        if size >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    return str(value)


def columns(rows: Sequence[Row]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row.values))
    return list(seen)


def render(rows: Sequence[Row]) -> str:
    """One Markdown table per section, sections in the order they were measured."""
    sections: dict[str, list[Row]] = {}
    for row in rows:
        sections.setdefault(row.section, []).append(row)
    out: list[str] = []
    for name, group in sections.items():
        cols = columns(group)
        has_note = any(r.note for r in group)
        header = ["case", *cols] + (["note"] if has_note else [])
        out += [f"### {name}", "", _line(header), _line(["---"] * len(header))]
        for r in group:
            cells = [r.case, *(format_value(r.values.get(c)) for c in cols)]
            out.append(_line(cells + ([r.note] if has_note else [])))
        out.append("")
    return "\n".join(out)


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
