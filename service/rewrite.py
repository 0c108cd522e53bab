"""Follow-ups rewritten by the configured LLM, when there is one.

An LLM can restore what a follow-up leaves out better than carried words (「その時の日本側の
出席者は？」 → 「2007年5月の2+2会合の日本側の出席者は？」). It is asked only for questions the
rule-based resolver already judged dependent, so a self-contained question is never changed
and never costs an LLM call; any failure or unusable reply falls back to the rule-based result.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from kotae.service.followup import MAX_HISTORY, Morphemes, Resolved, resolve
from kotae.service.llm import LLMClient, LLMError, Messages

log = logging.getLogger("kotae")
MAX_REWRITE_CHARS = 300
SYSTEM_PROMPT = """\
Rewrite the user's last question so that it can be understood without the conversation.
Replace words that point back (その時, それ, この会合, 同じ年, then, it, that meeting) with what
they refer to, and add the topic, dates and names it leaves out, taken only from the earlier
questions. Keep its language and its meaning. Do not answer it.
Reply with the rewritten question only, on one line."""


def rewrite_messages(question: str, history: Sequence[str]) -> Messages:
    earlier = "\n".join(f"{n}. {q}" for n, q in enumerate(history[-MAX_HISTORY:], 1))
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Earlier questions:\n{earlier}\n\nLast question: {question}"},
    ]


def resolve_with_llm(
    client: LLMClient, question: str, history: Sequence[str], tokenizer: Morphemes
) -> Resolved:
    """The LLM's rewrite of a dependent question, else the rule-based resolution."""
    rule = resolve(question, history, tokenizer)
    if rule.understood_as is None:
        return rule
    try:
        reply = client.complete(rewrite_messages(question, history))
    except LLMError as e:
        log.warning("follow-up not rewritten by the LLM, carrying words instead: %s", e)
        return rule
    text = " ".join(reply.split()).strip("「」\"' ")
    if not text or len(text) > MAX_REWRITE_CHARS or text == question.strip():
        return rule
    return replace(rule, question=text, understood_as=text, carried=())
