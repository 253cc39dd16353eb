"""The review: every session and attempt, newest first, to reread, listen to, correct, compare and export.

A thin view over `trainer.storage.Store`: reads are small local SQLite queries (a few milliseconds, fine on the
GUI thread), the Markdown comes from `trainer.export`, and transcription is never run here: "Transcribe
again" emits `retranscribe_requested` and the main window runs the worker, then calls `refresh()`.

Playback uses sounddevice (PortAudio), the same audio stack the recorder uses: QtMultimedia is not part of
PySide6-Essentials. The FLAC is decoded in the background when Play is first pressed (with PortAudio's first,
slow start-up), then streamed from a PortAudio callback; a timer moves the seek slider.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QHideEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.deck import Deck
from trainer.export import default_file_name, export_session
from trainer.storage import SELF_GRADES, Attempt, AttemptSummary, Session, Status, Store
from trainer.ui.widgets import KeyPointChecklist, TranscriptView, corrections_after_click
from trainer.ui.workers import Job, JobRunner

#: The list shows at most this many attempts (newest first); filters reach older ones.
MAX_ATTEMPTS = 2000
#: The compare table shows at most this many attempts of one card (the newest).
MAX_COMPARE = 100

_KIND = Qt.ItemDataRole.UserRole
_ID = Qt.ItemDataRole.UserRole + 1

_STATUS_TEXT = {
    Status.RECORDED: "not transcribed",
    Status.TRANSCRIBING: "transcribing\u2026",
    Status.SCORED: "scored",
    Status.FAILED: "failed",
    Status.SELF_GRADED: "self-graded",
}


def _local(moment: datetime) -> datetime:
    return moment.astimezone()


def _day_time(moment: datetime) -> str:
    return _local(moment).strftime("%a %d %b %Y, %H:%M")


def _clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def _length(seconds: float | None) -> str:
    return "\u2013" if seconds is None else _clock(round(seconds * 1000))


def _score_text(score: float | None, grade: int | None) -> str:
    if grade is not None:
        return SELF_GRADES.get(grade, str(grade))
    return "\u2013" if score is None else f"{score:.0f}%"


# --- playback -------------------------------------------------------------------------------------------


def decode_audio_work(path: Path) -> Callable[[Job], Any]:
    """Decode a recording for playback, off the GUI thread: (float32 frames x channels, sample rate).

    A long answer takes a while to decode, and the first use of PortAudio (loading it, listing devices) can
    take longer still, so both happen here. A recording cut short by a crash (or still being written) is read
    into memory by `trainer.audio.read_audio`; the file itself is never modified. Cancelled: returns None.
    """

    def work(job: Job) -> Any:
        from trainer.audio import portaudio, read_audio

        portaudio()
        samples, rate = read_audio(path, mono=False)
        return None if job.cancelled else (samples, rate)

    return work


def open_output_work(rate: int, channels: int, callback: Callable[..., None]) -> Callable[[Job], Any]:
    """Open and start an output stream off the GUI thread: (stream, guard).

    Both the PortAudio lock (`trainer.audio.stream_guard`, held meanwhile by a recorder opening its device or a
    device refresh) and PulseAudio's stream set-up can take a second or more.
    """

    def work(job: Job) -> Any:
        from trainer.audio import portaudio, stream_guard

        sounddevice = portaudio()
        guard = contextlib.ExitStack()
        guard.enter_context(stream_guard())
        try:
            stream = sounddevice.OutputStream(samplerate=rate, channels=channels, dtype="float32", callback=callback)
            stream.start()
        except BaseException:
            guard.close()
            raise
        if job.cancelled:
            _close_output(stream, guard)
            return None
        return stream, guard

    return work


def _close_output(stream: Any, guard: contextlib.ExitStack | None) -> None:
    """Stop and close an output stream and release its guard (may wait on PortAudio: not on the GUI thread)."""
    with contextlib.suppress(Exception):  # a vanished device must not take the review down
        stream.abort()
        stream.close()
    if guard is not None:
        guard.close()


class AudioPlayer(QObject):
    """Plays one audio file with pause and seek; positions in milliseconds.

    The file is only inspected on `load` (duration from its header) and decoded on the first `play`, in the
    background (`decode_audio_work`), so browsing attempts costs nothing and a long recording never freezes
    the window. PortAudio pulls samples from `_callback` on its own thread; the position is shared under a
    lock and published to the GUI by a timer.
    """

    position_changed = Signal(int)
    duration_changed = Signal(int)
    playing_changed = Signal(bool)
    #: True while the recording is being decoded for its first play.
    loading_changed = Signal(bool)
    error = Signal(str)

    TICK_MS = 50

    def __init__(self, parent: QObject | None = None, runner: JobRunner | None = None) -> None:
        super().__init__(parent)
        self.runner = runner if runner is not None else JobRunner(self)
        self._decoding: Job | None = None
        self._opening: Job | None = None  # the output stream being opened (`open_output_work`)
        self.path: Path | None = None
        self._samples: Any = None  # float32 frames x channels, once decoded
        self._rate = 0
        self._frames = 0
        self._frame = 0
        self._lock = threading.Lock()
        self._stream: Any = None
        self._stream_guard: contextlib.ExitStack | None = None
        self._stop_signal: type[Exception] = Exception
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._tick)

    def load(self, path: Path | None) -> bool:
        """Prepare `path` (None unloads); False with `error` emitted when it is missing or not audio."""
        self.stop()
        self.path, self._samples, self._rate, self._frames = None, None, 0, 0
        if path is None:
            self.duration_changed.emit(0)
            return False
        if not path.is_file():
            self.duration_changed.emit(0)
            self.error.emit(f"The recording is missing: {path}")
            return False
        import soundfile

        try:
            info = soundfile.info(str(path))
        except (RuntimeError, OSError) as exc:
            self.duration_changed.emit(0)
            self.error.emit(f"The recording cannot be read: {exc}")
            return False
        self.path, self._rate, self._frames = path, int(info.samplerate), int(info.frames)
        self.duration_changed.emit(self.duration())
        self.position_changed.emit(0)
        return True

    def duration(self) -> int:
        return round(self._frames * 1000 / self._rate) if self._rate else 0

    def position(self) -> int:
        with self._lock:
            frame = self._frame
        return round(frame * 1000 / self._rate) if self._rate else 0

    def is_playing(self) -> bool:
        return self._stream is not None

    def set_position(self, ms: int) -> None:
        """Seek (playing or paused)."""
        if not self._rate:
            return
        with self._lock:
            self._frame = max(0, min(self._frames, round(ms * self._rate / 1000)))
        self.position_changed.emit(self.position())

    def is_loading(self) -> bool:
        return self._decoding is not None or self._opening is not None

    def toggle(self) -> None:
        if self.is_playing() or self.is_loading():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Play from the current position; the first play decodes the file in the background first."""
        if self.path is None or self.is_playing() or self.is_loading():
            return
        if self._samples is None:
            path = self.path
            job = self.runner.start(
                "decode-audio",
                decode_audio_work(path),
                succeeded=lambda decoded: self._decoded(job, decoded),
                failed=lambda exc: self._decode_failed(job, exc),
            )
            self._decoding = job
            self.loading_changed.emit(True)
            return
        self._start_stream()

    def _decoded(self, job: Job, decoded: Any) -> None:
        if job is not self._decoding:  # stopped, or another file loaded meanwhile
            return
        self._end_decoding()
        if decoded is None:
            return
        self._samples, self._rate = decoded
        self._frames = len(self._samples)
        self._start_stream()

    def _decode_failed(self, job: Job, exc: BaseException) -> None:
        if job is not self._decoding:
            return
        self._end_decoding()
        from trainer.audio import AudioError

        if isinstance(exc, AudioError):
            self.error.emit(f"Audio playback is not available: {exc}")
        else:
            self.error.emit(f"The recording cannot be read: {exc}")

    def _end_decoding(self, cancel: bool = False) -> None:
        """Decoding is over; with `cancel` (pause, stop) also drop the decoding and stream-opening jobs."""
        jobs = [self._decoding]
        self._decoding = None
        if cancel:
            jobs.append(self._opening)
            self._opening = None
        running = [job for job in jobs if job is not None]
        for job in running if cancel else ():
            job.cancel()
        if running:
            self.loading_changed.emit(False)

    def _start_stream(self) -> None:
        """Open the output in the background (`open_output_work`); playing starts when it is open."""
        from trainer.audio import AudioError, portaudio

        try:
            sounddevice = portaudio()  # already loaded by the decoding job
        except AudioError as exc:
            self.error.emit(f"Audio playback is not available: {exc}")
            return
        self._stop_signal = sounddevice.CallbackStop
        with self._lock:
            if self._frame >= self._frames:
                self._frame = 0
        job = self.runner.start(
            "open-output",
            open_output_work(self._rate, self._samples.shape[1], self._callback),
            succeeded=lambda opened: self._opened(job, opened),
            failed=lambda exc: self._open_failed(job, exc),
        )
        self._opening = job
        self.loading_changed.emit(True)

    def _opened(self, job: Job, opened: Any) -> None:
        if job is not self._opening:  # paused or stopped while opening: close it again, off this thread
            if opened is not None:
                self.runner.start("close-output", lambda _job: _close_output(*opened))
            return
        self._opening = None
        self.loading_changed.emit(False)
        if opened is None:
            return
        self._stream, self._stream_guard = opened
        self._timer.start()
        self.playing_changed.emit(True)

    def _open_failed(self, job: Job, exc: BaseException) -> None:
        if job is not self._opening:
            return
        self._opening = None
        self.loading_changed.emit(False)
        self.error.emit(f"No audio output to play on: {exc}")

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        with self._lock:
            start = self._frame
            chunk = self._samples[start : start + frames]
            self._frame = start + len(chunk)
        outdata[: len(chunk)] = chunk
        if len(chunk) < frames:
            outdata[len(chunk) :] = 0
            raise self._stop_signal

    def _tick(self) -> None:
        self.position_changed.emit(self.position())
        if self._stream is not None and not self._stream.active:  # reached the end
            self._close_stream()

    def pause(self) -> None:
        self._end_decoding(cancel=True)
        if self._stream is not None:
            self._close_stream()
            self.position_changed.emit(self.position())

    def stop(self) -> None:
        """Stop (or stop decoding) and rewind."""
        self._end_decoding(cancel=True)
        self._close_stream()
        with self._lock:
            self._frame = 0

    def _close_stream(self) -> None:
        self._timer.stop()
        stream, self._stream = self._stream, None
        guard, self._stream_guard = self._stream_guard, None
        if stream is not None:
            # Closing waits on PortAudio and its lock: in the background (the callback may still run briefly).
            self.runner.start("close-output", lambda _job: _close_output(stream, guard))
            self.playing_changed.emit(False)


class PlayerBar(QWidget):
    """Play/pause, a seek slider and "0:12 / 0:45" for an `AudioPlayer`."""

    def __init__(self, player: AudioPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.play_button = QPushButton("\u25b6 Play", self)
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip("Listen to your answer")
        self.play_button.clicked.connect(player.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("seekSlider")
        self.slider.setRange(0, 0)
        self.slider.setSingleStep(1000)
        self.slider.setPageStep(5000)
        self.slider.setToolTip("Drag to seek")
        self.slider.valueChanged.connect(self._slider_moved)
        self.label = QLabel("0:00 / 0:00", self)
        self.label.setObjectName("positionLabel")
        self.label.setMinimumWidth(90)
        layout.addWidget(self.play_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self._updating = False
        player.position_changed.connect(self._position)
        player.duration_changed.connect(self._duration)
        player.playing_changed.connect(self._playing)
        player.loading_changed.connect(self._loading)
        player.error.connect(self._error)

    def _slider_moved(self, value: int) -> None:
        if not self._updating:
            self.player.set_position(value)

    def _position(self, ms: int) -> None:
        self._updating = True
        self.slider.setValue(ms)
        self._updating = False
        self.label.setText(f"{_clock(ms)} / {_clock(self.player.duration())}")

    def _duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self.setEnabled(ms > 0)
        self.label.setToolTip("")
        self._position(0)

    def _playing(self, playing: bool) -> None:
        self.play_button.setText("\u23f8 Pause" if playing else "\u25b6 Play")

    def _loading(self, loading: bool) -> None:
        self.play_button.setText("\u23f3 Loading\u2026" if loading else "\u25b6 Play")

    def _error(self, message: str) -> None:
        self.label.setText("no audio")
        self.label.setToolTip(message)
        self.play_button.setToolTip(message)


# --- the view -------------------------------------------------------------------------------------------


class ReviewView(QWidget):
    """Sessions and attempts, with the details of the selected attempt and a comparison of its card."""

    #: The user wants this attempt transcribed again; the main window runs it and then calls `refresh()`.
    retranscribe_requested = Signal(int)
    #: An attempt was deleted (with its audio).
    attempt_deleted = Signal(int)
    #: An attempt's key points were corrected by hand (its score changed).
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
        self._collapsed: set[int] = set()
        self._loading = False

        self.player = AudioPlayer(self, runner)
        self._build()
        self.set_decks(decks or {})  # also runs refresh()

    # -- construction

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)

        filters = QHBoxLayout()
        self.deck_filter = QComboBox(self)
        self.deck_filter.setObjectName("deckFilter")
        self.deck_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.card_filter = QComboBox(self)
        self.card_filter.setObjectName("cardFilter")
        self.card_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.card_filter.setMaximumWidth(420)
        today = QDate.currentDate()
        self.since_check = QCheckBox("From", self)
        self.since_check.setObjectName("sinceCheck")
        self.since_date = self._date_edit("sinceDate", today.addDays(-30))
        self.until_check = QCheckBox("to", self)
        self.until_check.setObjectName("untilCheck")
        self.until_date = self._date_edit("untilDate", today)
        self.limit_note = QLabel(self)
        self.limit_note.setObjectName("limitNote")
        self.limit_note.setStyleSheet("color: #6b737b;")
        widgets: tuple[QWidget, ...] = (QLabel("Deck", self), self.deck_filter, QLabel("Card", self), self.card_filter)
        for widget in widgets:
            filters.addWidget(widget)
        filters.addSpacing(12)
        for widget in (self.since_check, self.since_date, self.until_check, self.until_date):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.limit_note)
        root.addLayout(filters)

        self.deck_filter.currentIndexChanged.connect(self._deck_chosen)
        self.card_filter.currentIndexChanged.connect(self._filter_changed)
        for check, edit in ((self.since_check, self.since_date), (self.until_check, self.until_date)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._filter_changed)
            edit.dateChanged.connect(self._filter_changed)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("reviewSplitter")
        root.addWidget(splitter, 1)

        self.tree = QTreeWidget(splitter)
        self.tree.setObjectName("attemptTree")
        self.tree.setHeaderLabels(["When", "Deck", "Card", "Score", "Status"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.itemCollapsed.connect(lambda item: self._remember_expanded(item, False))
        self.tree.itemExpanded.connect(lambda item: self._remember_expanded(item, True))
        delete_action = QAction("Delete attempt", self.tree)
        delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(lambda: self.delete_attempt())
        self.tree.addAction(delete_action)

        self.tabs = QTabWidget(splitter)
        self.tabs.setObjectName("detailTabs")
        self.tabs.addTab(self._build_attempt_page(), "Attempt")
        self.tabs.addTab(self._build_compare_page(), "Compare")
        self.tree.setMinimumWidth(300)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([500, 900])  # the list wide enough for date, deck, card, score and status

        buttons = QHBoxLayout()
        self.retranscribe_button = QPushButton("Transcribe again", self)
        self.retranscribe_button.setObjectName("retranscribeButton")
        self.retranscribe_button.setToolTip("Run speech recognition on this recording again (e.g. after it failed)")
        self.retranscribe_button.clicked.connect(self._retranscribe_clicked)
        self.delete_button = QPushButton("Delete attempt\u2026", self)
        self.delete_button.setObjectName("deleteButton")
        self.delete_button.setToolTip("Delete this attempt and its recording (Del)")
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

    def _date_edit(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        return edit

    def _build_attempt_page(self) -> QWidget:
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.setObjectName("attemptPage")
        self.placeholder = QLabel(self.detail_stack)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #6b737b; font-size: 12pt;")
        self.detail_stack.addWidget(self.placeholder)

        page = QWidget(self.detail_stack)
        layout = QVBoxLayout(page)
        self.question_label = QLabel(page)
        self.question_label.setObjectName("questionLabel")
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.question_label.font())
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.question_label.setFont(font)
        self.meta_label = QLabel(page)
        self.meta_label.setObjectName("metaLabel")
        self.meta_label.setWordWrap(True)
        self.meta_label.setStyleSheet("color: #6b737b;")
        layout.addWidget(self.question_label)
        layout.addWidget(self.meta_label)

        stats = QHBoxLayout()
        self.score_label = QLabel(page)
        self.score_label.setObjectName("scoreLabel")
        score_font = QFont(self.score_label.font())
        score_font.setPointSize(score_font.pointSize() + 6)
        score_font.setBold(True)
        self.score_label.setFont(score_font)
        self.wpm_label = QLabel(page)
        self.wpm_label.setObjectName("wpmLabel")
        self.fillers_label = QLabel(page)
        self.fillers_label.setObjectName("fillersLabel")
        self.status_label = QLabel(page)
        self.status_label.setObjectName("statusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.score_label, self.wpm_label, self.fillers_label):
            stats.addWidget(widget)
            stats.addSpacing(16)
        stats.addWidget(self.status_label, 1)
        layout.addLayout(stats)

        self.player_bar = PlayerBar(self.player, page)
        self.player_bar.setEnabled(False)
        layout.addWidget(self.player_bar)

        split = QSplitter(Qt.Orientation.Horizontal, page)
        left = QSplitter(Qt.Orientation.Vertical, split)
        self.transcript_view = TranscriptView()
        _titled("Your answer", self.transcript_view, left)
        self.transcript_view.setObjectName("transcriptView")
        points_box = QWidget(left)
        points_layout = QVBoxLayout(points_box)
        points_layout.setContentsMargins(0, 0, 0, 0)
        points_title = QHBoxLayout()
        points_heading = _heading("Key points (click one to correct it)", points_box)
        points_heading.setWordWrap(True)  # wraps in a narrow window instead of widening it
        points_title.addWidget(points_heading, 1)
        self.reset_corrections_button = QPushButton("Undo corrections", points_box)
        self.reset_corrections_button.setObjectName("resetCorrectionsButton")
        self.reset_corrections_button.setToolTip("Go back to the key points as scoring marked them")
        self.reset_corrections_button.clicked.connect(lambda: self.set_corrections({}))
        points_title.addWidget(self.reset_corrections_button)
        points_layout.addLayout(points_title)
        self.checklist = KeyPointChecklist(points_box)
        self.checklist.setObjectName("keyPointList")
        self.checklist.toggled.connect(self.correct_point)
        self.points_plain = QLabel(points_box)
        self.points_plain.setObjectName("keyPointsPlain")
        self.points_plain.setWordWrap(True)
        points_layout.addWidget(self.checklist)
        points_layout.addWidget(self.points_plain)
        points_layout.addStretch(1)
        self.model_answer = TranscriptView()
        self.model_answer.setPlaceholderText("")
        _titled("Model answer", self.model_answer, split)
        self.model_answer.setObjectName("modelAnswerView")
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([550, 450])
        layout.addWidget(split, 1)
        self.detail_stack.addWidget(page)
        return self.detail_stack

    def _build_compare_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("comparePage")
        layout = QVBoxLayout(page)
        self.compare_title = QLabel(page)
        self.compare_title.setObjectName("compareTitle")
        self.compare_title.setWordWrap(True)
        layout.addWidget(self.compare_title)
        split = QSplitter(Qt.Orientation.Vertical, page)
        self.compare_table = QTableWidget(split)
        self.compare_table.setObjectName("compareTable")
        self.compare_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.compare_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.compare_table.verticalHeader().setVisible(False)
        self.compare_table.setToolTip("Double-click an attempt to open it")
        self.compare_table.currentCellChanged.connect(lambda row, *_: self._compare_row_chosen(row))
        self.compare_table.cellDoubleClicked.connect(self._compare_row_opened)
        panes = QSplitter(Qt.Orientation.Horizontal, split)
        self.compare_current = TranscriptView()
        self.compare_current_title = QLabel()
        self.compare_other = TranscriptView()
        self.compare_other_title = QLabel()
        for title, view, name in (
            (self.compare_current_title, self.compare_current, "compareCurrent"),
            (self.compare_other_title, self.compare_other, "compareOther"),
        ):
            box = QWidget(panes)
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            title.setParent(box)
            title.setWordWrap(True)
            view.setParent(box)
            view.setObjectName(name)
            box_layout.addWidget(title)
            box_layout.addWidget(view, 1)
        layout.addWidget(split, 1)
        self._compare_attempts: list[Attempt] = []
        return page

    # -- public API

    def set_decks(self, decks: Mapping[str, Deck] | Iterable[Deck]) -> None:
        """The decks on disk: their titles and card questions label the filters (history works without)."""
        values = decks.values() if isinstance(decks, Mapping) else decks
        self.decks = {deck.id: deck for deck in values}
        self.refresh()

    def refresh(self) -> None:
        """Reload filters, list and details from the store, keeping the selection and scroll position."""
        kind_id = self._selected()
        scroll = self.tree.verticalScrollBar().value()
        self._loading = True
        try:
            self._fill_deck_filter()
            self._fill_card_filter()
            self._fill_tree()
        finally:
            self._loading = False
        self.tree.verticalScrollBar().setValue(scroll)
        if kind_id is None or not self._select(*kind_id):
            self._show(self.tree.currentItem())

    def select_attempt(self, attempt_id: int) -> bool:
        """Select an attempt in the list (False when the filters hide it or it is gone)."""
        return self._select("attempt", attempt_id)

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
    ) -> None:
        """Set every filter at once (None: any), then refresh once."""
        self._loading = True
        try:
            self.deck_filter.setCurrentIndex(max(0, self.deck_filter.findData(deck_id)))
            self._fill_card_filter()
            self.card_filter.setCurrentIndex(max(0, self.card_filter.findData(card_id)))
            for check, edit, value in (
                (self.since_check, self.since_date, since),
                (self.until_check, self.until_date, until),
            ):
                check.setChecked(value is not None)
                if value is not None:
                    edit.setDate(QDate(value.year, value.month, value.day))
        finally:
            self._loading = False
        self.refresh()

    def filters(self) -> dict[str, Any]:
        """The filters as `Store.attempts` takes them (dates as local-midnight bounds, `until` inclusive)."""
        since = until = None
        if self.since_check.isChecked():
            since = datetime.combine(_py_date(self.since_date.date()), time.min)
        if self.until_check.isChecked():
            until = datetime.combine(_py_date(self.until_date.date().addDays(1)), time.min)
        return {
            "deck_id": self.deck_filter.currentData(),
            "card_id": self.card_filter.currentData() if self.deck_filter.currentData() else None,
            "since": since,
            "until": until,
        }

    def attempt_rows(self) -> list[tuple[int, str, str]]:
        """(attempt id, card id, status) of every attempt listed, top to bottom (for tests and scripts)."""
        return [
            (int(item.data(0, _ID)), item.text(2), item.text(4))
            for top in self._session_items()
            for item in _children(top)
        ]

    def stop_playback(self) -> None:
        self.player.stop()

    # -- filters

    def _fill_deck_filter(self) -> None:
        current = self.deck_filter.currentData()
        titles = {**self.store.deck_titles(), **{d.id: d.title for d in self.decks.values()}}
        self.deck_filter.blockSignals(True)
        self.deck_filter.clear()
        self.deck_filter.addItem("All decks", None)
        for deck_id, title in sorted(titles.items(), key=lambda kv: kv[1].casefold()):
            self.deck_filter.addItem(title, deck_id)
        self.deck_filter.setCurrentIndex(max(0, self.deck_filter.findData(current)))
        self.deck_filter.blockSignals(False)

    def _fill_card_filter(self) -> None:
        current = self.card_filter.currentData()
        deck_id = self.deck_filter.currentData()
        self.card_filter.blockSignals(True)
        self.card_filter.clear()
        self.card_filter.addItem("All cards", None)
        if deck_id is not None:
            seen: set[str] = set()
            deck = self.decks.get(deck_id)
            for card in deck.cards if deck is not None else ():
                self.card_filter.addItem(_elide(f"{card.id} \u2013 {card.question}", 70), card.id)
                self.card_filter.setItemData(self.card_filter.count() - 1, card.question, Qt.ItemDataRole.ToolTipRole)
                seen.add(card.id)
            for card_id in self.store.card_ids(deck_id):
                if card_id not in seen:
                    self.card_filter.addItem(f"{card_id} (no longer in the deck)", card_id)
        self.card_filter.setEnabled(deck_id is not None)
        self.card_filter.setCurrentIndex(max(0, self.card_filter.findData(current)))
        self.card_filter.blockSignals(False)

    def _deck_chosen(self) -> None:
        if self._loading:
            return
        self._fill_card_filter()
        self._filter_changed()

    def _filter_changed(self, *_: object) -> None:
        if not self._loading:
            self.refresh()

    # -- the list

    def _fill_tree(self) -> None:
        filters = self.filters()
        summaries = self.store.attempt_summaries(**filters, limit=MAX_ATTEMPTS)
        self.limit_note.setText(
            f"Showing the newest {MAX_ATTEMPTS} attempts; narrow the filters to see older ones."
            if len(summaries) >= MAX_ATTEMPTS
            else ""
        )
        by_session: dict[int, list[AttemptSummary]] = {}
        for summary in summaries:
            by_session.setdefault(summary.session_id, []).append(summary)
        self.tree.blockSignals(True)
        self.tree.clear()
        sessions = {s.id: s for s in self.store.sessions(ids=by_session)}
        for session_id, attempts in by_session.items():
            session = sessions[session_id]
            top = QTreeWidgetItem(self.tree)
            top.setData(0, _KIND, "session")
            top.setData(0, _ID, session.id)
            top.setText(0, _day_time(session.started_at))
            top.setText(1, session.deck_title)
            shown = len(attempts)
            top.setText(2, f"{shown} attempt{'s' if shown != 1 else ''}")
            scores = [a.score for a in attempts if a.score is not None]
            top.setText(3, f"{sum(scores) / len(scores):.0f}%" if scores else "\u2013")
            top.setText(4, "flashcards" if session.mode == "flashcard" else "spoken")
            font = QFont(top.font(0))
            font.setBold(True)
            for column in range(5):
                top.setFont(column, font)
            for summary in attempts:
                item = QTreeWidgetItem(top)
                self._fill_attempt_item(item, summary)
            top.setExpanded(session.id not in self._collapsed)
        self.tree.blockSignals(False)
        if not summaries:
            self.placeholder.setText(
                "No attempts match these filters."
                if any(v is not None for v in filters.values())
                else "No attempts yet. Practise a deck and every answer you give appears here."
            )

    def _fill_attempt_item(self, item: QTreeWidgetItem, a: AttemptSummary | Attempt) -> None:
        item.setData(0, _KIND, "attempt")
        item.setData(0, _ID, a.id)
        item.setText(0, _local(a.started_at).strftime("%H:%M:%S"))
        deck = self.decks.get(a.deck_id)
        item.setText(1, deck.title if deck is not None else a.deck_id)
        item.setText(2, a.card_id)
        item.setToolTip(2, a.question)
        item.setText(3, _score_text(a.score, a.self_grade))
        item.setText(4, _STATUS_TEXT.get(a.status, str(a.status)))
        if a.error:
            item.setToolTip(4, a.error)
        item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _remember_expanded(self, item: QTreeWidgetItem, expanded: bool) -> None:
        if item.data(0, _KIND) == "session":
            session_id = int(item.data(0, _ID))
            if expanded:
                self._collapsed.discard(session_id)
            else:
                self._collapsed.add(session_id)

    def _selected(self) -> tuple[str, int] | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return str(item.data(0, _KIND)), int(item.data(0, _ID))

    def _session_items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _find(self, kind: str, item_id: int) -> QTreeWidgetItem | None:
        for top in self._session_items():
            if kind == "session" and top.data(0, _ID) == item_id:
                return top
            if kind == "attempt":
                for child in _children(top):
                    if child.data(0, _ID) == item_id:
                        return child
        return None

    def _select(self, kind: str, item_id: int) -> bool:
        item = self._find(kind, item_id)
        if item is None:
            return False
        parent = item.parent()
        if parent is not None:
            parent.setExpanded(True)
        if self.tree.currentItem() is item:
            self._show(item)  # the same row: its data may have changed
        else:
            self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)
        return True

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if not self._loading:
            self._show(current)

    # -- details

    def _show(self, item: QTreeWidgetItem | None) -> None:
        kind = item.data(0, _KIND) if item is not None else None
        if item is None or kind is None:
            self.attempt = self.session = None
            self.player.load(None)
            if self.tree.topLevelItemCount():
                self.placeholder.setText("Select an attempt to read, hear and correct it.")
            self.detail_stack.setCurrentIndex(0)
            self._fill_compare()
        elif kind == "session":
            self.attempt = None
            self.session = self.store.session(int(item.data(0, _ID)))
            self.player.load(None)
            self._show_session(self.session)
            self._fill_compare()
        else:
            attempt = self.store.attempt(int(item.data(0, _ID)))
            self.session = self.store.session(attempt.session_id)
            self._show_attempt(attempt)
        self._update_buttons()

    def _show_session(self, session: Session) -> None:
        count = session.attempt_count
        mean = f", mean score {session.mean_score:.0f}%" if session.mean_score is not None else ""
        ended = (
            f", {_length((session.ended_at - session.started_at).total_seconds())} long"
            if session.ended_at is not None
            else ""
        )
        self.placeholder.setText(
            f"<b>{_html(session.deck_title)}</b><br>{_day_time(session.started_at)}{ended}<br>"
            f"{count} attempt{'s' if count != 1 else ''}{mean}<br><br>"
            "Select an attempt to read, hear and correct it, or export the whole session."
        )
        self.detail_stack.setCurrentIndex(0)

    def _show_attempt(self, attempt: Attempt) -> None:
        same_audio = self.attempt is not None and self.attempt.id == attempt.id and self.player.path is not None
        self.attempt = attempt
        self.detail_stack.setCurrentIndex(1)
        self.question_label.setText(attempt.question)
        deck = self.decks.get(attempt.deck_id)
        meta = [
            deck.title if deck is not None else (self.session.deck_title if self.session else attempt.deck_id),
            f"card {attempt.card_id}",
            _day_time(attempt.started_at),
            f"answered in {_length(attempt.duration)}",
        ]
        if attempt.engine:
            meta.append(f"{attempt.engine} {attempt.model or ''}".strip())
        self.meta_label.setText(" \u00b7 ".join(meta))

        result = attempt.score_result()
        self.score_label.setText(_score_text(attempt.score, attempt.self_grade))
        self.score_label.setToolTip("Self-grade" if attempt.self_grade is not None else "Share of key points said")
        self.wpm_label.setText(f"{attempt.wpm:.0f} wpm" if attempt.wpm is not None else "")
        self.wpm_label.setToolTip("Words per minute: 120-160 is a comfortable interview pace")
        if attempt.transcript is not None:
            count = attempt.filler_count
            listed = ", ".join(f"{word} \u00d7{n}" for word, n in attempt.fillers.items())
            self.fillers_label.setText(f"{count} filler{'s' if count != 1 else ''}" + (f": {listed}" if listed else ""))
        else:
            self.fillers_label.setText("")
        self._show_status(attempt)

        if not same_audio:
            self.player.load(attempt.audio_path if attempt.audio_path is not None and attempt.has_audio else None)
        self.player_bar.setEnabled(self.player.path is not None)
        if attempt.audio_path is None:
            self.player_bar.label.setText("no recording")
        elif not attempt.has_audio:
            self.player_bar.label.setText("recording missing")
            self.player_bar.label.setToolTip(str(attempt.audio_path))

        self.transcript_view.show_attempt(attempt, _no_transcript(attempt))

        if result is not None:
            self.checklist.set_points(result.points)
            self.checklist.show()
            self.points_plain.hide()
        else:
            self.checklist.set_points([])
            self.checklist.hide()
            self.points_plain.setText("".join(f"\u2022 {_html(p.text)}<br>" for p in attempt.key_points))
            self.points_plain.show()
        self.reset_corrections_button.setVisible(bool(attempt.corrections))
        self.model_answer.set_transcript(attempt.answer)
        self._fill_compare()

    def _show_status(self, attempt: Attempt) -> None:
        text = _STATUS_TEXT.get(attempt.status, str(attempt.status))
        if attempt.status is Status.FAILED and attempt.error:
            self.status_label.setText(f"<span style='color:#a3302a'>{_html(attempt.error)}</span>")
        elif attempt.corrections:
            n = len(attempt.corrections)
            self.status_label.setText(f"{text}, {n} key point{'s' if n != 1 else ''} corrected by you")
        else:
            self.status_label.setText(text)

    def _update_buttons(self) -> None:
        attempt = self.attempt
        can_transcribe = attempt is not None and attempt.status.can_transcribe and attempt.has_audio
        self.retranscribe_button.setEnabled(can_transcribe)
        if attempt is not None and attempt.status is Status.SCORED:
            self.retranscribe_button.setToolTip("Transcribe again (your corrections to this attempt are dropped)")
        else:
            self.retranscribe_button.setToolTip("Run speech recognition on this recording again")
        self.delete_button.setEnabled(attempt is not None)
        self.export_button.setEnabled(self.session is not None)

    # -- corrections

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
        attempt = self.store.set_corrections(self.attempt.id, corrections)
        self.attempt = attempt
        result = attempt.score_result()
        if result is not None:
            self.checklist.update_points(result.points)
        self.transcript_view.show_attempt(attempt, _no_transcript(attempt))
        self.score_label.setText(_score_text(attempt.score, attempt.self_grade))
        self._show_status(attempt)
        self.reset_corrections_button.setVisible(bool(attempt.corrections))
        item = self._find("attempt", attempt.id)
        if item is not None:
            self._fill_attempt_item(item, attempt)
        self._fill_compare()
        self.attempt_changed.emit(attempt.id)

    # -- compare

    def _fill_compare(self) -> None:
        table = self.compare_table
        table.blockSignals(True)
        table.clear()
        table.setRowCount(0)
        attempt = self.attempt
        if attempt is None:
            self._compare_attempts = []
            table.setColumnCount(0)
            self.compare_title.setText("Select an attempt to compare it with your other answers to the same card.")
            self.compare_current.set_transcript("")
            self.compare_other.set_transcript("")
            self.compare_current_title.setText("")
            self.compare_other_title.setText("")
            table.blockSignals(False)
            return
        newest = self.store.attempts(deck_id=attempt.deck_id, card_id=attempt.card_id, limit=MAX_COMPARE)
        attempts = list(reversed(newest))
        self._compare_attempts = attempts
        points = [p.text for p in attempt.key_points]
        headers = ["When", "Score", "WPM", "Fillers", "Length", *[_elide(p, 24) for p in points]]
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        for column, point in enumerate(points, 5):
            header_item = table.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(point)
        table.setRowCount(len(attempts))
        current_row = 0
        for row, other in enumerate(attempts):
            result = other.score_result()
            marks: dict[str, str] = {}
            if result is not None:
                for p in result.points:
                    marks[p.point.text.casefold()] = ("\u2713" if p.hit else "\u2717") + ("*" if p.corrected else "")
            cells = [
                _local(other.started_at).strftime("%Y-%m-%d %H:%M"),
                _score_text(other.score, other.self_grade),
                f"{other.wpm:.0f}" if other.wpm is not None else "\u2013",
                str(other.filler_count) if other.transcript is not None else "\u2013",
                _length(other.duration),
                *[marks.get(p.casefold(), "\u2013") for p in points],
            ]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column >= 1:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if other.id == attempt.id:
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                table.setItem(row, column, cell)
            if other.id == attempt.id:
                current_row = row
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(False)

        scores = [a.score for a in attempts if a.score is not None]
        summary = f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''} of this card"
        if scores:
            summary += f": best {max(scores):.0f}%, latest {scores[-1]:.0f}%"
            if len(scores) >= 2:
                summary += f", first {scores[0]:.0f}%"
        self.compare_title.setText(f"<b>{_html(attempt.question)}</b><br>{summary}. \u2713* marks a correction.")
        self._set_compare_pane(self.compare_current, self.compare_current_title, attempt, "This attempt")
        # The other pane starts on the attempt before this one (or after it, for the first).
        other_row = current_row - 1 if current_row > 0 else (1 if len(attempts) > 1 else -1)
        table.blockSignals(False)
        if other_row >= 0:
            table.setCurrentCell(other_row, 0)
        else:
            self._compare_row_chosen(-1)

    def _compare_row_chosen(self, row: int) -> None:
        if 0 <= row < len(self._compare_attempts):
            self._set_compare_pane(
                self.compare_other, self.compare_other_title, self._compare_attempts[row], "Compared with"
            )
        else:
            self.compare_other.set_transcript("")
            self.compare_other_title.setText("No other attempt of this card yet.")

    def _compare_row_opened(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._compare_attempts):
            target = self._compare_attempts[row].id
            if not self.select_attempt(target):  # hidden by the filters: show it anyway
                self.set_filters(deck_id=self._compare_attempts[row].deck_id)
                self.select_attempt(target)
            self.tabs.setCurrentIndex(0)

    def _set_compare_pane(self, view: TranscriptView, title: QLabel, attempt: Attempt, caption: str) -> None:
        title.setText(
            f"<b>{caption}</b>: {_local(attempt.started_at).strftime('%Y-%m-%d %H:%M')}, "
            f"{_score_text(attempt.score, attempt.self_grade)}"
        )
        view.show_attempt(attempt, _no_transcript(attempt))

    # -- actions

    def _retranscribe_clicked(self) -> None:
        if self.attempt is not None:
            self.retranscribe_requested.emit(self.attempt.id)

    def delete_attempt(self, attempt_id: int | None = None, confirm: bool = True) -> bool:
        """Delete an attempt (default: the selected one) and its recording; asks first unless `confirm` is False.

        Returns whether it was deleted. The row below (or above) it is selected next."""
        if attempt_id is None:
            attempt_id = self.current_attempt_id()
        if attempt_id is None:
            return False
        attempt = self.store.attempt(attempt_id)
        if confirm:
            answer = QMessageBox.question(
                self,
                "Delete attempt",
                f"Delete your answer to \u201c{_elide(attempt.question, 80)}\u201d from "
                f"{_day_time(attempt.started_at)}?\n\nIts recording is deleted too. This cannot be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        neighbour = self._neighbour(attempt_id)
        if self.player.path is not None and self.player.path == attempt.audio_path:
            self.player.load(None)
        self.store.delete_attempt(attempt_id)
        if self.attempt is not None and self.attempt.id == attempt_id:
            self.attempt = None
        self.refresh()
        if neighbour is not None:
            self._select(*neighbour)
        self.attempt_deleted.emit(attempt_id)
        return True

    def _neighbour(self, attempt_id: int) -> tuple[str, int] | None:
        item = self._find("attempt", attempt_id)
        if item is None:
            return None
        parent = item.parent()
        if parent is None:
            return None
        siblings = _children(parent)
        index = siblings.index(item)
        for other in (index + 1, index - 1):
            if 0 <= other < len(siblings):
                return "attempt", int(siblings[other].data(0, _ID))
        return "session", int(parent.data(0, _ID))

    def export_session_dialog(self) -> Path | None:
        """Ask where to save the selected session's report, then write it."""
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


# --- helpers --------------------------------------------------------------------------------------------


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    children = (item.child(i) for i in range(item.childCount()))
    return [child for child in children if child is not None]


def _py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _default_export_dir() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def _html(text: str) -> str:
    import html

    return html.escape(text)


def _elide(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _no_transcript(attempt: Attempt) -> str:
    if attempt.status is Status.SELF_GRADED:
        grade = SELF_GRADES.get(attempt.self_grade or 0, "")
        return f"Flashcard mode: answered without recording, graded \u201c{grade}\u201d."
    if attempt.status is Status.TRANSCRIBING:
        return "Transcribing\u2026"
    if attempt.status is Status.FAILED:
        return "Not transcribed. Use \u201cTranscribe again\u201d to try once more."
    return "Not transcribed yet. Use \u201cTranscribe again\u201d to transcribe the recording."


def _heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


def _titled(title: str, widget: QWidget, parent: QWidget) -> QWidget:
    """A bold caption above a widget."""
    box = QFrame(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(_heading(title, box))
    widget.setParent(box)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    layout.addWidget(widget, 1)
    return box
