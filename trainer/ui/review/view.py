"""The Review tab: the attempt list on the left, the selected attempt (or its card's comparison) on the right,
and the actions (transcribe again, delete, export)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from trainer.deck import Deck
from trainer.export import default_file_name, export_session
from trainer.storage import Attempt, Session, Status, StorageError, Store
from trainer.ui.review.attempt_list import AttemptList
from trainer.ui.review.compare import CompareView
from trainer.ui.review.detail import AttemptDetail
from trainer.ui.review.format import RECORDING_TEXT, STATUS_TEXT, day_time, elide, is_incomplete, status_text
from trainer.ui.review.player import AudioPlayer
from trainer.ui.widgets import corrections_after_click
from trainer.ui.workers import JobRunner

INCOMPLETE_TIP = "Still being recorded or transcribed: wait until it is done"
#: How often (ms) the review checks whether a listed attempt being recorded or transcribed is done.
BUSY_POLL_MS = 1000
BUSY_TEXTS = (RECORDING_TEXT, STATUS_TEXT[Status.TRANSCRIBING])


class ReviewView(QWidget):
    """Sessions and attempts, with the details of the selected attempt and a comparison of its card."""

    #: The user wants this attempt transcribed again; the main window runs it and then calls `refresh()`.
    retranscribe_requested = Signal(int)
    #: An attempt was deleted (with its audio).
    attempt_deleted = Signal(int)
    #: An attempt's key points were corrected by hand (its score changed), or its repetition rating chosen.
    attempt_changed = Signal(int)
    #: A session report was written to this path.
    session_exported = Signal(str)

    def __init__(
        self,
        store: Store,
        decks: Mapping[str, Deck] | Iterable[Deck] | None = None,
        parent: QWidget | None = None,
        runner: JobRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewView")
        self.store = store
        self.decks: dict[str, Deck] = {}
        self.attempt: Attempt | None = None
        self.session: Session | None = None
        self.export_dir = _default_export_dir()
        self.player = AudioPlayer(self, runner)
        # While a listed attempt is being recorded or transcribed, check now and then whether it is done, so
        # its row and buttons follow without the user having to refresh.
        self._busy: dict[int, str] = {}
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(BUSY_POLL_MS)
        self._busy_timer.timeout.connect(self._poll_busy)
        self._build()
        self.set_decks(decks or {})  # also runs refresh()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("reviewSplitter")
        root.addWidget(splitter, 1)

        self.attempt_list = AttemptList(self.store, splitter)
        self.attempt_list.selection_changed.connect(self._selection_changed)
        self.attempt_list.delete_requested.connect(lambda: self.delete_attempt())
        self.attempt_list.filters_changed.connect(self.refresh)

        self.tabs = QTabWidget(splitter)
        self.tabs.setObjectName("detailTabs")
        self.detail = AttemptDetail(self.player, self.tabs)
        self.detail.point_toggled.connect(self.correct_point)
        self.detail.reset_corrections.connect(lambda: self.set_corrections({}))
        self.detail.rating_chosen.connect(self.set_rating)
        self.compare = CompareView(self.store, self.tabs)
        self.compare.attempt_opened.connect(self._open_from_compare)
        self.tabs.addTab(self.detail, "Attempt")
        self.tabs.addTab(self.compare, "Compare")
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 840])  # the list wide enough for date, deck, question, score and status

        buttons = QHBoxLayout()
        self.retranscribe_button = QPushButton("Transcribe again", self)
        self.retranscribe_button.setObjectName("retranscribeButton")
        self.retranscribe_button.clicked.connect(self._retranscribe_clicked)
        self.delete_button = QPushButton("Delete attempt\u2026", self)
        self.delete_button.setObjectName("deleteButton")
        self.delete_button.clicked.connect(lambda: self.delete_attempt())
        self.export_button = QPushButton("Export session\u2026", self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip("Save the whole session as a Markdown report")
        self.export_button.clicked.connect(self.export_session_dialog)
        buttons.addWidget(self.retranscribe_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.delete_button)
        root.addLayout(buttons)

        # The parts' widgets under the names scripts and tests have always used.
        for part, names in (
            (self.attempt_list, ("tree", "deck_filter", "card_filter", "mode_filter", "search_box", "since_check",
                         "since_date", "until_check", "until_date", "limit_note")),
            (self.detail, ("placeholder", "question_label", "meta_label", "score_label", "wpm_label",
                           "fillers_label", "status_label", "player_bar", "transcript_view", "checklist",
                           "points_plain", "reset_corrections_button", "model_answer", "rating_combo",
                           "rating_caption")),
            (self.compare, ("compare_title", "compare_table", "compare_current", "compare_other",
                            "compare_current_title", "compare_other_title")),
        ):  # fmt: skip
            for name in names:
                setattr(self, name, getattr(part, name))
        self.detail_stack = self.detail

    # -- public API

    def set_decks(self, decks: Mapping[str, Deck] | Iterable[Deck]) -> None:
        """The decks on disk: their titles and questions label the filters (history works without)."""
        values = decks.values() if isinstance(decks, Mapping) else decks
        self.decks = {deck.id: deck for deck in values}
        self.attempt_list.set_decks(self.decks)
        self.refresh()

    def refresh(self) -> None:
        """Reload filters, list and details from the store, keeping the selection and scroll position."""
        kind_id = self.attempt_list.selected()
        scroll = self.attempt_list.tree.verticalScrollBar().value()
        self.attempt_list.fill()
        self.attempt_list.tree.verticalScrollBar().setValue(scroll)
        if kind_id is None or not self.attempt_list.select(*kind_id):
            self._selection_changed(self.attempt_list.selected())
        self._busy = {attempt_id: status for attempt_id, _card, status in self.attempt_rows() if status in BUSY_TEXTS}
        if self._busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()

    def _poll_busy(self) -> None:
        """A busy attempt finished (or was removed): refresh once."""
        if not self.isVisible():
            return
        for attempt_id, shown in self._busy.items():
            try:
                attempt = self.store.attempt(attempt_id)
            except StorageError:  # deleted, or the database is busy: refresh shows what is there
                self.refresh()
                return
            if status_text(attempt, self._recording(attempt)) != shown:
                self.refresh()
                return

    def select_attempt(self, attempt_id: int) -> bool:
        """Select an attempt in the list (False when the filters hide it or it is gone)."""
        return self.attempt_list.select("attempt", attempt_id)

    def current_attempt_id(self) -> int | None:
        return self.attempt.id if self.attempt is not None else None

    def current_session_id(self) -> int | None:
        return self.session.id if self.session is not None else None

    def set_filters(
        self,
        deck_id: str | None = None,
        card_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        mode: str | None = None,
        search: str = "",
    ) -> None:
        """Set every filter at once (None: any; `search`: words said), then refresh once."""
        self.attempt_list.set_filters(deck_id, card_id, since, until, mode, search)
        self.refresh()

    def filters(self) -> dict[str, Any]:
        return self.attempt_list.filters()

    def attempt_rows(self) -> list[tuple[int, str, str]]:
        """(attempt id, card id, status) of every attempt listed, top to bottom (for tests and scripts)."""
        return self.attempt_list.attempt_rows()

    def stop_playback(self) -> None:
        self.player.stop()

    def _find(self, kind: str, item_id: int) -> Any:
        return self.attempt_list.find_item(kind, item_id)

    # -- showing the selection

    def _selection_changed(self, kind_id: tuple[str, int] | None) -> None:
        if kind_id is None:
            self.attempt = self.session = None
            self.player.load(None)
            self.detail.show_placeholder(
                self.attempt_list.empty_text or "Select an attempt to read, hear and correct it."
            )
            self.compare.show_card_of(None)
        elif kind_id[0] == "session":
            self.attempt = None
            self.session = self.store.session(kind_id[1])
            self.player.load(None)
            self.detail.show_session(self.session)
            self.compare.show_card_of(None)
        else:
            attempt = self.store.attempt(kind_id[1])
            self.session = self.store.session(attempt.session_id)
            self._show_attempt(attempt)
        self._update_buttons()

    def _show_attempt(self, attempt: Attempt) -> None:
        same_audio = self.attempt is not None and self.attempt.id == attempt.id and self.player.path is not None
        self.attempt = attempt
        deck = self.decks.get(attempt.deck_id)
        title = deck.title if deck is not None else (self.session.deck_title if self.session else attempt.deck_id)
        self.detail.show_attempt(
            attempt, title, same_audio=same_audio, recording=self._recording(attempt), rating=self._rating(attempt)
        )
        self.compare.show_card_of(attempt)

    def _recording(self, attempt: Attempt) -> bool:
        return self.store.is_recording(attempt.id)

    def _rating(self, attempt: Attempt) -> tuple[int, bool] | None:
        from trainer import srs

        found = srs.review_rating(self.store, attempt)
        return None if found is None else (int(found[0]), found[1])

    def _update_buttons(self) -> None:
        attempt = self.attempt
        busy = attempt is not None and is_incomplete(attempt, self._recording(attempt))
        can_transcribe = attempt is not None and not busy and attempt.status.can_transcribe and attempt.has_audio
        self.retranscribe_button.setEnabled(can_transcribe)
        if busy:
            self.retranscribe_button.setToolTip(INCOMPLETE_TIP)
        elif attempt is not None and attempt.status is Status.SCORED:
            self.retranscribe_button.setToolTip("Transcribe again (your corrections to this attempt are dropped)")
        else:
            self.retranscribe_button.setToolTip("Run speech recognition on this recording again")
        self.delete_button.setEnabled(attempt is not None and not busy)
        self.delete_button.setToolTip(INCOMPLETE_TIP if busy else "Delete this attempt and its recording (Del)")
        self.export_button.setEnabled(self.session is not None)

    # -- corrections and rating

    def correct_point(self, index: int, hit: bool) -> None:
        """A key point clicked: keep the correction (or drop it when it matches scoring); the score follows."""
        attempt = self.attempt
        if attempt is None or attempt.results is None:
            return
        self.set_corrections(corrections_after_click(attempt, index, hit))

    def set_corrections(self, corrections: Mapping[int, bool]) -> None:
        """Replace the selected attempt's corrections, then update what shows its score."""
        if self.attempt is None:
            return
        self._changed(self.store.set_corrections(self.attempt.id, corrections))

    def set_rating(self, rating: int) -> None:
        """The user's spaced-repetition rating for the selected attempt (1-4): the card is rescheduled."""
        if self.attempt is None or self.attempt.score is None:
            return
        from trainer import srs

        srs.record_review(self.store, self.attempt, rating)
        self._changed(self.attempt)

    def _changed(self, attempt: Attempt) -> None:
        self.attempt = attempt
        self.detail.show_score(attempt, self._recording(attempt), self._rating(attempt))
        self.attempt_list.update_attempt(attempt)
        self.compare.show_card_of(attempt)
        self.attempt_changed.emit(attempt.id)

    # -- actions

    def _open_from_compare(self, attempt_id: int, deck_id: str) -> None:
        if not self.select_attempt(attempt_id):  # hidden by the filters: show it anyway
            self.set_filters(deck_id=deck_id)
            self.select_attempt(attempt_id)
        self.tabs.setCurrentIndex(0)

    def _retranscribe_clicked(self) -> None:
        attempt = self.attempt
        if attempt is not None and not is_incomplete(attempt, self._recording(attempt)):
            self.retranscribe_requested.emit(attempt.id)

    def delete_attempt(self, attempt_id: int | None = None, confirm: bool = True) -> bool:
        """Delete an attempt (default: the selected one) and its recording; asks first unless `confirm` is False.

        Returns whether it was deleted: never while it is being recorded or transcribed (its file is in use).
        The row below (or above) it is selected next."""
        if attempt_id is None:
            attempt_id = self.current_attempt_id()
        if attempt_id is None:
            return False
        attempt = self.store.attempt(attempt_id)
        if is_incomplete(attempt, self._recording(attempt)):
            return False
        if confirm:
            answer = QMessageBox.question(
                self,
                "Delete attempt",
                f"Delete your answer to \u201c{elide(attempt.question, 80)}\u201d from "
                f"{day_time(attempt.started_at)}?\n\nIts recording is deleted too. This cannot be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        neighbour = self.attempt_list.neighbour(attempt_id)
        if self.player.path is not None and self.player.path == attempt.audio_path:
            self.player.load(None)
        self.store.delete_attempt(attempt_id)
        if self.attempt is not None and self.attempt.id == attempt_id:
            self.attempt = None
        self.refresh()
        if neighbour is not None:
            self.attempt_list.select(*neighbour)
        self.attempt_deleted.emit(attempt_id)
        return True

    def export_session_dialog(self) -> Path | None:
        """Ask where to save the selected session's report, then write it."""
        from PySide6.QtWidgets import QFileDialog

        session = self.session
        if session is None:
            return None
        suggested = str(self.export_dir / default_file_name(session))
        path, _ = QFileDialog.getSaveFileName(self, "Export session", suggested, "Markdown (*.md);;All files (*)")
        if not path:
            return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".md")
        try:
            return self.export_session_to(target)
        except OSError as exc:
            QMessageBox.warning(self, "Export session", f"The report could not be saved:\n{exc}")
            return None

    def export_session_to(self, path: Path | str, session_id: int | None = None) -> Path:
        """Write a session's Markdown report (default: the selected session) to `path`, without a dialog."""
        if session_id is None:
            session_id = self.current_session_id()
        if session_id is None:
            raise ValueError("no session selected to export")
        written = export_session(self.store, session_id, path)
        self.export_dir = written.parent
        self.session_exported.emit(str(written))
        return written

    # -- events

    def hideEvent(self, event: QHideEvent) -> None:
        """Leaving the review (another tab, window closed) stops playback."""
        self.player.pause()
        super().hideEvent(event)


def _default_export_dir() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()
