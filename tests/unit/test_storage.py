"""The attempts store on real SQLite files: schema and migrations, the life of an attempt, filters, deletion."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trainer import storage
from trainer.asr.base import Segment, Transcript, Word
from trainer.deck import Card, Deck, KeyPoint
from trainer.scoring import score_answer
from trainer.settings import Key, Settings
from trainer.speechstats import speech_stats
from trainer.storage import Attempt, NotFound, Status, StorageError, Store

CARD = Card(
    id="status-422",
    question="Why does FastAPI answer 422 and not 400?",
    answer="Request validation failed: FastAPI returns 422 Unprocessable Entity with the Pydantic errors.",
    key_points=(
        KeyPoint("422 Unprocessable Entity"),
        KeyPoint("request validation failed", weight=2.0),
        KeyPoint("Pydantic model", aliases=("pedantic model",)),
        KeyPoint("custom exception handler", follow_up="How would you answer 400 instead?"),
    ),
    tags=("tricky", "http"),
)
OTHER = Card("path-vs-query", "Path or query parameter?", "Path identifies, query filters.",
             (KeyPoint("path identifies a resource"), KeyPoint("query filters")), ("basics",))  # fmt: skip
DECK = Deck(id="fastapi", title="FastAPI", cards=(CARD, OTHER))
ANSWER = "It's a 422 unprocessable entity because the request validation failed on the pedantic model."


def transcript(text: str = ANSWER, duration: float = 6.0) -> Transcript:
    words = tuple(Word(i * 0.4, i * 0.4 + 0.3, w, 0.9) for i, w in enumerate(text.split()))
    return Transcript(text, (Segment(0.0, duration, text, words),), duration, "faster-whisper", "tiny.en", "en")


def record(store: Store, session: storage.Session, card: Card = CARD, duration: float = 8.0) -> Attempt:
    path = store.new_audio_path(session, card)
    path.write_bytes(b"fLaC fake audio")
    return store.add_recorded_attempt(session, DECK, card, path, storage.now(), duration)


def scored(store: Store, session: storage.Session, text: str = ANSWER, card: Card = CARD) -> Attempt:
    attempt = record(store, session, card)
    store.mark_transcribing(attempt.id)
    return store.save_result(attempt.id, transcript(text), score_answer(card, text), speech_stats(text, 8.0))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "data" / storage.DB_NAME)
    yield s
    s.close()


def test_database_is_wal_with_foreign_keys_and_latest_schema(store: Store) -> None:
    assert store.journal_mode == "wal"
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION
    conn.close()
    assert store.schema_version == storage.SCHEMA_VERSION
    with pytest.raises(NotFound):  # foreign key: an attempt needs a real session
        store.add_recorded_attempt(999, DECK, CARD, store.root / "x.flac", storage.now(), 1.0)


def test_v1_database_is_migrated_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / storage.DB_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    storage.migrate(conn, target=1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    stamp = "2026-01-05T09:00:00.000000Z"
    conn.execute("INSERT INTO sessions (deck_id, deck_title, started_at) VALUES ('fastapi', 'FastAPI', ?)", (stamp,))
    conn.execute(
        "INSERT INTO attempts (session_id, deck_id, card_id, question, answer, key_points, started_at, duration, "
        "audio_path, status, transcript, score, wpm, fillers, created_at, updated_at) "
        "VALUES (1, 'fastapi', 'status-422', 'Q?', 'A.', '[{\"text\": \"422\"}]', ?, 12.5, "
        "'audio/2026-01-05/1-status-422-1.flac', 'scored', 'it is 422', 100.0, 120.0, '{\"um\": 2}', ?, ?)",
        (stamp, stamp, stamp),
    )
    conn.close()

    with Store(path) as store:
        assert store.schema_version == storage.SCHEMA_VERSION
        (session,) = store.sessions()
        assert (session.deck_id, session.mode, session.order, session.attempt_count) == (
            "fastapi",
            "spoken",
            "in-order",
            1,
        )
        (attempt,) = store.attempts()
        assert attempt.transcript == "it is 422"
        assert attempt.score == 100.0 and attempt.fillers == {"um": 2} and attempt.self_grade is None
        assert attempt.key_points == (KeyPoint("422"),)
        assert attempt.audio_path == tmp_path / "audio/2026-01-05/1-status-422-1.flac"
        assert attempt.started_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        # The migrated database takes new-style rows too.
        store.add_self_graded_attempt(session.id, DECK, CARD, 3, 4.0)
        assert store.recent_scores("fastapi") == {"status-422": pytest.approx((100.0 + 75.0) / 2)}


def test_database_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / storage.DB_NAME
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {storage.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this version"):
        Store(path)


def test_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / storage.DB_NAME
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StorageError, match="not a usable attempts database"):
        Store(path)


def test_attempt_is_registered_before_transcription_then_scored(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title, "spoken", "shuffled")
    assert (session.mode, session.order, session.ended_at) == ("spoken", "shuffled", None)
    attempt = record(store, session)
    assert attempt.status is Status.RECORDED and attempt.has_audio
    assert attempt.audio_path is not None
    assert attempt.audio_path.relative_to(store.audio_dir).parts[1] == f"{session.id}-status-422-1.flac"
    assert attempt.question == CARD.question and attempt.key_points == CARD.key_points
    assert attempt.card() == CARD
    assert attempt.transcript is None and attempt.score_result() is None

    assert store.mark_transcribing(attempt.id).status is Status.TRANSCRIBING
    result = score_answer(CARD, ANSWER)
    saved = store.save_result(attempt.id, transcript(), result, speech_stats(ANSWER, 8.0))
    assert saved.status is Status.SCORED
    assert saved.transcript == ANSWER
    assert saved.score == pytest.approx(result.score)
    assert saved.score_result() == result
    assert saved.transcript_obj() == transcript()
    assert (saved.engine, saved.model) == ("faster-whisper", "tiny.en")
    assert saved.wpm == pytest.approx(len(ANSWER.split()) * 60 / 8.0)
    assert saved.duration == 8.0
    assert saved.updated_at >= saved.created_at

    ended = store.end_session(session.id)
    assert ended.ended_at is not None and ended.attempt_count == 1
    assert ended.mean_score == pytest.approx(result.score)


def test_audio_paths_are_numbered_and_never_reused(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    first = record(store, session)
    second = record(store, session)
    assert first.audio_path is not None and second.audio_path is not None
    assert first.audio_path.name.endswith("-1.flac") and second.audio_path.name.endswith("-2.flac")
    # The file of attempt 1 vanished, but its row still names it: the name is not given out again.
    first.audio_path.unlink()
    assert store.new_audio_path(session, CARD).name.endswith("-3.flac")
    assert store.new_audio_path(session.id, "../../etc").parent == second.audio_path.parent


def test_failed_attempt_keeps_its_audio_and_can_be_scored_later(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    attempt = record(store, session)
    failed = store.mark_failed(attempt.id, "model tiny.en not found")
    assert failed.status is Status.FAILED and failed.error == "model tiny.en not found" and failed.has_audio
    assert store.attempts(status="failed") == [failed]
    saved = store.save_result(attempt.id, transcript(), score_answer(CARD, ANSWER), speech_stats(ANSWER, 8.0))
    assert saved.status is Status.SCORED and saved.error is None


def test_corrections_change_the_score_and_can_be_undone(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    attempt = scored(store, session)
    result = attempt.score_result()
    assert result is not None
    assert [p.hit for p in result.points] == [True, True, True, False]
    original = attempt.score
    assert original == pytest.approx(100 * 4 / 5)

    corrected = store.set_corrections(attempt.id, {3: True})
    assert corrected.score == 100.0
    assert corrected.corrections == {3: True}
    points = corrected.score_result()
    assert points is not None and points.points[3].hit and points.points[3].corrected
    # The automatic result is kept: corrections replace each other rather than pile up.
    again = store.set_corrections(attempt.id, {1: False})
    assert again.score == pytest.approx(100 * 2 / 5)
    assert again.corrections == {1: False}
    assert store.set_corrections(attempt.id, {}).score == pytest.approx(original)
    with pytest.raises(IndexError):
        store.set_corrections(attempt.id, {9: True})
    # A new transcription drops corrections made for the old one.
    store.set_corrections(attempt.id, {3: True})
    fresh = store.save_result(attempt.id, transcript(), score_answer(CARD, ANSWER), speech_stats(ANSWER, 8.0))
    assert fresh.corrections == {} and fresh.score == pytest.approx(original)


def test_corrections_need_a_score(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    attempt = record(store, session)
    with pytest.raises(StorageError, match="not been scored"):
        store.set_corrections(attempt.id, {0: True})


def test_self_graded_attempts(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title, mode="flashcard")
    attempt = store.add_self_graded_attempt(session, DECK, CARD, 2, 11.0)
    assert attempt.status is Status.SELF_GRADED and attempt.self_grade == 2
    assert attempt.score == storage.SELF_GRADE_SCORES[2]
    assert attempt.audio_path is None and not attempt.has_audio
    with pytest.raises(ValueError, match="1-4"):
        store.add_self_graded_attempt(session, DECK, CARD, 5, 1.0)
    with pytest.raises(ValueError, match="mode"):
        store.start_session(DECK.id, DECK.title, mode="written")


def test_delete_attempt_removes_row_and_audio(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    keep = record(store, session)
    gone = record(store, session)
    assert gone.audio_path is not None and keep.audio_path is not None
    store.delete_attempt(gone.id)
    assert not gone.audio_path.exists()
    assert keep.audio_path.exists()
    assert [a.id for a in store.attempts()] == [keep.id]
    with pytest.raises(NotFound, match=f"no attempt {gone.id}"):
        store.attempt(gone.id)
    with pytest.raises(NotFound):
        store.delete_attempt(gone.id)
    # The last file of the day goes with its empty folder.
    store.delete_attempt(keep.id)
    assert not keep.audio_path.parent.exists()


def test_delete_attempt_whose_audio_is_already_gone(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    attempt = record(store, session)
    assert attempt.audio_path is not None
    attempt.audio_path.unlink()
    store.delete_attempt(attempt.id)
    assert store.attempts() == []


def test_delete_leaves_files_outside_the_data_directory(store: Store, tmp_path: Path) -> None:
    mine = tmp_path / "elsewhere" / "my-answer.flac"
    mine.parent.mkdir()
    mine.write_bytes(b"audio")
    session = store.start_session(DECK.id, DECK.title)
    attempt = store.add_recorded_attempt(session, DECK, CARD, mine, storage.now(), 3.0)
    assert attempt.audio_path == mine
    store.delete_attempt(attempt.id)
    assert mine.exists() and store.attempts() == []


def test_migration_is_safe_when_run_twice(tmp_path: Path) -> None:
    """Two processes opening a new database at once: the second finds the work done, not half of it."""
    path = tmp_path / storage.DB_NAME
    first = sqlite3.connect(path, isolation_level=None)
    second = sqlite3.connect(path, isolation_level=None)
    assert storage.migrate(first) == 0
    assert storage.migrate(second) == storage.SCHEMA_VERSION
    first.close()
    second.close()


def test_filters(store: Store) -> None:
    early = store.start_session(DECK.id, DECK.title)
    a1 = scored(store, early)
    a2 = scored(store, early, "path identifies a resource", OTHER)
    other_deck = store.start_session("sql", "SQL")
    a3 = store.add_self_graded_attempt(other_deck, "sql", Card("joins", "Joins?", "…", (), ("basics",)), 4, 3.0)
    a4 = record(store, early)

    assert [a.id for a in store.attempts()] == [a4.id, a3.id, a2.id, a1.id]  # newest first
    assert [a.id for a in store.attempts(newest_first=False)] == [a1.id, a2.id, a3.id, a4.id]
    assert {a.id for a in store.attempts(deck_id="fastapi")} == {a1.id, a2.id, a4.id}
    assert [a.id for a in store.attempts(deck_id="fastapi", card_id="path-vs-query")] == [a2.id]
    assert [a.id for a in store.attempts(session_id=other_deck.id)] == [a3.id]
    assert [a.id for a in store.attempts(status=("recorded", "self-graded"))] == [a4.id, a3.id]
    assert [a.id for a in store.attempts(limit=1)] == [a4.id]

    moment = a2.started_at
    assert {a.id for a in store.attempts(since=moment)} == {a2.id, a3.id, a4.id}
    assert {a.id for a in store.attempts(until=moment)} == {a1.id}
    tomorrow = datetime.now() + timedelta(days=1)  # naive: local time
    assert store.attempts(since=tomorrow) == []
    assert len(store.attempts(until=tomorrow)) == 4

    assert [s.id for s in store.sessions()] == [other_deck.id, early.id]
    assert [s.id for s in store.sessions(deck_id="sql")] == [other_deck.id]
    assert store.sessions(since=tomorrow) == []
    assert [s.id for s in store.sessions(ids=[early.id, 999])] == [early.id]
    assert store.sessions(ids=[]) == []
    assert store.deck_titles() == {"fastapi": "FastAPI", "sql": "SQL"}


def test_recent_scores_average_the_last_attempts_per_card(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    for grade in (1, 4, 4, 4):  # oldest first; only the last three count
        store.add_self_graded_attempt(session, DECK, CARD, grade, 1.0)
    store.add_self_graded_attempt(session, DECK, OTHER, 2, 1.0)
    record(store, session, OTHER)  # not scored: does not count
    assert store.recent_scores(DECK.id) == {"status-422": 100.0, "path-vs-query": 40.0}
    assert store.recent_scores(DECK.id, last_n=4) == {"status-422": 75.0, "path-vs-query": 40.0}
    assert store.recent_scores("nothing") == {}


def test_snapshot_survives_deck_edits(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    attempt = record(store, session)
    edited = Card(CARD.id, "A reworded question?", CARD.answer, CARD.key_points[:2], CARD.tags)
    assert store.attempt(attempt.id).question == CARD.question
    # Scoring against the edited card refreshes the snapshot, so results and key points agree.
    saved = store.save_result(
        attempt.id, transcript(), score_answer(edited, ANSWER), speech_stats(ANSWER, 8.0), card=edited
    )
    assert saved.question == "A reworded question?" and len(saved.key_points) == 2


def test_audio_paths_are_relative_so_the_folder_can_move(tmp_path: Path) -> None:
    with Store(tmp_path / "old" / storage.DB_NAME) as store:
        session = store.start_session(DECK.id, DECK.title)
        attempt = record(store, session)
    assert attempt.audio_path is not None
    relative = attempt.audio_path.relative_to(tmp_path / "old")
    (tmp_path / "old").rename(tmp_path / "new")
    with Store(tmp_path / "new" / storage.DB_NAME) as moved:
        again = moved.attempt(attempt.id)
        assert again.audio_path == tmp_path / "new" / relative and again.has_audio


def test_store_is_shared_between_threads(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(20):
                scored(store, session)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(50):  # the GUI thread reads meanwhile
        store.attempts(deck_id=DECK.id, limit=10)
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.session(session.id).attempt_count == 80
    assert len({a.audio_path for a in store.attempts()}) == 80


def test_closed_store_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / storage.DB_NAME)
    store.close()
    store.close()
    with pytest.raises(StorageError, match="closed"):
        store.sessions()


def test_open_default_honours_env_then_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "env"))
    settings = Settings(tmp_path / "settings.json")
    settings.set(Key.DATA_DIR, str(tmp_path / "custom"))
    with Store.open_default(settings) as store:
        assert store.path == tmp_path / "env" / storage.DB_NAME
    monkeypatch.delenv("TRAINER_DATA_DIR")
    with Store.open_default(settings) as store:
        assert store.path == tmp_path / "custom" / storage.DB_NAME
        assert store.audio_dir == tmp_path / "custom" / "audio"


def test_delete_session_takes_its_attempts_and_audio(store: Store) -> None:
    doomed = store.start_session(DECK.id, DECK.title)
    kept = store.start_session(DECK.id, DECK.title)
    gone = [record(store, doomed), record(store, doomed)]
    stays = record(store, kept)
    store.delete_session(doomed.id)
    assert all(a.audio_path is not None and not a.audio_path.exists() for a in gone)
    assert [a.id for a in store.attempts()] == [stays.id]
    assert [s.id for s in store.sessions()] == [kept.id]
    with pytest.raises(NotFound):
        store.session(doomed.id)


def test_an_attempt_left_transcribing_by_a_crash_can_be_transcribed_again(tmp_path: Path) -> None:
    path = tmp_path / "attempts.sqlite3"
    first = Store(path)
    session = first.start_session("fastapi", "FastAPI")
    attempt = record(first, session)
    first.mark_transcribing(attempt.id)
    first.close()  # as if the app had been killed mid-transcription

    again = Store(path)
    assert again.attempt(attempt.id).status is Status.TRANSCRIBING
    assert again.recover_interrupted() == [attempt.id]
    recovered = again.attempt(attempt.id)
    assert recovered.status is Status.FAILED and recovered.status.can_transcribe
    assert recovered.error is not None and "interrupted" in recovered.error
    assert recovered.has_audio
    assert again.recover_interrupted() == []
    again.close()
