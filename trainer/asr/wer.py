"""Word error rate and key-term recall: how the speech tests and bench/asr.py judge a transcript.

Deliberately strict and simple: case and punctuation are ignored, hyphens split words, nothing else is
forgiven, so "fast API" for FastAPI counts as an error, as it would confuse a listener (the scorer's aliases
are a separate, later layer). The alignment itself is `jiwer`'s; only the word splitting is ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lowercase words without punctuation; hyphens, slashes and underscores separate words."""
    return _WORD.findall(text.casefold().replace("’", "'"))


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions), computed by `jiwer`."""
    if not reference or not hypothesis:
        return max(len(reference), len(hypothesis))
    import jiwer

    out = jiwer.process_words(" ".join(reference), " ".join(hypothesis))
    return int(out.substitutions + out.deletions + out.insertions)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Edits needed to turn the hypothesis into the reference, per reference word (0 is perfect; can exceed 1)."""
    ref = words(reference)
    if not ref:
        return 0.0 if not words(hypothesis) else 1.0
    return edit_distance(ref, words(hypothesis)) / len(ref)


def contains_term(text: str, term: str) -> bool:
    """Whether the term's words occur together, in order, in the text (case and punctuation ignored)."""
    needle = " ".join(words(term))
    return bool(needle) and f" {needle} " in f" {' '.join(words(text))} "


def term_recall(text: str, terms: Iterable[str]) -> float:
    """The share of terms the text contains (1.0 when there are no terms)."""
    terms = list(terms)
    if not terms:
        return 1.0
    return sum(contains_term(text, t) for t in terms) / len(terms)
