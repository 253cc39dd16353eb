"""The main window: practice, review and progress in tabs, the speech model's state always visible.

The window appears at once; everything slow (loading the speech model, probing the microphone) starts after it
is shown, in the background, and reports into the status bar and the banners. A missing model or microphone
never blocks practice: flashcards need neither.
"""

from __future__ import annotations

import contextlib
import html
import logging
import sys
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from trainer import __version__
from trainer.deck import Deck, DeckSource, default_deck_locations, discover_decks
from trainer.settings import Key, Settings
from trainer.storage import StorageBusy, StorageError, Store
from trainer.ui.deck_import import DeckImporter
from trainer.ui.mock_report import MockHistoryView
from trainer.ui.practice import PracticeView
from trainer.ui.progress import ProgressView
from trainer.ui.review import ReviewView
from trainer.ui.shortcuts import Action, ShortcutsDialog, create_actions
from trainer.ui.state import STATE_FILE, WindowState
from trainer.ui.widgets import Banner
from trainer.ui.workers import Job, JobRunner, SpeechModel

#: Seconds a thread may hold the GIL before another waiting one gets it (`sys.setswitchinterval`, see
#: `MainWindow.__init__`).
GUI_SWITCH_INTERVAL = 0.001

log = logging.getLogger(__name__)


def probe_microphone_work(device: str) -> Any:
    """Find the input device the settings name (or the default): the AudioError says what is wrong."""

    def work(job: Job) -> Any:
        from trainer.audio import find_device

        return find_device(device or None, "input")

    return work


class MainWindow(QMainWindow):
    """Practice and Review tabs, menus built from the shortcut table, banners for what is missing."""

    #: The microphone check reported: True when an input device was found.
    microphone_checked = Signal(bool)

    def __init__(
        self,
        settings: Settings,
        store: Store,
        deck_locations: Sequence[Path] | None = None,
        parent: QWidget | None = None,
        *,
        load_model: bool = True,
        probe_microphone: bool = True,
        state_path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        # The GUI thread shares Python's GIL with the workers (model, scorer, recorder, live transcription).
        # Each time it calls into Qt and back it may wait a whole switch interval for a busy worker to let go:
        # at the default 5 ms, a redraw with many such calls stretched to 50-100 ms. 1 ms keeps it responsive.
        sys.setswitchinterval(min(sys.getswitchinterval(), GUI_SWITCH_INTERVAL))
        self.setObjectName("main-window")
        self.setWindowTitle("Interview Trainer")
        self.settings = settings
        self.store = store
        self.deck_locations = list(deck_locations) if deck_locations is not None else default_deck_locations()
        self.runner = JobRunner(self)
        self.speech_model = SpeechModel(self.runner, self)
        self.speech_model.changed.connect(self._model_changed)
        self.microphone_ok: bool | None = None
        self.microphone_problem = ""
        self._load_model = load_model
        self._probe_microphone = probe_microphone
        self._closing = False
        self.settings_dialog: Any = None
        self.shortcuts_dialog: Any = None
        # Remembered from the last run (geometry, tab, deck, mode), beside the settings file.
        self.state = WindowState.load(state_path or settings.path.parent / STATE_FILE)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        self.microphone_banner = Banner(central)
        self.microphone_banner.setObjectName("microphone-banner")
        self.model_banner = Banner(central)
        self.model_banner.setObjectName("model-banner")
        self.settings_banner = Banner(central)
        self.settings_banner.setObjectName("settings-banner")
        self.storage_banner = Banner(central)
        self.storage_banner.setObjectName("storage-banner")
        for banner in (self.microphone_banner, self.model_banner, self.settings_banner, self.storage_banner):
            layout.addWidget(banner)
        # The window never waits long on the database (another program may hold it): see show_storage_error.
        store.mark_interactive_thread()
        _catch_storage_errors(self)

        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.practice = PracticeView(store, settings, self.runner, self.speech_model, self.tabs)
        self.practice.attempt_saved.connect(self._attempt_saved)
        self.practice.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.practice.choices_changed.connect(self._remember_choices)
        self.tabs.addTab(self.practice, "Practice")
        self.review = self._make_review()
        self.tabs.addTab(self.review, "Review")
        # Charts load pyqtgraph the first time this tab is shown, never at start-up.
        self.progress = ProgressView(self.store, decks=None, parent=self.tabs, runner=self.runner)
        self.tabs.addTab(self.progress, "Progress")
        for changed in (self.review.attempt_changed, self.review.attempt_deleted):
            changed.connect(lambda _id: self.progress.refresh())
        # Past mock interviews and their reports; a finished interview is listed at once.
        self.interviews = MockHistoryView(self.store, self.tabs, runner=self.runner)
        self.tabs.addTab(self.interviews, "Interviews")
        self.practice.interview_finished.connect(self._interview_finished)
        self.practice.storage_failed.connect(self.show_storage_error)
        self.tabs.currentChanged.connect(self._tab_changed)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.model_label = QLabel(self)
        self.model_label.setObjectName("model-state")
        self.microphone_label = QLabel(self)
        self.microphone_label.setObjectName("microphone-state")
        self.statusBar().addPermanentWidget(self.microphone_label)
        self.statusBar().addPermanentWidget(self.model_label)
        self.model_label.setText("Speech model: waiting to load")
        self.microphone_label.setText("Microphone: checking\u2026")

        self.window_actions = create_actions(
            self,
            {
                Action.PRACTICE: lambda: self.tabs.setCurrentWidget(self.practice),
                Action.REVIEW: lambda: self.tabs.setCurrentWidget(self.review),
                Action.SETTINGS: self.open_settings,
                Action.HELP: self.show_shortcuts,
                Action.QUIT: self.close,
            },
            groups=("Window",),
        )
        self.deck_importer = DeckImporter(self.runner, self)
        self.deck_importer.imported.connect(self._deck_imported)
        self._build_menus()
        self.reload_decks()
        self.practice.restore_choices(self.state.deck, self.state.mode)
        if settings.problems:
            self.settings_banner.show_message(
                "Some settings could not be used; the defaults apply instead:<br>"
                + "<br>".join(html.escape(p) for p in settings.problems),
                "warning",
            )
        # First run: a comfortable size that still fits a small screen; later runs restore the last one.
        available = self.screen().availableGeometry()
        self.resize(min(1100, available.width()), min(760, available.height()))
        if self.state.geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.state.geometry.encode("ascii")))
        if self.state.tab == "review":
            self.tabs.setCurrentWidget(self.review)
        elif self.state.tab == "progress":
            self.tabs.setCurrentWidget(self.progress)
        # Slow work starts once the window is on screen (the event loop is running).
        QTimer.singleShot(0, self._start_background_work)

    # --- construction ------------------------------------------------------------------------------------

    def _make_review(self) -> ReviewView:
        """The review view; its playback decodes recordings on the window's runner (stopped on close)."""
        view = ReviewView(self.store, decks=None, parent=self.tabs, runner=self.runner)  # decks: reload_decks()
        view.retranscribe_requested.connect(self.retranscribe)
        view.attempt_changed.connect(self.practice.refresh_attempt)
        return view

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        import_deck = file_menu.addAction("&Import deck\u2026")
        import_deck.setStatusTip("Make a deck from a CSV file or an Anki export (.txt, .apkg)")
        import_deck.triggered.connect(self.deck_importer.choose_and_import)
        file_menu.addAction(self.window_actions[Action.SETTINGS])
        file_menu.addSeparator()
        file_menu.addAction(self.window_actions[Action.QUIT])
        practice_menu = bar.addMenu("&Practice")
        for action, qaction in self.practice.key_actions.items():
            if action is Action.GRADE_1:
                practice_menu.addSeparator()
            practice_menu.addAction(qaction)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.window_actions[Action.PRACTICE])
        view_menu.addAction(self.window_actions[Action.REVIEW])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.window_actions[Action.HELP])
        about = help_menu.addAction("&About Interview Trainer")
        about.triggered.connect(self._about)

    # --- background start-up -----------------------------------------------------------------------------

    def _start_background_work(self) -> None:
        if self._closing:
            return
        if self._load_model:
            self.load_model()
            self.preload_scoring()
        if self._probe_microphone:
            self.probe_microphone()

    def load_model(self) -> None:
        """(Re)load the speech model the settings name, in the background."""
        self.speech_model.load(str(self.settings.get(Key.ASR_ENGINE)), str(self.settings.get(Key.ASR_MODEL)))

    def preload_scoring(self) -> None:
        """Load the scorer's paraphrase model the settings name in the background, so the first live update
        scores at once. One that is not installed says what to install, and scoring uses the default model."""
        wanted = str(self.settings.get(Key.PARAPHRASE_MODEL))

        def work(job: Job) -> str:
            from trainer.scoring import semantic

            return semantic.choose(wanted)

        def done(problem: str) -> None:
            if problem:
                self.statusBar().showMessage(problem, 12000)

        self.runner.start("preload-scoring", work, succeeded=done)

    def probe_microphone(self) -> None:
        self.microphone_label.setText("Microphone: checking\u2026")
        self.runner.start(
            "probe-microphone",
            probe_microphone_work(str(self.settings.get(Key.INPUT_DEVICE))),
            succeeded=self._microphone_found,
            failed=self._microphone_missing,
        )

    def _microphone_found(self, device: Any) -> None:
        self.set_microphone(True, getattr(device, "name", str(device)))

    def _microphone_missing(self, exc: BaseException) -> None:
        self.set_microphone(False, str(exc))

    def set_microphone(self, ok: bool, detail: str) -> None:
        """Show the microphone's state; without one, a banner says flashcards still work."""
        self.microphone_ok = ok
        self.microphone_problem = "" if ok else detail
        self.practice.set_microphone(ok, "" if ok else detail)
        if ok:
            self.microphone_label.setText(f"Microphone: {detail}")
            self.microphone_banner.hide()
        else:
            self.microphone_label.setText("Microphone: none")
            self.microphone_banner.show_message(
                f"<b>No microphone.</b> {html.escape(detail)}<br>"
                "Flashcard practice still works: say your answers out loud, reveal, and grade yourself.",
                "error",
                action=("Settings\u2026", self.open_settings),
            )
        self.microphone_checked.emit(ok)

    def _model_changed(self, state: str) -> None:
        model = self.speech_model
        self.model_label.setText(model.describe())
        if state == "failed":
            self.model_label.setStyleSheet("color: #a3302a;")
            self.model_label.setToolTip(model.error)
            self.model_banner.show_message(
                f"<b>The speech model could not be loaded.</b> {html.escape(model.error)}<br>"
                "Spoken answers are still recorded and kept (transcribe them later from Review); "
                "flashcard practice works without a model.",
                "warning",
                action=("Settings\u2026", self.open_settings),
            )
        else:
            self.model_label.setStyleSheet("color: #1e6b34;" if state == "ready" else "")
            self.model_label.setToolTip("")
            self.model_banner.hide()

    # --- decks -------------------------------------------------------------------------------------------

    def reload_decks(self) -> list[DeckSource]:
        """Find the decks again (fast: TOML parsing); broken ones are listed in the practice view."""
        sources = discover_decks(self.deck_locations)
        self.deck_sources = sources
        self.practice.set_decks(sources)
        self.review.set_decks([s.deck for s in sources if s.deck is not None])
        self.progress.set_decks([s.deck for s in sources if s.deck is not None])
        return sources

    def _deck_imported(self, result: Any) -> None:
        """Show the new deck: its folder joins the deck locations (the user's folder may be new) and it is chosen."""
        if result.path.parent not in self.deck_locations:
            self.deck_locations.append(result.path.parent)
        self.reload_decks()
        if result.source.deck is not None:
            self.practice.restore_choices(result.source.deck.id)

    def deck_by_id(self, deck_id: str) -> Deck | None:
        return next((s.deck for s in self.deck_sources if s.deck is not None and s.deck.id == deck_id), None)

    # --- review ------------------------------------------------------------------------------------------

    def _attempt_saved(self, attempt_id: int) -> None:
        """Keep a visible review current; a hidden one is refreshed when its tab is chosen."""
        self.progress.refresh()
        if self.tabs.currentWidget() is self.review:
            self._refresh_review()

    def _interview_finished(self, session_id: int) -> None:
        self.interviews.refresh()
        self.interviews.select(session_id)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.review:
            self._refresh_review()

    def _refresh_review(self) -> None:
        self.review.refresh()
        self.progress.refresh()  # recomputed now if visible, else when its tab is next shown

    def retranscribe(self, attempt_id: int) -> None:
        """Review asked to transcribe an attempt again: same path as the first time, in the background."""
        model = self.speech_model
        if model.state != "ready" or model.transcriber is None:
            reason = model.error or "the speech model is still loading"
            self.statusBar().showMessage(f"Cannot transcribe now: {reason}", 8000)
            return
        attempt = self.store.attempt(attempt_id)
        card = attempt.card()
        deck = self.deck_by_id(attempt.deck_id)
        if deck is not None:
            with contextlib.suppress(KeyError):
                card = deck.card(attempt.card_id)
        else:
            deck = Deck(id=attempt.deck_id, title=attempt.deck_id, cards=(card,))
        store, transcriber, scoring_deck, scoring_card = self.store, model.transcriber, deck, card

        def work(job: Job) -> Any:
            from trainer.practice import transcribe_attempt

            return transcribe_attempt(store, attempt_id, scoring_deck, scoring_card, transcriber, job.cancel_event)

        self.statusBar().showMessage("Transcribing the attempt again\u2026")
        self.runner.start("retranscribe", work, succeeded=self._retranscribed, failed=self._retranscribe_failed)
        self._refresh_review()

    def _retranscribed(self, attempt: Any) -> None:
        self.practice.refresh_attempt(attempt.id)
        self.statusBar().showMessage(
            f"Transcribed again: score {attempt.score:.0f}%" if attempt.score is not None else str(attempt.error),
            8000,
        )
        self._refresh_review()

    def _retranscribe_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage(f"Transcription failed: {exc}", 8000)
        self._refresh_review()

    # --- dialogs -----------------------------------------------------------------------------------------

    def open_settings(self) -> None:
        """The settings dialog; changes take effect at once (model reloaded, microphone re-checked)."""
        from trainer.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.runner, self)
        self.settings_dialog = dialog
        accepted = dialog.exec() == SettingsDialog.DialogCode.Accepted
        if accepted:
            self.apply_settings(dialog.changed_keys)
        self.settings_dialog = None
        dialog.deleteLater()

    def apply_settings(self, changed: set[Key]) -> None:
        self.practice.apply_settings(self.settings)
        if changed & {Key.ASR_ENGINE, Key.ASR_MODEL}:
            self.load_model()
        if Key.PARAPHRASE_MODEL in changed:
            self.preload_scoring()
        if Key.INPUT_DEVICE in changed:
            self.probe_microphone()
        self.settings_banner.hide()

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self)
        self.shortcuts_dialog = dialog
        dialog.exec()
        self.shortcuts_dialog = None
        dialog.deleteLater()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Interview Trainer",
            f"<b>Interview Trainer {__version__}</b><p>Rehearse technical interviews out loud: questions read "
            "aloud, timed spoken answers, local Whisper transcription and key-point scoring. Nothing leaves "
            "your computer.</p>",
        )

    # --- remembered between runs -------------------------------------------------------------------------

    def _remember_choices(self) -> None:
        """The deck and mode go to the window state; the order is the `practice.order` setting."""
        deck_id, order, mode = self.practice.choices()
        self.state.deck = deck_id or self.state.deck
        if self.practice.microphone_ok is not False:  # flashcards forced by a missing microphone: not a choice
            self.state.mode = mode
        self.state.save()
        if order != self.settings.get(Key.ORDER):
            self.settings.set(Key.ORDER, order)
            try:
                self.settings.save()
            except OSError as exc:
                self.statusBar().showMessage(f"The settings could not be saved: {exc}", 8000)

    def remember_window(self) -> None:
        """Keep the window's geometry and tab for the next run."""
        self.state.geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        current = self.tabs.currentWidget()
        self.state.tab = "review" if current is self.review else "progress" if current is self.progress else "practice"
        self.state.save()

    def show_storage_error(self, exc: BaseException) -> None:
        """A storage fault (disk full, read-only folder, database locked or damaged) as a banner; the app goes on."""
        kind = "warning" if isinstance(exc, StorageBusy) else "error"
        self.storage_banner.show_message(
            "<b>Your answers could not be saved just now.</b> " + html.escape(str(exc)) + "<br>Recordings already "
            "on disk are kept; practice and review go on.",
            kind,
        )
        self.statusBar().showMessage(f"Storage problem: {exc}", 8000)

    def show_storage_notice(self, text: str) -> None:
        """Something the user must know about their data (e.g. a damaged database moved aside at start-up)."""
        self.storage_banner.show_message(html.escape(text), "warning")

    # --- closing -----------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask every background job to stop, and close at once: nothing here waits for them.

        A recorder closes its file, a transcription stops at its next segment, a model load cannot be cut
        short: whoever owns the database waits for them (`runner.wait()`) once the window is gone. Their
        results are dropped, so no late signal updates a widget that is going away.
        """
        self._closing = True
        self.remember_window()
        self.practice.shutdown()
        if self.practice.session is not None:
            self.practice.end_session()
        self.review.stop_playback()
        self.runner.stop()
        super().closeEvent(event)


def _catch_storage_errors(window: MainWindow) -> None:
    """A `StorageError` escaping any slot of the window becomes its storage banner instead of a lost traceback.

    Qt calls `sys.excepthook` for an exception raised in a slot; every other exception goes on to the hook
    that was installed before (the default one prints it; pytest-qt's fails the test).
    """
    previous = sys.excepthook
    ref = weakref.ref(window)

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        target = ref()
        if isinstance(exc, StorageError) and target is not None and shiboken6.isValid(target):
            log.warning("storage error in the window: %s", exc, exc_info=(exc_type, exc, tb))
            target.show_storage_error(exc)
            return
        previous(exc_type, exc, tb)

    sys.excepthook = hook
