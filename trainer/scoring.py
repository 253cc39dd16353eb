"""Scoring a spoken answer against a card's key points.

A key point counts as said when most of its content words occur close together in the transcript, each
matched fuzzily (rapidfuzz) after normalisation: so "fast API", "pedantic models" and "four twenty two" still
count, while the same words scattered across a long answer about something else do not. Each point gets a
similarity 0-100 and the character span that matched (for highlighting); the overall score is the weighted
share of points hit. Deterministic, and fast enough to run on every keystroke of a correction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from trainer.deck import Card, KeyPoint
from trainer.normalize import NEGATIONS, STOPWORDS, Token, stem, tokenize

#: A point is hit when its best phrase reaches this similarity: two of three content words, three of four.
HIT_THRESHOLD = 66.0
#: Two words match when their stems are at least this similar (rapidfuzz ratio).
WORD_THRESHOLD = 80.0
#: Words of this length or shorter must match exactly ("api" is not "app", "dict" is not "direct").
SHORT_WORD = 4
#: Transcript words joined into one must match a key word this closely ("fast api" -> "fastapi").
JOINED_THRESHOLD = 90.0
#: Transcript words joined to match one key word: "a sync" -> "async", "fast api" -> "fastapi".
MAX_JOIN = 3


@dataclass(frozen=True)
class PointResult:
    """How one key point fared: hit or missed, how close, and where in the transcript."""

    point: KeyPoint
    hit: bool
    similarity: float
    span: tuple[int, int] | None
    corrected: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "point": self.point.text,
            "aliases": list(self.point.aliases),
            "weight": self.point.weight,
            "hit": self.hit,
            "similarity": round(self.similarity, 1),
            "span": list(self.span) if self.span else None,
            "corrected": self.corrected,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PointResult:
        span = data.get("span")
        return cls(
            point=KeyPoint(str(data["point"]), tuple(data.get("aliases", ())), float(data.get("weight", 1.0))),
            hit=bool(data["hit"]),
            similarity=float(data["similarity"]),
            span=(int(span[0]), int(span[1])) if span else None,
            corrected=bool(data.get("corrected", False)),
        )


@dataclass(frozen=True)
class ScoreResult:
    """The score of one answer: 0-100 overall and each key point's result, in the card's order."""

    score: float
    points: tuple[PointResult, ...]

    @property
    def hits(self) -> int:
        return sum(p.hit for p in self.points)

    def with_corrections(self, corrections: Mapping[int, bool]) -> ScoreResult:
        """The result with key points marked hit or missed by hand (index -> hit); the score follows."""
        points = list(self.points)
        for index, hit in corrections.items():
            if not 0 <= index < len(points):
                raise IndexError(f"no key point {index + 1}: the card has {len(points)}")
            points[index] = replace(points[index], hit=hit, corrected=True)
        return ScoreResult(_overall(points), tuple(points))

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 1), "key_points": [p.to_dict() for p in self.points]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreResult:
        return cls(float(data["score"]), tuple(PointResult.from_dict(p) for p in data["key_points"]))


def _overall(points: Sequence[PointResult]) -> float:
    total = sum(p.point.weight for p in points)
    if total <= 0:
        return 0.0
    return 100.0 * sum(p.point.weight for p in points if p.hit) / total


def _content(tokens: list[Token]) -> list[str]:
    words = [t.text for t in tokens if t.text not in STOPWORDS]
    return words or [t.text for t in tokens]


@dataclass(frozen=True)
class _Candidate:
    """A transcript word, or a few adjacent ones joined, that a key word can match."""

    text: str
    first: int  # token indices, inclusive
    last: int


def _candidates(tokens: list[Token]) -> list[_Candidate]:
    found: list[_Candidate] = []
    for i in range(len(tokens)):
        joined = ""
        for j in range(i, min(i + MAX_JOIN, len(tokens))):
            joined += tokens[j].text
            found.append(_Candidate(joined, i, j))
    return found


def _word_similarity(
    matrix: Any, keys: list[str], key_stems: list[str], cands: list[_Candidate], cand_stems: list[str]
) -> None:
    """Zero the similarities that fuzzy ratio over-rewards.

    Short words and numbers must match exactly, and words joined from several transcript words must match
    closely ("call call" is not "callable").
    """
    for ki, key in enumerate(keys):
        exact = len(key_stems[ki]) <= SHORT_WORD or key.isdigit()
        for ci in matrix[ki].nonzero()[0]:
            cand = cands[ci]
            if (exact and cand_stems[ci] != key_stems[ki]) or (
                cand.last > cand.first and matrix[ki, ci] < JOINED_THRESHOLD
            ):
                matrix[ki, ci] = 0


def score_answer(card: Card, transcript: str) -> ScoreResult:
    """Score a transcript against the card's key points."""
    tokens = tokenize(transcript)
    cands = _candidates(tokens)
    phrases = {p: [_content(tokenize(phrase)) for phrase in point.phrases] for p, point in enumerate(card.key_points)}
    keys = sorted({word for alternatives in phrases.values() for words in alternatives for word in words})
    if cands and keys:
        key_stems = [stem(k) for k in keys]
        cand_stems = [stem(c.text) for c in cands]
        matrix = cdist(key_stems, cand_stems, scorer=fuzz.ratio, score_cutoff=WORD_THRESHOLD, dtype=None)
        _word_similarity(matrix, keys, key_stems, cands, cand_stems)
    else:
        matrix = None
    key_index = {k: i for i, k in enumerate(keys)}

    results = []
    for p, point in enumerate(card.key_points):
        best: tuple[float, tuple[int, int] | None] = (0.0, None)
        for words in phrases[p]:
            found = _best_window(words, key_index, matrix, cands, tokens)
            if found[0] > best[0]:
                best = found
        similarity, span = best
        results.append(PointResult(point, similarity >= HIT_THRESHOLD, similarity, span))
    return ScoreResult(_overall(results), tuple(results))


def _best_window(
    words: list[str],
    key_index: Mapping[str, int],
    matrix: Any,
    cands: list[_Candidate],
    tokens: list[Token],
) -> tuple[float, tuple[int, int] | None]:
    """The densest stretch of transcript holding the phrase's words: (similarity 0-100, character span)."""
    if matrix is None or not words:
        return 0.0, None
    # Every place each word matches: (first token, last token, similarity).
    places: list[list[tuple[int, int, float]]] = []
    for word in words:
        row = matrix[key_index[word]]
        places.append([(cands[c].first, cands[c].last, float(row[c])) for c in row.nonzero()[0]])
    width = max(8, 3 * len(words))
    negated = [i for i, word in enumerate(words) if word in NEGATIONS]
    starts = sorted({first for hits in places for first, _, _ in hits})
    best_total, best_width, best_span = 0.0, 0, None
    for start in starts:
        total = 0.0
        used: set[int] = set()  # a transcript word serves one key word: "dependencies of dependencies" needs two
        matched: set[int] = set()
        for index, hits in enumerate(places):
            inside = [
                (sim, -f, last)
                for f, last, sim in hits
                if start <= f and last < start + width and used.isdisjoint(range(f, last + 1))
            ]
            if inside:
                # The best match; among equals the earliest, so the span stays tight.
                sim, neg_first, last = max(inside)
                f = -neg_first
                total += sim
                used.update(range(f, last + 1))
                matched.add(index)
        if negated and not matched.issuperset(negated):
            # "not cached across requests" is not made by "cached across requests".
            total = min(total, (HIT_THRESHOLD - 1) * len(words))
        # The highest total wins; among equal totals the tightest stretch, which is what the speaker said.
        if used and (total > best_total or (total == best_total and max(used) - min(used) < best_width)):
            best_total, best_width = total, max(used) - min(used)
            best_span = (tokens[min(used)].start, tokens[max(used)].end)
    return best_total / len(words), best_span
