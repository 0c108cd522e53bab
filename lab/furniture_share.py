"""How much of a collection is marked as page furniture, and which lines.

    python -m lab.furniture_share CORPUS_DIR [--list]

Prints the share of non-blank lines and of characters marked, per collection; with
``--list``, every marked line with its kind. On encyclopedia text the share should be ~0:
a mark hides a line from answers, so marking content is the costly mistake.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kotae.ingest.furniture import classify, covered, lines_of
from kotae.ingest.reader import read_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--list", action="store_true", help="print every marked line")
    args = parser.parse_args()
    documents, _ = read_corpus(args.corpus)
    lines = chars = marked_lines = marked_chars = 0
    for doc in documents:
        content = [ln for ln in lines_of(doc.text) if not ln.blank]
        lines += len(content)
        chars += sum(ln.end - ln.start for ln in content)
        why = {(m.start, m.end): m.kind for m in classify(doc.text)}
        marks = [ln for ln in content if covered(doc.furniture, ln.start, ln.end, doc.text) == 1]
        marked_lines += len(marks)
        marked_chars += sum(ln.end - ln.start for ln in marks)
        if args.list:
            print(f"{doc.doc_id}  title: {doc.title}")
            for ln in marks:
                kind = why.get((ln.start, ln.end), "template/markup")
                print(f"    {kind:<10} {doc.text[ln.start : ln.end][:70]}")
    print(
        f"{len(documents)} documents: {marked_lines} of {lines} lines "
        f"({marked_lines / max(lines, 1):.1%}), {marked_chars} of {chars} characters "
        f"({marked_chars / max(chars, 1):.1%}) marked as furniture"
    )


if __name__ == "__main__":
    main()
