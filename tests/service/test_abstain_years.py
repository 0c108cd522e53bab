"""The not-found decision's ``years_missing`` signal: a question naming a year its passages
neither write (西暦 or 和暦) nor are dated in."""

from __future__ import annotations

from kotae.index.search import Hit
from kotae.ingest.records import Chunk
from kotae.service import abstain
from kotae.service.abstain import SIGNALS, years_missing


def _hit(text: str, date: str | None = None) -> Hit:
    return Hit(0, Chunk("d", 0, len(text), text, date), 1.0, 0.9)


def test_a_year_written_in_wareki_or_dated_by_its_heading_is_held() -> None:
    assert years_missing("2007年の2+2はいつ開催された？", [_hit("平成19年5月1日、会合。")]) == 0.0
    assert years_missing("2007年の会合の出席者は？", [_hit("5月1日、会合。", "2007-05-01")]) == 0.0
    assert years_missing("平成23年の会合は？", [_hit("2011年6月21日、会合。")]) == 0.0


def test_a_year_no_passage_holds_is_missing_and_no_year_is_not() -> None:
    hits = [_hit("2011年6月21日、会合。", "2011-09-13"), _hit("平成19年の会合。")]
    assert years_missing("2019年の日米2+2はどこで開かれた？", hits) == 1.0
    assert years_missing("2011年と2019年の会合は？", hits) == 0.5
    assert years_missing("会合はどこで開かれた？", hits) == 0.0  # names none: not missing
    assert years_missing("２０１１年の会合は？", hits) == 0.0  # full-width digits read as 2011


def test_the_fitted_decision_counts_missing_years_against_found() -> None:
    """Fitted by lab.fit_answers (service/data/abstain.json), not set by hand."""
    weights, _, _ = abstain._model()
    assert weights[SIGNALS.index("years_missing")] < 0
