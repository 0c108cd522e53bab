"""Refit every fitted answer model, in order, in one command (e.g. after a merge changes
retrieval or the sentence features):

    python -m lab.refit            # sentence scorer + not-found decision, FAQ pair score,
                                    # then short answers

Indexes: ``KOTAE_FIT_TWOPLUS_INDEX`` / ``KOTAE_FIT_JSQUAD_INDEX`` (default the dev indexes).
The FAQ pair score (``lab/fit_faq.py``; ``KOTAE_FIT_FAQ_INDEX`` / ``KOTAE_FIT_FAQ2_INDEX``)
weighs the sentence scorer's scores, so it is refitted after it. The short-answer ranker is
fitted last because it is thresholded on the sentences the service quotes first.
"""

from __future__ import annotations

from lab import fit_answers, fit_faq, fit_short


def main() -> None:
    fit_answers.main([])
    fit_faq.main([])
    fit_short.main(["--served", "--write"])


if __name__ == "__main__":
    main()
