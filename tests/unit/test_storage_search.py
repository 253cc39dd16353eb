"""Full-text search over transcripts (FTS5) and the filter by practice mode, on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.unit.test_storage import CARD, DECK, OTHER, record, scored, transcript
from trainer import storage
from trainer.scoring import score_answer
from trainer.speechstats import speech_stats
from trainer.storage import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / storage.DB_NAME)
    yield s
    s.close()


def test_search_finds_a_word_said_in_a_transcript(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    validation = scored(store, session, "The request validation failed, so it is a 422.")
    other = scored(store, session, "Path parameters identify a resource.", card=OTHER)
    assert [a.id for a in store.attempt_summaries(search="validation")] == [validation.id]
    assert [a.id for a in store.attempt_summaries(search="identif")] == [other.id]  # a word's start
    assert [a.id for a in store.attempts(search="resource PATH")] == [other.id]  # every word, any case
    assert store.attempt_summaries(search="validation resource") == []
    # The question is searchable too, and FTS syntax typed by a user is taken literally, not an error.
    assert {a.id for a in store.attempt_summaries(search="422")} == {validation.id}
    assert store.attempt_summaries(search='"unbalanced AND (') == []
    assert len(store.attempt_summaries(search="  ")) == 2


def test_search_follows_retranscription_and_deletion(store: Store) -> None:
    session = store.start_session(DECK.id, DECK.title)
    attempt = scored(store, session, "dependency injection")
    store.mark_transcribing(attempt.id)
    text = "middleware wraps every request"
    store.save_result(attempt.id, transcript(text), score_answer(CARD, text), speech_stats(text, 4.0))
    assert store.attempt_summaries(search="dependency") == []
    assert [a.id for a in store.attempt_summaries(search="middleware")] == [attempt.id]
    store.delete_attempt(attempt.id)
    assert store.attempt_summaries(search="middleware") == []


def test_filter_by_mode(store: Store) -> None:
    spoken = store.start_session(DECK.id, DECK.title, mode="spoken")
    cards = store.start_session(DECK.id, DECK.title, mode="flashcard")
    a = record(store, spoken)
    b = store.add_self_graded_attempt(cards, DECK, CARD, 3, 2.0)
    assert [x.id for x in store.attempt_summaries(mode="spoken")] == [a.id]
    assert [x.id for x in store.attempts(mode="flashcard")] == [b.id]
    assert store.attempt_summaries(mode="mock") == []


def test_an_older_database_gets_its_transcripts_indexed(tmp_path: Path) -> None:
    path = tmp_path / storage.DB_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    storage.migrate(conn, target=storage.MIGRATIONS.index(storage._V3_FTS))  # a database from before search
    stamp = "2026-01-05T10:00:00.000000Z"
    conn.execute(
        "INSERT INTO sessions (id, deck_id, deck_title, started_at) VALUES (1, 'fastapi', 'FastAPI', ?)", (stamp,)
    )
    conn.execute(
        "INSERT INTO attempts (session_id, deck_id, card_id, question, answer, key_points, started_at, status, "
        "transcript, created_at, updated_at) VALUES (1, 'fastapi', 'c', 'Why?', 'Because.', '[]', ?, 'scored', "
        "'an answer about Pydantic models', ?, ?)",
        (stamp, stamp, stamp),
    )
    conn.close()
    with Store(path) as reopened:
        assert reopened.schema_version == storage.SCHEMA_VERSION
        assert [a.card_id for a in reopened.attempt_summaries(search="pydantic")] == ["c"]
