"""Mock report benchmark: how long building, rendering and exporting a report takes, as the interview grows.

The report is built on the GUI thread when an interview ends or a past one is selected, so building and
showing it must stay well under a frame budget's worth of tens of milliseconds; the PDF is written in a background
job. Each interview repeats the three-question one of tests/mock_helpers.py (real cards, real scorer, real SQLite).

    .venv/bin/python bench/mock_report.py [--repeat N] [--questions 3 12 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return 1000.0 * statistics.median(times)


def interview(store: object, questions: int) -> int:
    """A session holding `questions` answers (the helper's three, repeated), one follow-up per three."""
    from tests import mock_helpers as h
    from trainer import mock
    from trainer.storage import Store

    assert isinstance(store, Store)
    deck = h.fastapi_deck()
    session = mock.start_mock_session(store, [deck])
    cards = [deck.card("path-vs-query"), deck.card("response-model"), deck.card("depends-basics")]
    for n in range(questions):
        card = cards[n % 3]
        text = (card.answer, h.NO_SHAPE, h.WEAK)[n % 3]
        h.answer(store, session, deck, card, text, 40.0, pause_after=h.PAUSE_AFTER if n % 3 == 2 else None, pause=3.0)
        if n % 3 == 1:
            h.answer(store, session, deck, card, h.FOLLOW_UP_ANSWER, 6.0, follow_up=h.FOLLOW_UP)
    return session.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--questions", type=int, nargs="+", default=[3, 12, 30])
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from trainer import mock
    from trainer.storage import Store
    from trainer.ui.mock_report import MockReportView, write_pdf

    app = QApplication.instance() or QApplication([])
    view = MockReportView()
    print(f"median of {args.repeat} runs, milliseconds (timings on a shared machine are noisy; re-run when quiet)")
    print(f"{'questions':>9} {'build':>8} {'markdown':>9} {'show':>8} {'pdf':>8} {'pdf bytes':>10}")
    with tempfile.TemporaryDirectory(prefix="bench-mock-") as folder, Store(Path(folder) / "db.sqlite3") as store:
        for questions in args.questions:
            session_id = interview(store, questions)
            report = mock.build_report(store, session_id)
            markdown = mock.report_markdown(report)
            pdf = Path(folder) / f"report-{questions}.pdf"
            build = median_ms(lambda s=session_id: mock.build_report(store, s), args.repeat)
            text = median_ms(lambda r=report: mock.report_markdown(r), args.repeat)
            show = median_ms(lambda r=report: (view.show_report(r), app.processEvents()), args.repeat)
            export = median_ms(lambda m=markdown, p=pdf: write_pdf(m, "bench", p), args.repeat)
            print(f"{questions:>9} {build:>8.1f} {text:>9.2f} {show:>8.1f} {export:>8.1f} {pdf.stat().st_size:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
