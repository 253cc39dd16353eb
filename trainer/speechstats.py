"""How an answer was spoken: length, pace and filler words.

Interviewers notice pace and verbal tics as much as content; these figures sit beside the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer.normalize import fold, tokenize

#: Fillers, longest first so "you know" is counted once, not as "you" + "know".
FILLERS: tuple[str, ...] = (
    "you know", "i mean", "sort of", "kind of", "you see",
    "um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm",
    "basically", "actually", "literally",
)  # fmt: skip
#: "kind of"/"sort of" after these is a real phrase ("what kind of request"), not a filler.
_NOT_FILLER_BEFORE = frozenset(
    [
        "what",
        "which",
        "this",
        "that",
        "the",
        "a",
        "an",
        "any",
        "some",
        "every",
        "each",
        "one",
        "another",
        "same",
    ]
)


@dataclass(frozen=True)
class SpeechStats:
    """Word count, pace (when the duration is known) and filler words."""

    words: int
    duration: float | None = None
    wpm: float | None = None
    fillers: dict[str, int] = field(default_factory=dict)

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def fillers_per_minute(self) -> float | None:
        if not self.duration:
            return None
        return self.filler_count * 60.0 / self.duration

    def to_dict(self) -> dict[str, object]:
        return {
            "words": self.words,
            "duration": self.duration,
            "wpm": self.wpm,
            "fillers": dict(self.fillers),
            "filler_count": self.filler_count,
            "fillers_per_minute": self.fillers_per_minute,
        }


def count_fillers(text: str) -> dict[str, int]:
    """Filler words and phrases in the text, most frequent first."""
    words = [fold(w.text) for w in tokenize(text)]
    counts: dict[str, int] = {}
    i = 0
    while i < len(words):
        for filler in FILLERS:
            parts = filler.split()
            if words[i : i + len(parts)] == parts:
                if len(parts) == 2 and parts[1] == "of" and i > 0 and words[i - 1] in _NOT_FILLER_BEFORE:
                    continue
                counts[filler] = counts.get(filler, 0) + 1
                i += len(parts)
                break
        else:
            i += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def speech_stats(text: str, duration: float | None = None) -> SpeechStats:
    """Statistics of a transcript; `duration` in seconds of the spoken answer gives words per minute."""
    words = len(text.split())
    wpm = words * 60.0 / duration if duration and duration > 0 else None
    return SpeechStats(words=words, duration=duration if duration else None, wpm=wpm, fillers=count_fillers(text))
