"""The end-of-interview report on screen, and its export to Markdown and PDF.

The view renders the same Markdown that is exported (`trainer.mock.report_markdown`), so screen, file and PDF
never disagree. The PDF is Qt's own (`QPdfWriter` printing a `QTextDocument`): no browser engine, no extra
package. Both exports write a temporary file and rename it, so a failed export never leaves half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt, Signal
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from trainer import mock
from trainer.mock import MockReport
from trainer.storage import Store
from trainer.ui.workers import Job, JobRunner

#: Page margins of the PDF, in millimetres.
PDF_MARGIN_MM = 15.0


class MockReportView(QWidget):
    """One mock interview's report, with "Export Markdown…" and "Export PDF…"."""

    #: The path of a file just written by an export.
    exported = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, *, export_dir: Path | None = None, runner: JobRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.export_dir = export_dir or Path.home()
        #: Runs the PDF export off the GUI thread (the window's runner); without one it runs at once.
        self.runner = runner
        self._report: MockReport | None = None

        #: One line above the report: when, how many questions, the mean score.
        self.title = QLabel("No mock interview yet", self)
        self.markdown_button = QPushButton("Export &Markdown…", self)
        self.markdown_button.setToolTip("Save the report as a Markdown file")
        self.markdown_button.clicked.connect(self.export_markdown_dialog)
        self.pdf_button = QPushButton("Export &PDF…", self)
        self.pdf_button.setToolTip("Save the report as a PDF file")
        self.pdf_button.clicked.connect(self.export_pdf_dialog)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setPlaceholderText("The report of a mock interview shows here when the interview ends.")

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.markdown_button)
        header.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.browser, 1)
        self._set_enabled()

    @property
    def report(self) -> MockReport | None:
        return self._report

    def show_report(self, report: MockReport) -> None:
        """Render a report (replacing the one shown)."""
        self._report = report
        self.title.setText(mock.report_summary(report))
        self.browser.setMarkdown(mock.report_markdown(report))
        self._set_enabled()

    def clear(self) -> None:
        self._report = None
        self.title.setText("No mock interview yet")
        self.browser.clear()
        self._set_enabled()

    def text(self) -> str:
        """What the view shows, as plain text."""
        return self.browser.toPlainText()

    def _set_enabled(self) -> None:
        for button in (self.markdown_button, self.pdf_button):
            button.setEnabled(self._report is not None)

    def _need_report(self) -> MockReport:
        if self._report is None:
            raise ValueError("no report is shown: nothing to export")
        return self._report

    # -- export without a dialog

    def export_markdown(self, path: Path | str) -> Path:
        """Write the shown report as Markdown to `path`."""
        written = mock.export_markdown(self._need_report(), path)
        self._exported(written)
        return written

    def export_pdf(self, path: Path | str) -> Path:
        """Write the shown report as an A4 PDF to `path`, here and now (a fraction of a second: the dialog
        uses `start_pdf_export`, which writes it in the background)."""
        report = self._need_report()
        written = write_pdf(mock.report_markdown(report), mock.report_title(report), path, self.browser.font())
        self._exported(written)
        return written

    def start_pdf_export(self, path: Path | str) -> Job | None:
        """Write the PDF in a background job (when the view has a runner; else at once); `exported` or a
        warning follows. The export buttons are disabled meanwhile."""
        report = self._need_report()
        if self.runner is None:
            self.export_pdf(path)
            return None
        markdown, title, font = mock.report_markdown(report), mock.report_title(report), QFont(self.browser.font())
        self.pdf_button.setEnabled(False)
        self.markdown_button.setEnabled(False)
        return self.runner.start(
            "export-pdf",
            lambda job: write_pdf(markdown, title, path, font),
            succeeded=self._exported,
            failed=self._export_failed,
            finished=self._set_enabled,
        )

    def _export_failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self, "Export report", f"The report could not be saved:\n{exc}")

    def _exported(self, path: Path) -> None:
        self.export_dir = path.parent
        self.exported.emit(str(path))

    # -- export with a dialog

    def export_markdown_dialog(self) -> Path | None:
        return self._export_dialog("Markdown (*.md)", ".md", self.export_markdown)

    def export_pdf_dialog(self) -> Path | None:
        def start(target: Path) -> Path:
            self.start_pdf_export(target)
            return target

        return self._export_dialog("PDF (*.pdf)", ".pdf", start)

    def _export_dialog(self, kind: str, suffix: str, write: Callable[[Path], object]) -> Path | None:
        if self._report is None:
            return None
        suggested = str(self.export_dir / mock.default_file_name(self._report, suffix))
        path, _ = QFileDialog.getSaveFileName(self, "Export report", suggested, f"{kind};;All files (*)")
        if not path:
            return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(suffix)
        try:
            write(target)
            return target
        except OSError as exc:
            QMessageBox.warning(self, "Export report", f"The report could not be saved:\n{exc}")
            return None


def write_pdf(markdown: str, title: str, path: Path | str, font: QFont | None = None) -> Path:
    """Markdown as an A4 PDF by Qt's own writer, atomically (a temporary file renamed). No widget involved, so it
    runs on any thread."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    document = QTextDocument()
    if font is not None:
        document.setDefaultFont(font)
    document.setMarkdown(markdown)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        writer = QPdfWriter(temp)
        writer.setTitle(title)
        writer.setCreator("Interview Trainer")
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(*(PDF_MARGIN_MM,) * 4), QPageLayout.Unit.Millimeter)
        document.print_(writer)
        del writer  # the PDF is complete on disk once the writer is gone
        if Path(temp).stat().st_size == 0:
            raise OSError(f"Qt wrote nothing to {target}")
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise
    return target


class MockHistoryView(QWidget):
    """Past mock interviews, newest first, and the report of the one selected."""

    _ID = Qt.ItemDataRole.UserRole

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        export_dir: Path | None = None,
        runner: JobRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.sessions = QListWidget(self)
        self.sessions.setWordWrap(True)
        self.sessions.currentItemChanged.connect(self._selected)
        self.report_view = MockReportView(self, export_dir=export_dir, runner=runner)
        splitter = QSplitter(self)
        splitter.addWidget(self.sessions)
        splitter.addWidget(self.report_view)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.refresh()

    def refresh(self) -> None:
        """Reload the list (after an interview ends); keeps the selection when it still exists."""
        current = self.current_session_id()
        self.sessions.blockSignals(True)
        self.sessions.clear()
        stats = self.store.question_stats(mock.MODE)  # one query, not a report per interview
        for session in mock.mock_sessions(self.store):
            questions, mean = stats.get(session.id, (0, None))
            item = QListWidgetItem(f"{session.deck_title}\n{mock.summary_line(session.started_at, questions, mean)}")
            item.setData(self._ID, session.id)
            self.sessions.addItem(item)
        self.sessions.blockSignals(False)
        if self.sessions.count() == 0:
            self.report_view.clear()
            return
        self.select(current if current is not None else int(self.sessions.item(0).data(self._ID)))

    def current_session_id(self) -> int | None:
        item = self.sessions.currentItem()
        return None if item is None else int(item.data(self._ID))

    def select(self, session_id: int) -> None:
        """Show this interview's report (the first one listed when it is not a mock interview)."""
        for row in range(self.sessions.count()):
            if int(self.sessions.item(row).data(self._ID)) == session_id:
                if self.sessions.currentRow() == row:
                    self._selected(self.sessions.item(row))  # the list was rebuilt under the same row
                else:
                    self.sessions.setCurrentRow(row)
                return
        if self.sessions.count():
            self.sessions.setCurrentRow(0)

    def _selected(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is None:
            self.report_view.clear()
            return
        self.report_view.show_report(mock.build_report(self.store, int(item.data(self._ID))))
