"""Finding a phrase's own words in a transcript: fuzzy, tolerant of speech recognition, and clause by clause.

Each content word of a phrase matches a transcript word (or up to three adjacent ones joined: "fast API" ->
FastAPI) after light stemming, fuzzily for long words and exactly for short ones and numbers. A phrase is found
where most of its words sit together inside one clause; claims.py decides whether what was found is a claim
the phrase makes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from trainer.normalize import STOPWORDS, Token, stem, tokenize

#: Two words match when their stems are at least this similar (rapidfuzz ratio).
WORD_THRESHOLD = 80.0
#: Words of this length or shorter must match exactly ("api" is not "app", "dict" is not "direct").
SHORT_WORD = 4
#: Transcript words joined into one must match a key word this closely ("fast api" -> "fastapi").
JOINED_THRESHOLD = 90.0
#: Transcript words joined to match one key word: "a sync" -> "async", "fast api" -> "fastapi".
MAX_JOIN = 3
#: Words up to this length (stemmed) need this similarity: "gunicorn" is not "uvicorn".
MEDIUM_WORD, MEDIUM_THRESHOLD = 8, 88.0
#: A word with one of these in front is its opposite, however close the letters: "synchronous", "unlimited".
OPPOSITE_PREFIXES = ("a", "un", "in", "im", "ir", "il", "non", "dis")


def opposite(a: str, b: str) -> bool:
    """True when one word is the other with a negating prefix ("asynchronous" / "synchronous")."""
    short, long = sorted((a, b), key=len)
    return long != short and long.endswith(short) and long[: -len(short)] in OPPOSITE_PREFIXES


def content_words(text: str) -> list[str]:
    """A phrase's words that carry meaning (stopwords dropped; all words when nothing is left)."""
    tokens = tokenize(text)
    words = [t.text for t in tokens if t.text not in STOPWORDS]
    return words or [t.text for t in tokens]


@dataclass(frozen=True, eq=False)
class Found:
    """Where a phrase's words were found: similarity 0-100, the transcript tokens used, and which words."""

    similarity: float
    first: int
    last: int
    used: frozenset[int]
    matched: frozenset[int]  # indices into the phrase's content words
    word_places: dict[int, int]  # phrase word index -> the first transcript token it matched


@dataclass(frozen=True)
class _Candidate:
    text: str
    first: int  # token indices, inclusive
    last: int


class WordIndex:
    """Every place each key word matches in one transcript, computed once for all phrases of a card."""

    def __init__(self, tokens: Sequence[Token], keys: Collection[str]) -> None:
        self.tokens = tokens
        cands: list[_Candidate] = []
        for i in range(len(tokens)):
            joined = ""
            for j in range(i, min(i + MAX_JOIN, len(tokens))):
                joined += tokens[j].text
                cands.append(_Candidate(joined, i, j))
        self.places: dict[str, list[tuple[int, int, float]]] = {k: [] for k in keys}
        self.starts: dict[str, list[int]] = {}
        if not cands or not keys:
            return
        key_list = sorted(keys)
        key_stems = [stem(k) for k in key_list]
        # Compare each distinct candidate stem once: answers repeat their words.
        by_stem: dict[str, list[int]] = {}
        for ci, cand in enumerate(cands):
            by_stem.setdefault(stem(cand.text), []).append(ci)
        unique = list(by_stem)
        matrix = cdist(key_stems, unique, scorer=fuzz.ratio, score_cutoff=WORD_THRESHOLD, dtype=np.float32)
        for ki, ui in zip(*matrix.nonzero(), strict=True):
            key, cand_stem, sim = key_list[ki], unique[ui], float(matrix[ki, ui])
            for ci in by_stem[cand_stem]:
                cand = cands[ci]
                if sim < 100 and not self._close(key, key_stems[ki], cand, cand_stem, sim):
                    continue
                self.places[key].append((cand.first, cand.last, sim))
        #: Per key word, the sorted first tokens of its places (to skip clauses that cannot hold a phrase).
        self.starts = {k: sorted({f for f, _, _ in v}) for k, v in self.places.items()}

    @staticmethod
    def _close(key: str, key_stem: str, cand: _Candidate, cand_stem: str, sim: float) -> bool:
        """Whether a fuzzy (not exact) match counts."""
        if len(key_stem) <= SHORT_WORD or key.isdigit():
            return cand_stem == key_stem  # short words and numbers: exactly
        if cand.last > cand.first and sim < JOINED_THRESHOLD:
            return False  # "call call" is not "callable"
        if len(key_stem) <= MEDIUM_WORD and sim < MEDIUM_THRESHOLD:
            return False
        return not opposite(key, cand.text)

    def words_in(self, words: Sequence[str], first: int, last: int) -> int:
        """How many of the words match somewhere in tokens first..last."""
        count = 0
        for word in words:
            starts = self.starts.get(word)
            if starts:
                i = bisect.bisect_left(starts, first)
                count += i < len(starts) and starts[i] <= last
        return count

    def find(
        self,
        words: Sequence[str],
        first: int,
        last: int,
        allowed: Callable[[int, int, int], bool] | None = None,
    ) -> Found | None:
        """The densest stretch of tokens first..last holding the phrase's words.

        `allowed(word_index, first_token, last_token)` may refuse a place (a word excluded there)."""
        if not words:
            return None
        places: list[list[tuple[int, int, float]]] = []
        for index, word in enumerate(words):
            places.append(
                [
                    (f, la, sim)
                    for f, la, sim in self.places.get(word, ())
                    if first <= f and la <= last and (allowed is None or allowed(index, f, la))
                ]
            )
        width = max(8, 3 * len(words))
        starts = sorted({f for hits in places for f, _, _ in hits})
        best: Found | None = None
        best_total, best_width = 0.0, 0
        for start in starts:
            total = 0.0
            used: set[int] = set()  # a transcript word serves one key word: "dependencies of dependencies"
            matched: dict[int, int] = {}
            for index, hits in enumerate(places):
                inside = [
                    (sim, -f, la)
                    for f, la, sim in hits
                    if start <= f and la < start + width and used.isdisjoint(range(f, la + 1))
                ]
                if inside:
                    sim, neg_first, la = max(inside)  # the best match; among equals the earliest
                    total += sim
                    used.update(range(-neg_first, la + 1))
                    matched[index] = -neg_first
            if used and (total > best_total or (total == best_total and max(used) - min(used) < best_width)):
                best_total, best_width = total, max(used) - min(used)
                best = Found(total / len(words), min(used), max(used), frozenset(used), frozenset(matched), matched)
        return best
