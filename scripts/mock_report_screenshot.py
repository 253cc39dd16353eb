#!/usr/bin/env python3
"""Take the README screenshot of a mock interview report (docs/screenshots/mock-report.png), and its PDF.

    .venv/bin/python scripts/mock_report_screenshot.py   # writes docs/screenshots/mock-report.png

Runs under Xvfb with Qt's xcb platform (re-running itself under `xvfb-run` when there is no display), on a
temporary data folder. The interview is real: three FastAPI cards, spoken answers synthesised (Piper when
installed, else espeak-ng), stored as recordings, transcribed by faster-whisper tiny.en and scored by the app's
own `practice.transcribe_attempt`; a follow-up is asked where the answer missed the card's most important point
(`mock.follow_up_for`) and answered the same way. The shot is the past-interviews view showing its report.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
SIZE = (1280, 860)

#: (card id, spoken answer): a strong answer, one that leaves out the card's main point, a hesitant one.
ANSWERS: tuple[tuple[str, str], ...] = (
    (
        "path-vs-query",
        "A path parameter is part of the URL path, like the item id in slash items slash item id, so path "
        "parameters are required. A query parameter comes after the question mark, in the query string, and "
        "query parameters are optional with defaults. Both are declared as function arguments.",
    ),
    (
        "response-model",
        "It serialises the result to JSON, and it shows up in the OpenAPI docs. Extra fields are left out. "
        "These days you can also just use the return type annotation.",
    ),
    (
        "depends-basics",
        "Um, so, Depends is, uh, basically for the database session. You know, it gives you a session. "
        "Um, and I think the current user too.",
    ),
)
#: Answers to the follow-up each card may get (about its most important key point).
FOLLOW_UP_ANSWERS = {
    "path-vs-query": "The path parameter is part of the URL path itself.",
    "response-model": "It declares the response shape: the schema of the output that the client gets back.",
    "depends-basics": "A dependency is just a callable, a function or a class that FastAPI calls for each request.",
}
#: Used only while the deck carries no follow-up questions of its own (they come with the deck format's
#: `follow_up` field); the deck's own question wins whenever there is one.
FALLBACK_FOLLOW_UPS = {("response-model", 0): "So what does response_model say about the response itself?"}


def _screenshots_module() -> ModuleType:
    """scripts/screenshots.py: its Xvfb re-run and speech synthesis."""
    spec = importlib.util.spec_from_file_location("trainer_screenshots", REPO / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(shots: ModuleType, store: object, work: Path) -> int:
    """The interview, through the app's own pipeline; returns its session id."""
    import soundfile as sf

    from trainer import mock
    from trainer.asr import load_transcriber
    from trainer.deck import load_deck
    from trainer.practice import transcribe_attempt
    from trainer.storage import Status, Store, now

    assert isinstance(store, Store)
    transcriber = load_transcriber("faster-whisper", "tiny.en")
    deck = load_deck(REPO / "cards" / "fastapi.toml")
    session = mock.start_mock_session(store, [deck])

    def answer(card_id: str, text: str, name: str, follow_up: str | None = None) -> int:
        card = deck.card(card_id)
        wav = shots.synthesise(text, work / f"{name}.wav")
        audio = store.new_audio_path(session, card)
        data, rate = sf.read(str(wav), dtype="float32")
        sf.write(str(audio), data, rate, format="FLAC")
        attempt = store.add_recorded_attempt(session, deck, card, audio, now(), len(data) / rate)
        store.set_mock_details(attempt.id, time_limit=deck.time_limit_for(card), follow_up=follow_up)
        done = transcribe_attempt(store, attempt.id, deck, card, transcriber)
        if done.status is not Status.SCORED:
            raise SystemExit(f"mock screenshot: {card_id} was not scored: {done.error}")
        print(f"mock screenshot: {card_id}: {done.score:.0f}% - {done.transcript}", flush=True)
        return attempt.id

    for n, (card_id, text) in enumerate(ANSWERS):
        attempt = store.attempt(answer(card_id, text, f"answer-{n}"))
        card = deck.card(card_id)
        result = attempt.score_result()
        assert result is not None
        index = mock.most_important(card.key_points)
        point = mock.follow_up_for(card, result)
        question = mock.follow_up_question(point) if point is not None else None
        if question is None and index is not None and not result.points[index].hit:
            question = FALLBACK_FOLLOW_UPS.get((card_id, index))
        if question is not None:
            answer(card_id, FOLLOW_UP_ANSWERS[card_id], f"follow-up-{n}", follow_up=question)
    store.end_session(session.id)
    return session.id


def take(shots: ModuleType, out: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from trainer.storage import Store
    from trainer.ui.app import make_application
    from trainer.ui.mock_report import MockHistoryView

    make_application()
    work = Path(os.environ["TRAINER_DATA_DIR"]).parent / "work"
    work.mkdir(parents=True, exist_ok=True)
    store = Store.open_default()
    session_id = record(shots, store, work)
    view = MockHistoryView(store)
    view.setWindowTitle("Interview Trainer: mock interview report")
    view.resize(*SIZE)
    view.show()
    view.select(session_id)
    for _ in range(20):
        QApplication.processEvents()
    out.mkdir(parents=True, exist_ok=True)
    path = out / "mock-report.png"
    if not view.grab().save(str(path)):
        raise SystemExit(f"mock screenshot: could not write {path}")
    pdf = view.report_view.export_pdf(work / "mock-report.pdf")
    print(f"mock screenshot: PDF of the same report: {pdf} ({pdf.stat().st_size} bytes)")
    view.close()
    store.close()
    print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNG (default {OUT})")
    args = parser.parse_args()
    shots = _screenshots_module()
    if not os.environ.get("TRAINER_SCREENSHOTS_CHILD") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return int(shots.rerun_under_xvfb())
    with tempfile.TemporaryDirectory(prefix="trainer-mock-screenshot-") as home:
        os.environ["TRAINER_DATA_DIR"] = str(Path(home) / "data")
        os.environ["TRAINER_CONFIG_DIR"] = str(Path(home) / "config")
        os.environ["TRAINER_DECK_DIR"] = str(Path(home) / "decks")
        return take(shots, args.out)


if __name__ == "__main__":
    sys.exit(main())
