"""The mock interview report on screen (real widget, offscreen) and its exports: the Markdown file is the report,
and the PDF written by Qt opens in another reader (poppler's pdftoppm renders it, pdftotext reads it back)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from tests.conftest import need
from tests.mock_helpers import FOLLOW_UP, record_interview
from trainer import mock, storage
from trainer.storage import Store
from trainer.ui.mock_report import MockHistoryView, MockReportView
from trainer.ui.workers import JobRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "data" / storage.DB_NAME)
    yield s
    s.close()


def _ink(png: Path) -> float:
    """Share of pixels that are not white."""
    image = QImage(str(png))
    assert not image.isNull(), f"{png} is not an image"
    step = 2
    inked = total = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            total += 1
            inked += image.pixelColor(x, y).lightness() < 200
    return inked / total


def test_report_view_shows_the_interview(qtbot: QtBot, store: Store) -> None:
    view = MockReportView()
    qtbot.addWidget(view)
    assert not view.pdf_button.isEnabled() and not view.markdown_button.isEnabled()
    report = mock.build_report(store, record_interview(store))
    view.show_report(report)
    view.resize(900, 700)
    view.show()
    text = view.text()
    assert report.mean_score is not None
    assert view.title.text().endswith(f" · 3 questions · mean score {report.mean_score:.0f}%")
    assert text.startswith("Mock interview: FastAPI")
    assert "Three things to work on" in text and "Fewer filler words" in text
    assert "What does the response_model argument on a route decorator do?" in text
    assert FOLLOW_UP in text and "✓ made the point: declares the response shape" in text
    assert "ran out of time" in text
    assert view.pdf_button.isEnabled() and view.markdown_button.isEnabled()
    # The table renders as a table, not as pipes.
    assert "| # | question" not in text
    with pytest.raises(ValueError, match="nothing to export"):
        MockReportView().export_pdf(Path("never.pdf"))


def test_pdf_export_renders_in_another_reader(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    need(shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None, "poppler-utils")
    view = MockReportView()
    qtbot.addWidget(view)
    view.show_report(mock.build_report(store, record_interview(store)))
    with qtbot.waitSignal(view.exported) as signal:
        pdf = view.export_pdf(tmp_path / "out" / "report.pdf")
    assert signal.args == [str(pdf)] and pdf.read_bytes().startswith(b"%PDF")
    assert [p.name for p in pdf.parent.iterdir()] == ["report.pdf"], "no temporary file left behind"

    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True)
    page = tmp_path / "page-1.png"
    ink = _ink(page)
    assert 0.005 < ink < 0.5, f"page 1 is {ink:.1%} ink: blank, or black"

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(OSError):
        view.export_pdf(blocked / "report.pdf")

    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], check=True, capture_output=True, text=True).stdout
    assert "Mock interview: FastAPI" in text and "Three things to work on" in text
    assert "declares the response shape" in text and FOLLOW_UP in text


def test_pdf_export_from_the_dialog_runs_in_the_background(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    runner = JobRunner()
    view = MockReportView(runner=runner)
    qtbot.addWidget(view)
    view.show_report(mock.build_report(store, record_interview(store)))
    with qtbot.waitSignal(view.exported, timeout=20_000) as signal:
        job = view.start_pdf_export(tmp_path / "report.pdf")
        assert job is not None and not view.pdf_button.isEnabled(), "no second export while one is written"
    assert signal.args == [str(tmp_path / "report.pdf")]
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(view.pdf_button.isEnabled)
    assert runner.shutdown()


def test_markdown_export_is_the_report(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    view = MockReportView()
    qtbot.addWidget(view)
    report = mock.build_report(store, record_interview(store))
    view.show_report(report)
    written = view.export_markdown(tmp_path / "report.md")
    assert written.read_text(encoding="utf-8") == mock.report_markdown(report)
    assert view.export_dir == tmp_path


def test_past_mock_interviews_are_listed_and_reviewable(qtbot: QtBot, store: Store) -> None:
    first = record_interview(store)
    store.start_session("fastapi", "FastAPI")  # a single-card session: not listed
    second = record_interview(store)
    history = MockHistoryView(store)
    qtbot.addWidget(history)
    assert history.sessions.count() == 2
    assert history.current_session_id() == second, "the newest first"
    history.sessions.setCurrentRow(1)
    report = history.report_view.report
    assert report is not None and report.session.id == first
    newest = mock.build_report(store, second)
    assert history.sessions.item(0).text() == f"FastAPI\n{mock.report_summary(newest)}"
    assert "mean score" in history.sessions.item(0).text()
    store.delete_session(first)
    history.refresh()
    assert history.sessions.count() == 1 and history.current_session_id() == second
