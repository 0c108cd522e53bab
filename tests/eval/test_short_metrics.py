"""Short-answer scores on hand-made strings: characters after NFKC, whitespace ignored."""

from __future__ import annotations

import pytest

from kotae.eval.short_metrics import ShortScore, best_f1, char_f1, exact, short_metrics


def test_char_f1() -> None:
    assert char_f1("1960年1月19日", "１９６０年１月１９日") == 1.0
    assert char_f1("ab c", "abc") == 1.0
    assert char_f1("xyz", "abc") == 0.0
    assert char_f1("abcd", "ab") == pytest.approx(2 * 0.5 * 1.0 / 1.5)


def test_best_gold_and_exact() -> None:
    assert best_f1("カス丸", ["キャラクター", "カス丸"]) == 1.0
    assert best_f1(None, ["x"]) == 0.0
    assert exact("ＳＣＣ", ["SCC"]) == 1.0
    assert exact("SCC等", ["SCC"]) == 0.0


def test_missing_answers_count_zero() -> None:
    scores = [ShortScore.of("SCC", ["SCC"]), ShortScore.of(None, ["x"])]
    assert short_metrics(scores) == {"short_f1": 0.5, "short_em": 0.5, "short_coverage": 0.5}
