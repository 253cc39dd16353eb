"""A spoken strong answer outscores a spoken off-topic one, through the real `trainer score` command.

Labelled answers from tests/data/scoring_labels_*.toml are spoken by Piper (natural voice), then each WAV goes
through `python -m trainer score --deck cards/fastapi.toml --card ID AUDIO --json --engine E`: transcription
with the real tiny.en model, then the scorer, exactly as a user would run it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.speech.conftest import ENGINES, synthesise
from trainer.asr.wer import contains_term, words

REPO = Path(__file__).resolve().parent.parent.parent
DECK = REPO / "cards" / "fastapi.toml"
LABELS: list[dict[str, Any]] = [
    answer
    for split in ("train", "dev", "test")
    for answer in tomllib.loads((REPO / "tests" / "data" / f"scoring_labels_{split}.toml").read_text("utf-8"))["answer"]
]

#: Per card: terms its strong answer says and its transcript must hold (measured: tiny.en gets all of them).
KEY_TERMS = {
    "depends-basics": ["Depends", "dependency injection", "database session", "current user", "dependencies"],
    "path-vs-query": ["path parameter", "query parameters", "question mark", "function arguments"],
}

#: (engine, card) -> key terms a stretch-by-stretch transcript is known to mishear (see the test's last check).
KNOWN_MISSES = {("openai-whisper", "path-vs-query"): ["query parameters"]}

pytestmark = pytest.mark.speech


def label_text(card: str, kind: str) -> str:
    texts = [a["text"] for a in LABELS if a["card"] == card and a["kind"] == kind]
    assert len(texts) == 1, f"expected one {kind} answer for {card} in scoring_labels_*.toml"
    return " ".join(str(texts[0]).split())


@pytest.fixture(scope="session")
def spoken_label(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """`spoken_label(card, kind)`: that labelled answer spoken by Piper into a WAV, once per session."""
    folder = tmp_path_factory.mktemp("spoken_labels")
    made: dict[tuple[str, str], Path] = {}

    def get(card: str, kind: str) -> Path:
        if (card, kind) not in made:
            made[card, kind] = synthesise("piper", label_text(card, kind), folder / f"{card}_{kind}.wav")
        return made[card, kind]

    return get


def holds_term(text: str, term: str) -> bool:
    """The term's words in order, or run together inside one word (tiny.en writes "getCurrentUser")."""
    return contains_term(text, term) or "".join(words(term)) in "".join(words(text))


def cli_score(card: str, audio: Path, engine: str) -> dict[str, Any]:
    """Run the real command in a fresh interpreter and return its JSON."""
    cmd = [sys.executable, "-m", "trainer", "score", "--deck", str(DECK), "--card", card, str(audio), "--json"]
    result = subprocess.run(
        [*cmd, "--engine", engine], capture_output=True, text=True, cwd=REPO, timeout=600, check=False
    )
    assert result.returncode == 0, f"trainer score failed ({result.returncode}): {result.stderr}"
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("card", sorted(KEY_TERMS))
@pytest.mark.parametrize("engine", ENGINES)
def test_spoken_strong_answer_outscores_spoken_off_topic(
    engine: str, card: str, spoken_label: Callable[[str, str], Path]
) -> None:
    strong = cli_score(card, spoken_label(card, "strong"), engine)
    off_topic = cli_score(card, spoken_label(card, "off_topic"), engine)

    for data in (strong, off_topic):
        assert {"score", "key_points", "transcript", "words", "wpm", "fillers"} <= data.keys(), data.keys()
        assert data["card"] == card
        assert data["engine"] == engine
        assert data["model"] == "tiny.en"
        assert data["words"] > 20, data["transcript"]
        # A real duration came from the audio, so the pace is known and plausible for Piper's voice.
        assert data["wpm"] is not None
        assert 100 <= data["wpm"] <= 260, (data["wpm"], data["duration"])
        assert isinstance(data["fillers"], dict)
        assert len(data["key_points"]) > 0

    print(
        f"\n{engine} {card}: strong {strong['score']} ({strong['wpm']} wpm) {strong['transcript']!r}"
        f"\n  off-topic {off_topic['score']} ({off_topic['wpm']} wpm) {off_topic['transcript']!r}"
    )
    assert strong["score"] > off_topic["score"], (strong["score"], off_topic["score"])
    assert strong["score"] >= 50, (strong["score"], strong["transcript"])
    assert off_topic["score"] <= 25, (off_topic["score"], off_topic["transcript"])
    missing = [t for t in KEY_TERMS[card] if not holds_term(strong["transcript"], t)]
    # Known, recorded on issue 7: cutting the answer at pauses loses the previous sentence as context, and
    # openai-whisper hears "Quarry parameters" at the start of a stretch (one call on the whole clip heard it
    # right; faster-whisper now does with the term in the card's prompt). Exact, so a fix shows up here.
    assert missing == KNOWN_MISSES.get((engine, card), []), (missing, strong["transcript"])
