"""Every practice session and attempt, kept in SQLite beside the recorded audio.

Layout under the data directory (`paths.data_dir()`, or the `storage.data_dir` setting)::

    attempts.sqlite3                         the database (WAL mode: the CLI can read while the app writes)
    audio/<yyyy-mm-dd>/<session>-<card>-<n>.flac

An attempt is registered as soon as its audio is on disk, *before* any model runs, so a crash, a missing
model or a cancelled transcription never loses an answer: it stays "recorded" or "failed" and can be
transcribed again later. Each attempt keeps a copy of the question, model answer and key points as they were
when it was scored, so editing a deck never rewrites history.

Audio paths are stored relative to the data directory, so moving the whole directory keeps them valid.

Threads: a `Store` holds ONE connection, shared by all threads and guarded by a lock. Every public method
runs one short transaction under that lock (local SQLite: a millisecond or two), so the GUI thread and a
transcription worker can both call the same `Store`. Slow work (a model, file deletion) never happens while
the lock is held. Other processes are handled by SQLite itself (WAL plus a busy timeout).
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from trainer import paths
from trainer.deck import Card, Deck, KeyPoint

if TYPE_CHECKING:
    from trainer.asr.base import Transcript
    from trainer.scoring import ScoreResult
    from trainer.settings import Settings
    from trainer.speechstats import SpeechStats

log = logging.getLogger(__name__)

DB_NAME = "attempts.sqlite3"
AUDIO_DIR = "audio"
AUDIO_SUFFIX = ".flac"
#: Seconds another process may hold the write lock before a call gives up with StorageError.
BUSY_TIMEOUT = 5.0
#: The same for calls from the interactive (GUI) thread (`Store.mark_interactive_thread`): the window must not
#: freeze on a database another program holds; the call fails with `StorageBusy` instead, and the GUI says so.
INTERACTIVE_TIMEOUT = 0.03

MODES: tuple[str, ...] = ("spoken", "flashcard", "mock")
ORDERS: tuple[str, ...] = ("in-order", "shuffled", "weakest", "due")

#: Flashcard self-grades, as in Anki, and the score each counts as (so "weakest first" ranks both modes).
SELF_GRADES: dict[int, str] = {1: "again", 2: "hard", 3: "good", 4: "easy"}
SELF_GRADE_SCORES: dict[int, float] = {1: 0.0, 2: 40.0, 3: 75.0, 4: 100.0}


class Status(StrEnum):
    """Where an attempt is on its way from audio to score."""

    RECORDED = "recorded"  # audio on disk, not transcribed yet
    TRANSCRIBING = "transcribing"
    SCORED = "scored"
    FAILED = "failed"  # transcription failed or was cancelled; audio kept, can be transcribed again
    SELF_GRADED = "self-graded"  # flashcard mode: no audio, the user graded themselves

    @property
    def can_transcribe(self) -> bool:
        """Whether "Transcribe again" makes sense (there is audio and no transcription is running)."""
        return self in (Status.RECORDED, Status.FAILED, Status.SCORED)


class StorageError(Exception):
    """The database cannot be used (newer schema, corrupt file, locked too long); the message says why."""


class StorageBusy(StorageError):
    """Another program (or a long call of another thread) holds the database; trying again later may work."""


class DatabaseDamaged(StorageError):
    """The database file is not a usable SQLite database any more (corrupted, truncated, overwritten)."""


class NotFound(StorageError, KeyError):
    """No session or attempt with that id (deleted, or from another database)."""

    def __str__(self) -> str:  # KeyError quotes its message; this one is a sentence
        return str(self.args[0]) if self.args else ""


# --- time -----------------------------------------------------------------------------------------------

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, UTC: sorts and compares as text


def open_store(path: Path | str) -> tuple[Store, str | None]:
    """Open the app's store; a damaged database file is moved aside (kept, never deleted) and a new one started.

    Returns the store and, when the database was replaced, a sentence for the user saying what happened and
    where the old file is. Other faults (locked, read-only, newer version) raise `StorageError` as `Store` does.
    """
    path = Path(path).expanduser()
    if folder_read_only(path):
        store = Store(path, read_only=True)
        return store, (
            f"The data folder {path.parent} cannot be written (a read-only disk or folder): your earlier answers "
            "are shown, but new answers cannot be saved, so nothing will be recorded. Make the folder writable "
            "(or set storage.data_dir in the settings to another folder) and start the app again."
        )
    try:
        store = Store(path)
        with store._read() as conn:
            check = str(conn.execute("PRAGMA quick_check").fetchone()[0])
        if check == "ok":
            return store, None
        store.close()
        problem = check
    except DatabaseDamaged as exc:
        problem = str(exc.__cause__ or exc)
    except StorageError as exc:
        if not isinstance(exc.__cause__, sqlite3.DatabaseError) or isinstance(exc.__cause__, sqlite3.OperationalError):
            raise
        problem = str(exc.__cause__)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    try:
        for suffix in ("", "-wal", "-shm"):
            side = Path(str(path) + suffix)
            if side.exists():
                side.replace(Path(str(damaged) + suffix))
    except OSError as exc:
        raise storage_error(path, exc) from exc
    store = Store(path)
    notice = (
        f"The attempts database was damaged ({problem}). It was moved to {damaged} and a new one was started; "
        f"your recordings in {store.audio_dir} are kept."
    )
    return store, notice


def folder_read_only(path: Path) -> bool:
    """Whether the database `path`'s folder (before it exists, the nearest existing folder above it) cannot be
    written: a read-only file system (also one the kernel turned read-only after a disk error, which `statvfs`
    and `access` may still call writable) or missing permissions. Probed by creating a file there."""
    target = path.parent
    while not target.exists() and target != target.parent:
        target = target.parent
    try:
        with tempfile.TemporaryFile(dir=target):
            pass
    except OSError as exc:
        return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    return path.exists() and not os.access(path, os.W_OK)


def storage_error(path: Path, exc: sqlite3.Error | OSError) -> StorageError:
    """A `StorageError` whose message says, in plain words, what went wrong with the database and what to do."""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return StorageBusy(f"the attempts database {path} is in use by another program; try again in a moment")
    if folder_read_only(path):  # e.g. a disk remounted read-only after an error: SQLite says "disk I/O error"
        return StorageError(
            f"the data folder {path.parent} cannot be written (it is read-only now): answers cannot be saved until "
            f"it can be written again; recordings already on disk are kept [{text}]"
        )
    if "full" in lowered or getattr(exc, "errno", None) == 28:
        return StorageError(
            f"the disk holding {path.parent} is full: free some space (recordings already on disk are kept) [{text}]"
        )
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered or "unable to open" in lowered:
        return StorageError(f"the data folder {path.parent} cannot be written: check its permissions [{text}]")
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return StorageError(
            f"the attempts database {path} is damaged: move it aside and restart (your recordings in "
            f"{path.parent / AUDIO_DIR} are kept) [{text}]"
        )
    return StorageError(f"attempts database {path}: {text}")


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def _to_db_time(value: datetime) -> str:
    """Aware datetimes in any zone; naive ones are local time (what a user picks in a date filter)."""
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def _from_db_time(text: str) -> datetime:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def _opt_time(text: str | None) -> datetime | None:
    return _from_db_time(text) if text else None


# --- records --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """One sitting with one deck: the attempts made between starting and ending practice."""

    id: int
    deck_id: str
    deck_title: str
    mode: str
    order: str
    started_at: datetime
    ended_at: datetime | None
    attempt_count: int = 0
    mean_score: float | None = None


@dataclass(frozen=True)
class Attempt:
    """One answer to one card, with everything needed to review it without the deck."""

    id: int
    session_id: int
    deck_id: str
    card_id: str
    question: str
    answer: str
    key_points: tuple[KeyPoint, ...]
    started_at: datetime
    duration: float | None
    audio_path: Path | None
    status: Status
    error: str | None
    transcript: str | None
    #: `Transcript.to_dict()`: segments with word timings, engine, model, language.
    segments: dict[str, Any] | None
    #: `ScoreResult.to_dict()` as scored automatically, before manual corrections.
    results: dict[str, Any] | None
    #: Key point index -> hit, set by hand in the review; `score` includes them.
    corrections: dict[int, bool]
    score: float | None
    wpm: float | None
    fillers: dict[str, int]
    engine: str | None
    model: str | None
    #: Flashcard mode: 1-4 (again, hard, good, easy); `score` holds SELF_GRADE_SCORES[grade].
    self_grade: int | None
    created_at: datetime
    updated_at: datetime
    tags: tuple[str, ...] = field(default=())
    #: Mock interviews: the follow-up question this attempt answers (None for a card's own question).
    follow_up: str | None = None
    #: Mock interviews: the seconds the user had for this answer (None when not recorded).
    time_limit: float | None = None

    def card(self) -> Card:
        """The card as it was when this attempt was made (or last scored)."""
        return Card(self.card_id, self.question, self.answer, self.key_points, self.tags)

    def score_result(self) -> ScoreResult | None:
        """The key point results with manual corrections applied; None until scored."""
        if self.results is None:
            return None
        from trainer.scoring import ScoreResult

        result = ScoreResult.from_dict(self.results)
        valid = {i: hit for i, hit in self.corrections.items() if 0 <= i < len(result.points)}
        return result.with_corrections(valid) if valid else result

    def transcript_obj(self) -> Transcript | None:
        """The full `Transcript` (segments, word timings); None until transcribed."""
        if self.segments is None:
            return None
        from trainer.asr.base import Transcript

        return Transcript.from_dict(self.segments)

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def has_audio(self) -> bool:
        return self.audio_path is not None and self.audio_path.is_file()


@dataclass(frozen=True)
class AttemptSummary:
    """What a list of attempts shows, without the transcript, segments and results (cheap to load by the
    thousand)."""

    id: int
    session_id: int
    deck_id: str
    card_id: str
    question: str
    started_at: datetime
    duration: float | None
    status: Status
    error: str | None
    score: float | None
    wpm: float | None
    self_grade: int | None
    has_audio_path: bool


@dataclass(frozen=True)
class SrsReview:
    """One spaced-repetition review of a card: the rating one attempt earned (or the user gave it)."""

    id: int
    deck_id: str
    card_id: str
    attempt_id: int | None  # None once the attempt was deleted (the review stays: the practice happened)
    rating: int  # 1-4: again, hard, good, easy (fsrs.Rating)
    overridden: bool  # set by the user; an automatic rating never replaces it
    reviewed_at: datetime


@dataclass(frozen=True)
class ProgressRow:
    """One attempt as the progress figures read it (`Store.progress_rows`): JSON columns left as text."""

    id: int
    mode: str
    deck_id: str
    card_id: str
    question: str
    started_at: datetime
    duration: float | None
    status: Status
    score: float | None
    wpm: float | None
    fillers_json: str
    self_grade: int | None
    results_json: str | None
    corrections_json: str


# --- schema ---------------------------------------------------------------------------------------------

_V1 = """
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    deck_id     TEXT NOT NULL,
    deck_title  TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT
);
CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    deck_id         TEXT NOT NULL,
    card_id         TEXT NOT NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    key_points      TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    duration        REAL,
    audio_path      TEXT,
    status          TEXT NOT NULL,
    error           TEXT,
    transcript      TEXT,
    segments        TEXT,
    results         TEXT,
    corrections     TEXT NOT NULL DEFAULT '{}',
    score           REAL,
    wpm             REAL,
    fillers         TEXT NOT NULL DEFAULT '{}',
    engine          TEXT,
    model           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX attempts_session ON attempts(session_id);
"""

# v2: flashcard mode (self-grades), the practice order of a session, card tags in the snapshot, and indexes
# for the review filters and "weakest first".
_V2 = """
ALTER TABLE sessions ADD COLUMN mode TEXT NOT NULL DEFAULT 'spoken';
ALTER TABLE sessions ADD COLUMN practice_order TEXT NOT NULL DEFAULT 'in-order';
ALTER TABLE attempts ADD COLUMN self_grade INTEGER;
ALTER TABLE attempts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
CREATE INDEX attempts_card ON attempts(deck_id, card_id, started_at);
CREATE INDEX attempts_started ON attempts(started_at);
CREATE INDEX sessions_started ON sessions(started_at);
"""

# v3 (SRS): spaced repetition. One FSRS review per scored attempt (its rating, automatic or set by hand), and
# per card the FSRS state those reviews give (a cache: `trainer.srs` rebuilds it from the reviews). A deleted
# attempt keeps its review: the practice happened.
_V3_SRS = """
CREATE TABLE srs_reviews (
    id          INTEGER PRIMARY KEY,
    deck_id     TEXT NOT NULL,
    card_id     TEXT NOT NULL,
    attempt_id  INTEGER UNIQUE REFERENCES attempts(id) ON DELETE SET NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    overridden  INTEGER NOT NULL DEFAULT 0,
    reviewed_at TEXT NOT NULL
);
CREATE INDEX srs_reviews_card ON srs_reviews(deck_id, card_id, reviewed_at);
CREATE TABLE srs_cards (
    deck_id     TEXT NOT NULL,
    card_id     TEXT NOT NULL,
    state       TEXT NOT NULL,
    due         TEXT NOT NULL,
    PRIMARY KEY (deck_id, card_id)
);
"""

# v4 (FTS): full-text search over transcripts and questions for the review (FTS5, kept in step by triggers).
_V4_FTS = """
CREATE VIRTUAL TABLE attempts_fts USING fts5(
    question, transcript, content='attempts', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER attempts_fts_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO attempts_fts(rowid, question, transcript) VALUES (new.id, new.question, new.transcript);
END;
CREATE TRIGGER attempts_fts_delete AFTER DELETE ON attempts BEGIN
    INSERT INTO attempts_fts(attempts_fts, rowid, question, transcript)
    VALUES ('delete', old.id, old.question, old.transcript);
END;
CREATE TRIGGER attempts_fts_update AFTER UPDATE OF question, transcript ON attempts BEGIN
    INSERT INTO attempts_fts(attempts_fts, rowid, question, transcript)
    VALUES ('delete', old.id, old.question, old.transcript);
    INSERT INTO attempts_fts(rowid, question, transcript) VALUES (new.id, new.question, new.transcript);
END;
INSERT INTO attempts_fts(attempts_fts) VALUES ('rebuild');
"""

# v5 (mock interviews): a follow-up answer is an attempt of the same card whose `follow_up` holds the question
# asked; `time_limit` keeps the seconds the user had, so the report compares time used against it.
_V5_MOCK = """
ALTER TABLE attempts ADD COLUMN follow_up TEXT;
ALTER TABLE attempts ADD COLUMN time_limit REAL;
"""

#: The schema's history, oldest first: migration i takes `PRAGMA user_version` from i to i + 1.
#: Append only; never edit a released step (existing databases have already run it).
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3_SRS, _V4_FTS, _V5_MOCK)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to `target` (default: the latest), one transaction per step; returns the old version.

    The version is read again inside each step's write transaction, so two processes opening a new database
    at the same moment (the app and the CLI) do not both run the same step."""
    version = _user_version(conn)
    _check_not_newer(version)
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = _user_version(conn)
            _check_not_newer(current)
            if current >= target:
                conn.execute("ROLLBACK")
                return version
            for statement in _statements(MIGRATIONS[current]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise StorageError(f"cannot update the attempts database to version {current + 1}: {exc}") from exc
        except StorageError:
            conn.execute("ROLLBACK")
            raise


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _check_not_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"the attempts database has schema version {version}, newer than this version of Interview "
            f"Trainer understands ({SCHEMA_VERSION}); update the app, or point it at another data directory"
        )


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit behind our back). A piece is
    joined to the next until SQLite calls it complete, so a trigger's body (statements between BEGIN and END)
    stays whole."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements


# --- the store ------------------------------------------------------------------------------------------


def default_data_dir(settings: Settings | None = None) -> Path:
    """Where data lives: $TRAINER_DATA_DIR, else the `storage.data_dir` setting, else the platform default."""
    import os

    if os.environ.get(paths.ENV_DATA_DIR):
        return paths.data_dir()
    if settings is not None:
        from trainer.settings import Key

        override = str(settings.get(Key.DATA_DIR)).strip()
        if override:
            return Path(override).expanduser()
    return paths.data_dir()


_ATTEMPT_COLUMNS = (
    "id, session_id, deck_id, card_id, question, answer, key_points, tags, started_at, duration, audio_path, "
    "status, error, transcript, segments, results, corrections, score, wpm, fillers, engine, model, "
    "self_grade, created_at, updated_at, follow_up, time_limit"
)
_SESSION_QUERY = """
SELECT s.id, s.deck_id, s.deck_title, s.mode, s.practice_order, s.started_at, s.ended_at,
       COUNT(a.id), AVG(a.score)
FROM sessions s LEFT JOIN attempts a ON a.session_id = s.id
"""


class Store:
    """The attempts database and the audio folder beside it. Safe to share between threads (see module doc)."""

    def __init__(self, path: Path | str, audio_dir: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.root = self.path.parent
        self.audio_dir = Path(audio_dir) if audio_dir is not None else self.root / AUDIO_DIR
        #: Opened on a data folder that cannot be written (`open_store`): history is shown, every write fails
        #: with a `StorageError` saying the folder cannot be written.
        self.read_only = read_only
        self._lock = threading.RLock()
        self._handed_out: set[Path] = set()
        self._recording: set[int] = set()  # attempts this process is recording now (see `is_recording`)
        self._interactive: int | None = None  # thread id of the GUI thread, see mark_interactive_thread
        self._short_timeout = False  # whether the connection's busy timeout is INTERACTIVE_TIMEOUT now
        self._conn: sqlite3.Connection | None = None
        if read_only:
            self._conn = self._open_read_only()
            self.journal_mode = "read-only"
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the attempts database {self.path}: {exc}") from exc
        conn = self._conn
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses at most the last commit
            self.journal_mode = str(mode).lower()
            migrate(conn)
        except sqlite3.OperationalError as exc:  # locked, read-only, disk full: the file itself is fine
            conn.close()
            self._conn = None
            raise storage_error(self.path, exc) from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            self._conn = None
            raise DatabaseDamaged(f"{self.path} is not a usable attempts database: {exc}") from exc
        except StorageError:
            conn.close()
            self._conn = None
            raise

    def _open_read_only(self) -> sqlite3.Connection:
        """A connection that only reads: the file itself when there is one (its WAL included when SQLite can
        read it in place, else the main file as it is), an empty database in memory when there is none."""
        conn: sqlite3.Connection | None = None
        try:
            if self.path.is_file():
                uri = f"file:{quote(str(self.path.resolve()))}"
                try:
                    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
                    _check_not_newer(_user_version(conn))
                except sqlite3.OperationalError:  # WAL without a writable -shm: read the main file as it is
                    if conn is not None:
                        conn.close()
                    conn = sqlite3.connect(
                        f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False
                    )
                if _user_version(conn) != SCHEMA_VERSION:
                    raise StorageError(
                        f"the attempts database {self.path} needs an update that cannot be written: its folder "
                        "is read-only"
                    )
            else:
                conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                migrate(conn)
            conn.execute("PRAGMA query_only = ON")
            return conn
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            raise DatabaseDamaged(f"{self.path} is not a usable attempts database: {exc}") from exc
        except StorageError:
            if conn is not None:
                conn.close()
            raise

    @classmethod
    def open_default(cls, settings: Settings | None = None) -> Store:
        """The user's store: see `default_data_dir` for where it is."""
        return cls(default_data_dir(settings) / DB_NAME)

    def close(self) -> None:
        """Close the connection (idempotent); a later call raises StorageError."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("PRAGMA optimize")
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        with self._read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # -- plumbing

    def mark_interactive_thread(self) -> None:
        """Calls from the current thread (the GUI's) wait at most `INTERACTIVE_TIMEOUT` for the database.

        A database locked by another program, or a long call of a worker thread, then raises `StorageBusy`
        at once instead of freezing the window for up to `BUSY_TIMEOUT`.
        """
        self._interactive = threading.get_ident()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        interactive = self._interactive is not None and threading.get_ident() == self._interactive
        if not self._lock.acquire(timeout=INTERACTIVE_TIMEOUT if interactive else -1):
            raise StorageBusy(f"the attempts database {self.path} is busy; try again in a moment")
        try:
            if self._conn is None:
                raise StorageError("the attempts database is closed")
            try:
                if interactive != self._short_timeout:
                    timeout = INTERACTIVE_TIMEOUT if interactive else BUSY_TIMEOUT
                    self._conn.execute(f"PRAGMA busy_timeout = {round(timeout * 1000)}")
                    self._short_timeout = interactive
                yield self._conn
            except sqlite3.Error as exc:
                raise storage_error(self.path, exc) from exc
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._read() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # Also when COMMIT itself failed (disk full): never leave a transaction open for the next call.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise

    def _relative(self, path: Path) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def _inside(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root.resolve())

    def _absolute(self, stored: str | None) -> Path | None:
        if not stored:
            return None
        path = Path(stored)
        return path if path.is_absolute() else self.root / path

    # -- sessions

    def start_session(self, deck_id: str, deck_title: str, mode: str = "spoken", order: str = "in-order") -> Session:
        """Begin a sitting; attempts are added to it until `end_session`."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (deck_id, deck_title, mode, practice_order, started_at) VALUES (?, ?, ?, ?, ?)",
                (deck_id, deck_title, mode, order, _to_db_time(now())),
            )
            session_id = int(cursor.lastrowid or 0)
        return self.session(session_id)

    def end_session(self, session_id: int) -> Session:
        """Mark the sitting finished (idempotent: the first end time stays)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE sessions SET ended_at = COALESCE(ended_at, ?) WHERE id = ?", (_to_db_time(now()), session_id)
            )
        return self.session(session_id)

    def session(self, session_id: int) -> Session:
        with self._read() as conn:
            row = conn.execute(_SESSION_QUERY + " WHERE s.id = ? GROUP BY s.id", (session_id,)).fetchone()
        if row is None:
            raise NotFound(f"no practice session {session_id}")
        return _session(row)

    def sessions(
        self,
        deck_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        *,
        ids: Iterable[int] | None = None,
    ) -> list[Session]:
        """Sessions started in [since, until) (and among `ids` when given), newest first."""
        where, params = _filters(("s.deck_id", deck_id), since=since, until=until, column="s.started_at")
        if ids is not None:
            chosen = sorted({int(i) for i in ids})
            if not chosen:
                return []
            where += (" AND " if where else " WHERE ") + f"s.id IN ({', '.join('?' * len(chosen))})"
            params.extend(chosen)
        sql = _SESSION_QUERY + where + " GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as conn:
            return [_session(row) for row in conn.execute(sql, params)]

    def deck_titles(self) -> dict[str, str]:
        """deck id -> the title it had in its latest session."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT deck_id, deck_title FROM sessions s WHERE id = "
                "(SELECT MAX(id) FROM sessions WHERE deck_id = s.deck_id) ORDER BY deck_title"
            ).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def delete_session(self, session_id: int) -> None:
        """Delete a session with all its attempts and their audio."""
        for attempt in self.attempts(session_id=session_id):
            self.delete_attempt(attempt.id)
        with self._write() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    # -- attempts: recording and scoring

    def new_audio_path(self, session: Session | int, card: Card | str) -> Path:
        """A fresh file for the next recording of this card in this session (its folder is created)."""
        session_id = session.id if isinstance(session, Session) else int(session)
        card_id = card.id if isinstance(card, Card) else str(card)
        folder = self.audio_dir / datetime.now().astimezone().strftime("%Y-%m-%d")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):  # a read-only folder says so now, not once recording starts
                pass
        except OSError as exc:  # disk full, read-only data folder
            raise storage_error(self.path, exc) from exc
        stem = f"{session_id}-{_safe_name(card_id)}"
        n = 1
        with self._read() as conn:
            while True:
                path = folder / f"{stem}-{n}{AUDIO_SUFFIX}"
                used = conn.execute(
                    "SELECT 1 FROM attempts WHERE audio_path = ? LIMIT 1", (self._relative(path),)
                ).fetchone()
                if not path.exists() and used is None and path not in self._handed_out:
                    self._handed_out.add(path)  # two recordings started at once never share a file
                    return path
                n += 1

    def add_recorded_attempt(
        self,
        session: Session | int,
        deck: Deck | str,
        card: Card,
        audio_path: Path | str,
        started_at: datetime,
        duration: float | None,
    ) -> Attempt:
        """Register an answer whose audio is on disk, before transcription (status "recorded").

        Registered with no `duration`, the recording is still going on: `is_recording` says so (in this
        process) until `set_duration` gives its final length."""
        attempt = self._insert(session, deck, card, started_at, duration, Status.RECORDED, Path(audio_path), None)
        if duration is None:
            with self._lock:
                self._recording.add(attempt.id)
        return attempt

    def set_duration(self, attempt_id: int, duration: float | None) -> Attempt:
        """The recording's final length, once the recorder has closed its file (registered at its start)."""
        with self._lock:
            self._recording.discard(attempt_id)
        return self._update(attempt_id, duration=duration)

    def is_recording(self, attempt_id: int) -> bool:
        """Whether this process is still recording the attempt's audio (registered, file not closed yet): the
        review must not play, repair, transcribe or delete a file that is still being written. Kept in memory:
        after a crash nothing is being recorded any more."""
        with self._lock:
            return attempt_id in self._recording

    def add_self_graded_attempt(
        self,
        session: Session | int,
        deck: Deck | str,
        card: Card,
        grade: int,
        duration: float | None,
        started_at: datetime | None = None,
    ) -> Attempt:
        """A flashcard-mode answer: no audio, graded 1-4 by the user (again, hard, good, easy)."""
        if grade not in SELF_GRADES:
            raise ValueError(f"self-grade must be 1-4 ({', '.join(SELF_GRADES.values())}), not {grade!r}")
        attempt = self._insert(session, deck, card, started_at or now(), duration, Status.SELF_GRADED, None, grade)
        return self._schedule(attempt)

    def _insert(
        self,
        session: Session | int,
        deck: Deck | str,
        card: Card,
        started_at: datetime,
        duration: float | None,
        status: Status,
        audio_path: Path | None,
        grade: int | None,
    ) -> Attempt:
        session_id = session.id if isinstance(session, Session) else int(session)
        deck_id = deck.id if isinstance(deck, Deck) else str(deck)
        stamp = _to_db_time(now())
        with self._write() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO attempts (session_id, deck_id, card_id, question, answer, key_points, tags, "
                    "started_at, duration, audio_path, status, score, self_grade, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        session_id, deck_id, card.id, card.question, card.answer,
                        _dump_points(card.key_points), json.dumps(list(card.tags)),
                        _to_db_time(started_at), duration,
                        self._relative(audio_path) if audio_path is not None else None,
                        str(status), SELF_GRADE_SCORES[grade] if grade is not None else None, grade, stamp, stamp,
                    ),
                )  # fmt: skip
            except sqlite3.IntegrityError as exc:
                raise NotFound(f"no practice session {session_id}") from exc
            attempt_id = int(cursor.lastrowid or 0)
        return self.attempt(attempt_id)

    def set_mock_details(
        self, attempt_id: int, *, time_limit: float | None = None, follow_up: str | None = None
    ) -> Attempt:
        """Mock interviews: the seconds the user had for this answer and, for a follow-up answer, the follow-up
        question asked (the attempt is then of the same card, in the same session, as the answer it follows)."""
        if time_limit is not None and not time_limit > 0:
            raise ValueError(f"time_limit must be a positive number of seconds, not {time_limit!r}")
        if follow_up is not None and not follow_up.strip():
            raise ValueError("follow_up must be the question asked, not an empty text")
        return self._update(
            attempt_id, time_limit=time_limit, follow_up=None if follow_up is None else follow_up.strip()
        )

    def question_stats(self, mode: str = "mock") -> dict[int, tuple[int, float | None]]:
        """Sessions of this mode -> (answers that are not follow-ups, their mean score): one query for a list of
        past mock interviews (a session's `mean_score` counts follow-up answers too)."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT a.session_id, COUNT(a.id), AVG(a.score) FROM attempts a JOIN sessions s "
                "ON s.id = a.session_id WHERE s.mode = ? AND a.follow_up IS NULL GROUP BY a.session_id",
                (mode,),
            ).fetchall()
        return {int(r[0]): (int(r[1]), None if r[2] is None else float(r[2])) for r in rows}

    def mark_transcribing(self, attempt_id: int) -> Attempt:
        """The attempt's audio is being transcribed now (the review shows it as busy)."""
        return self._update(attempt_id, status=str(Status.TRANSCRIBING), error=None)

    def recover_interrupted(self, repair: Callable[[Path], float] | None = None) -> list[int]:
        """Attempts left unfinished by an app that was killed or crashed; call once when the app starts.

        Left "transcribing": marked failed, with the reason, so the review offers "Transcribe again" (their
        audio is on disk). Left recording (no duration yet) and `repair` given (`trainer.audio.recover`: no
        recorder of this app writes them any more): the torn file is repaired and the attempt gets its duration,
        so it is complete and can be transcribed. A file that cannot be read keeps its attempt as it was.
        Returns the ids of the attempts changed.
        """
        with self._read() as conn:
            ids = [
                int(row[0])
                for row in conn.execute("SELECT id FROM attempts WHERE status = ?", (str(Status.TRANSCRIBING),))
            ]
            unfinished = conn.execute(
                "SELECT id, audio_path FROM attempts WHERE status = ? AND duration IS NULL AND audio_path IS NOT NULL",
                (str(Status.RECORDED),),
            ).fetchall()
        for attempt_id in ids:
            self.mark_failed(
                attempt_id, "Transcription was interrupted (the app closed or crashed); transcribe it again."
            )
        completed: list[int] = []
        for attempt_id, stored in unfinished:
            audio = self._absolute(stored)
            if repair is None or audio is None or not audio.is_file() or not self._inside(audio):
                continue
            try:
                duration = repair(audio)
            except Exception as exc:  # killed before the first block was on disk: say so, keep the file
                self._update(
                    int(attempt_id),
                    duration=0.0,
                    status=str(Status.FAILED),
                    error=f"The app closed before any audio of this answer was saved ({exc}).",
                )
            else:
                self.set_duration(int(attempt_id), duration)
            completed.append(int(attempt_id))
        return ids + completed

    def mark_failed(self, attempt_id: int, error: str) -> Attempt:
        """Transcription failed or was cancelled: the audio and any earlier result are kept."""
        return self._update(attempt_id, status=str(Status.FAILED), error=error.strip() or "failed")

    def save_result(
        self,
        attempt_id: int,
        transcript: Transcript,
        score_result: ScoreResult,
        stats: SpeechStats,
        card: Card | None = None,
    ) -> Attempt:
        """Keep a transcription and its score (status "scored"); earlier manual corrections are dropped,
        since they applied to another transcript. Pass the `card` that was scored to refresh the snapshot."""
        values: dict[str, Any] = {
            "status": str(Status.SCORED),
            "error": None,
            "transcript": transcript.text,
            "segments": json.dumps(transcript.to_dict()),
            "results": json.dumps(score_result.to_dict()),
            "corrections": "{}",
            "score": score_result.score,
            "wpm": stats.wpm,
            "fillers": json.dumps(dict(stats.fillers)),
            "engine": transcript.engine,
            "model": transcript.model,
        }
        if card is not None:
            values.update(
                question=card.question,
                answer=card.answer,
                key_points=_dump_points(card.key_points),
                tags=json.dumps(list(card.tags)),
            )
        return self._schedule(self._update(attempt_id, **values))

    def set_corrections(self, attempt_id: int, corrections: Mapping[int, bool]) -> Attempt:
        """Replace the manual hit/miss marks (key point index -> hit); the score is recomputed from them.

        Pass the complete set: an index left out goes back to what scoring decided."""
        with self._write() as conn:
            row = conn.execute("SELECT results FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if row is None:
                raise NotFound(f"no attempt {attempt_id}")
            if row[0] is None:
                raise StorageError(f"attempt {attempt_id} has not been scored yet: nothing to correct")
            from trainer.scoring import ScoreResult

            result = ScoreResult.from_dict(json.loads(row[0]))
            clean = {int(i): bool(hit) for i, hit in corrections.items()}
            corrected = result.with_corrections(clean)  # IndexError names the valid range
            conn.execute(
                "UPDATE attempts SET corrections = ?, score = ?, updated_at = ? WHERE id = ?",
                (json.dumps({str(i): hit for i, hit in sorted(clean.items())}), corrected.score,
                 _to_db_time(now()), attempt_id),
            )  # fmt: skip
        return self._schedule(self.attempt(attempt_id))

    def _schedule(self, attempt: Attempt) -> Attempt:
        """Every new or changed score becomes a spaced-repetition review (`trainer.srs.record_review`).

        Here, not in each caller, so the first transcription, the live path, "Transcribe again", corrections
        and flashcard grades all schedule the card. The attempt is already saved: a review that cannot be
        written is logged and caught up later (`srs.catch_up`), never turns a saved answer into an error."""
        try:
            from trainer import srs

            srs.record_review(self, attempt)
        except Exception:
            log.exception("attempt %s is saved, but its spaced-repetition review could not be", attempt.id)
        return attempt

    def _update(self, attempt_id: int, **values: Any) -> Attempt:
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE attempts SET {assignments}, updated_at = ? WHERE id = ?",
                (*values.values(), _to_db_time(now()), attempt_id),
            )
            if cursor.rowcount == 0:
                raise NotFound(f"no attempt {attempt_id}")
        return self.attempt(attempt_id)

    # -- attempts: reading and deleting

    def attempt(self, attempt_id: int) -> Attempt:
        with self._read() as conn:
            row = conn.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise NotFound(f"no attempt {attempt_id}")
        return _attempt(row, self._absolute)

    def attempts(
        self,
        deck_id: str | None = None,
        card_id: str | None = None,
        session_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        status: str | Sequence[str] | None = None,
        *,
        mode: str | None = None,
        search: str | None = None,
        newest_first: bool = True,
        limit: int | None = None,
    ) -> list[Attempt]:
        """Attempts matching every filter given; started in [since, until); in sessions of `mode`; whose
        question or transcript contains every word of `search` (full-text, word prefixes)."""
        where, params = _filters(
            ("deck_id", deck_id), ("card_id", card_id), ("session_id", session_id),
            since=since, until=until, column="started_at",
        )  # fmt: skip
        if status is not None:
            statuses = [str(status)] if isinstance(status, str) else [str(s) for s in status]
            where += (" AND " if where else " WHERE ") + f"status IN ({', '.join('?' * len(statuses))})"
            params.extend(statuses)
        where = _mode_and_search(where, params, mode, search)
        direction = "DESC" if newest_first else "ASC"
        sql = f"SELECT {_ATTEMPT_COLUMNS} FROM attempts{where} ORDER BY started_at {direction}, id {direction}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [_attempt(row, self._absolute) for row in rows]

    def attempt_summaries(
        self,
        deck_id: str | None = None,
        card_id: str | None = None,
        session_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        mode: str | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> list[AttemptSummary]:
        """Like `attempts` (newest first) but only the columns a list needs: for the review's table."""
        where, params = _filters(
            ("deck_id", deck_id), ("card_id", card_id), ("session_id", session_id),
            since=since, until=until, column="started_at",
        )  # fmt: skip
        where = _mode_and_search(where, params, mode, search)
        sql = (
            "SELECT id, session_id, deck_id, card_id, question, started_at, duration, status, error, score, wpm, "
            f"self_grade, audio_path IS NOT NULL FROM attempts{where} ORDER BY started_at DESC, id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            AttemptSummary(
                int(r[0]),
                int(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4]),
                _from_db_time(r[5]),
                None if r[6] is None else float(r[6]),
                Status(r[7]),
                r[8],
                None if r[9] is None else float(r[9]),
                None if r[10] is None else float(r[10]),
                None if r[11] is None else int(r[11]),
                bool(r[12]),
            )
            for r in rows
        ]

    def card_ids(self, deck_id: str) -> list[str]:
        """Cards of a deck with at least one attempt (including cards since removed from the deck)."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT card_id FROM attempts WHERE deck_id = ? ORDER BY card_id", (deck_id,)
            ).fetchall()
        return [str(r[0]) for r in rows]

    def delete_attempt(self, attempt_id: int) -> None:
        """Delete the attempt and its audio file (an already missing file is fine).

        Only files inside the data directory are deleted: an attempt registered for a file of the user's own
        (elsewhere on disk) leaves that file alone."""
        with self._write() as conn:
            row = conn.execute("SELECT audio_path FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if row is None:
                raise NotFound(f"no attempt {attempt_id}")
            conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            self._recording.discard(attempt_id)
        audio = self._absolute(row[0])
        if audio is not None and self._inside(audio):
            try:
                audio.unlink(missing_ok=True)
            except OSError as exc:
                raise StorageError(f"attempt {attempt_id} deleted, but its audio {audio} could not be: {exc}") from exc
            with contextlib.suppress(OSError):  # only succeeds when the day's folder is now empty
                audio.parent.rmdir()

    def recent_scores(self, deck_id: str, last_n: int = 3) -> dict[str, float]:
        """card id -> mean score of its last `last_n` scored or self-graded attempts (cards never scored are absent).

        Follow-up answers of mock interviews are left out: they answer one point, not the card."""
        with self._read() as conn:
            rows = conn.execute(
                """
                SELECT card_id, AVG(score) FROM (
                    SELECT card_id, score,
                           ROW_NUMBER() OVER (PARTITION BY card_id ORDER BY started_at DESC, id DESC) AS n
                    FROM attempts WHERE deck_id = ? AND score IS NOT NULL AND follow_up IS NULL
                ) WHERE n <= ? GROUP BY card_id
                """,
                (deck_id, max(1, int(last_n))),
            ).fetchall()
        return {str(card): float(score) for card, score in rows}

    def progress_rows(self, deck_id: str | None = None, mode: str | None = None) -> list[ProgressRow]:
        """The columns progress charts need, for every attempt (oldest first): thousands in a fraction of the
        time full `Attempt`s take."""
        where, params = _filters(("a.deck_id", deck_id), ("s.mode", mode), since=None, until=None, column="")
        sql = (
            "SELECT a.id, s.mode, a.deck_id, a.card_id, a.question, a.started_at, a.duration, a.status, a.score, "
            "a.wpm, a.fillers, a.self_grade, a.results, a.corrections "
            f"FROM attempts a JOIN sessions s ON s.id = a.session_id{where} ORDER BY a.started_at, a.id"
        )
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            ProgressRow(
                int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), datetime.fromisoformat(r[5]),
                None if r[6] is None else float(r[6]), Status(r[7]), None if r[8] is None else float(r[8]),
                None if r[9] is None else float(r[9]), r[10] or "{}", None if r[11] is None else int(r[11]),
                r[12], r[13] or "{}",
            )
            for r in rows
        ]  # fmt: skip

    def practice_times(self, deck_id: str | None = None) -> list[datetime]:
        """When each attempt started (any mode, any status), oldest first: the practice days and streak."""
        where, params = _filters(("deck_id", deck_id), since=None, until=None, column="started_at")
        with self._read() as conn:
            rows = conn.execute(f"SELECT started_at FROM attempts{where} ORDER BY started_at", params).fetchall()
        # fromisoformat (C) reads the stored fixed-width UTC text (with its Z) ten times faster than strptime.
        return [datetime.fromisoformat(r[0]) for r in rows]

    # -- spaced repetition (the scheduling itself is `trainer.srs`; these keep its reviews and card states)

    def srs_reviews(self, deck_id: str, card_id: str | None = None) -> list[SrsReview]:
        """A deck's (or one card's) reviews, oldest first."""
        where, params = _filters(("deck_id", deck_id), ("card_id", card_id), since=None, until=None, column="")
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, deck_id, card_id, attempt_id, rating, overridden, reviewed_at FROM srs_reviews"
                f"{where} ORDER BY reviewed_at, id",
                params,
            ).fetchall()
        return [_review(r) for r in rows]

    def put_srs_review(
        self,
        deck_id: str,
        card_id: str,
        attempt_id: int | None,
        rating: int,
        reviewed_at: datetime,
        *,
        overridden: bool,
        schedule: Callable[[list[SrsReview]], tuple[str, datetime]],
    ) -> bool:
        """Add or replace the review of `attempt_id` and store the card state `schedule(all the card's reviews)`
        returns (state JSON, due), in one transaction. An automatic rating never replaces one the user set:
        then nothing changes and the result is False."""
        with self._write() as conn:
            if attempt_id is not None:
                row = conn.execute(
                    "SELECT id, overridden FROM srs_reviews WHERE attempt_id = ?", (attempt_id,)
                ).fetchone()
            else:
                row = None
            if row is not None and row[1] and not overridden:
                return False
            if row is None:
                conn.execute(
                    "INSERT INTO srs_reviews (deck_id, card_id, attempt_id, rating, overridden, reviewed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (deck_id, card_id, attempt_id, int(rating), int(overridden), _to_db_time(reviewed_at)),
                )
            else:
                conn.execute(
                    "UPDATE srs_reviews SET rating = ?, overridden = ? WHERE id = ?",
                    (int(rating), int(overridden), row[0]),
                )
            rows = conn.execute(
                "SELECT id, deck_id, card_id, attempt_id, rating, overridden, reviewed_at FROM srs_reviews "
                "WHERE deck_id = ? AND card_id = ? ORDER BY reviewed_at, id",
                (deck_id, card_id),
            ).fetchall()
            state, due = schedule([_review(r) for r in rows])
            conn.execute(
                "INSERT INTO srs_cards (deck_id, card_id, state, due) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (deck_id, card_id) DO UPDATE SET state = excluded.state, due = excluded.due",
                (deck_id, card_id, state, _to_db_time(due)),
            )
        return True

    def srs_card_states(self, deck_id: str) -> dict[str, str]:
        """card id -> its FSRS card state (JSON), for the deck's cards reviewed at least once."""
        with self._read() as conn:
            rows = conn.execute("SELECT card_id, state FROM srs_cards WHERE deck_id = ?", (deck_id,)).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def unreviewed_attempts(self) -> list[int]:
        """Scored or self-graded attempts with no review yet (made before spaced repetition, or whose review
        could not be written), oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT a.id FROM attempts a LEFT JOIN srs_reviews r ON r.attempt_id = a.id "
                "WHERE r.id IS NULL AND a.follow_up IS NULL AND a.status IN (?, ?) ORDER BY a.started_at, a.id",
                (str(Status.SCORED), str(Status.SELF_GRADED)),
            ).fetchall()
        return [int(r[0]) for r in rows]


# --- row conversion -------------------------------------------------------------------------------------


def _safe_name(text: str) -> str:
    """Card ids are slugs already; this keeps a hand-made id from escaping the audio folder."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "card"


def _filters(
    *equal: tuple[str, object], since: datetime | None, until: datetime | None, column: str
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for name, value in equal:
        if value is not None:
            clauses.append(f"{name} = ?")
            params.append(value)
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(_to_db_time(since))
    if until is not None:
        clauses.append(f"{column} < ?")
        params.append(_to_db_time(until))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def fts_query(text: str) -> str | None:
    """The words a user typed as an FTS5 query: every word must appear (as a word or a word's start), with
    FTS5's own syntax (quotes, AND, *, ...) taken literally; None when there is no word in it."""
    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"*' for w in words) if words else None


def _mode_and_search(where: str, params: list[Any], mode: str | None, search: str | None) -> str:
    if mode is not None:
        where += (" AND " if where else " WHERE ") + "session_id IN (SELECT id FROM sessions WHERE mode = ?)"
        params.append(mode)
    query = fts_query(search) if search else None
    if query is not None:
        where += (" AND " if where else " WHERE ") + "id IN (SELECT rowid FROM attempts_fts WHERE attempts_fts MATCH ?)"
        params.append(query)
    return where


def _review(row: Sequence[Any]) -> SrsReview:
    return SrsReview(
        int(row[0]), str(row[1]), str(row[2]), None if row[3] is None else int(row[3]), int(row[4]),
        bool(row[5]), _from_db_time(row[6]),
    )  # fmt: skip


def _dump_points(points: Sequence[KeyPoint]) -> str:
    return json.dumps(
        [{"text": p.text, "aliases": list(p.aliases), "weight": p.weight, "follow_up": p.follow_up} for p in points]
    )


def _load_points(text: str) -> tuple[KeyPoint, ...]:
    return tuple(
        KeyPoint(
            str(p["text"]),
            tuple(str(a) for a in p.get("aliases", ())),
            float(p.get("weight", 1.0)),
            str(p["follow_up"]) if p.get("follow_up") else None,
        )
        for p in json.loads(text)
    )


def _session(row: Sequence[Any]) -> Session:
    return Session(
        id=int(row[0]),
        deck_id=str(row[1]),
        deck_title=str(row[2]),
        mode=str(row[3]),
        order=str(row[4]),
        started_at=_from_db_time(row[5]),
        ended_at=_opt_time(row[6]),
        attempt_count=int(row[7]),
        mean_score=None if row[8] is None else float(row[8]),
    )


def _attempt(row: Sequence[Any], absolute: Callable[[str | None], Path | None]) -> Attempt:
    (attempt_id, session_id, deck_id, card_id, question, answer, key_points, tags, started_at, duration,
     audio_path, status, error, transcript, segments, results, corrections, score, wpm, fillers, engine,
     model, self_grade, created_at, updated_at, follow_up, time_limit) = row  # fmt: skip
    return Attempt(
        id=int(attempt_id),
        session_id=int(session_id),
        deck_id=str(deck_id),
        card_id=str(card_id),
        question=str(question),
        answer=str(answer),
        key_points=_load_points(key_points),
        started_at=_from_db_time(started_at),
        duration=None if duration is None else float(duration),
        audio_path=absolute(audio_path),
        status=Status(status),
        error=error,
        transcript=transcript,
        segments=json.loads(segments) if segments else None,
        results=json.loads(results) if results else None,
        corrections={int(i): bool(hit) for i, hit in json.loads(corrections or "{}").items()},
        score=None if score is None else float(score),
        wpm=None if wpm is None else float(wpm),
        fillers={str(k): int(v) for k, v in json.loads(fillers or "{}").items()},
        engine=engine,
        model=model,
        self_grade=None if self_grade is None else int(self_grade),
        created_at=_from_db_time(created_at),
        updated_at=_from_db_time(updated_at),
        tags=tuple(json.loads(tags or "[]")),
        follow_up=follow_up,
        time_limit=None if time_limit is None else float(time_limit),
    )
