"""Mock interviews: the plan a user gets for their choices, when the interviewer follows up, and the report.

Real deck (cards/fastapi.toml), real SQLite store, the real scorer on typed answers."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mock_helpers import (
    FOLLOW_UP,
    FOLLOW_UP_ANSWER,
    NO_SHAPE,
    PAUSE,
    STRONG_START,
    WEAK,
    KeyPointWithFollowUp,
    answer,
    fastapi_deck,
    record_interview,
    with_follow_ups,
)
from trainer import mock, storage
from trainer.deck import Card, Deck, KeyPoint
from trainer.export import export_session, session_markdown
from trainer.mock import MockConfig, build_report, follow_up_for, plan_interview, report_markdown
from trainer.scoring import score_answer
from trainer.storage import Status, Store

MIX = {"basics": 1, "theory": 2, "tricky": 2}


@pytest.fixture
def deck() -> Deck:
    return fastapi_deck()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / storage.DB_NAME)
    yield s
    s.close()


# --- planning -------------------------------------------------------------------------------------------


def test_plan_keeps_the_level_mix_easiest_first_and_each_card_once(deck: Deck) -> None:
    plan = plan_interview([deck], MockConfig(("fastapi",), questions=5, levels=MIX), random.Random(7))
    assert Counter(q.level for q in plan) == Counter(MIX)
    assert [q.level for q in plan] == ["basics", "theory", "theory", "tricky", "tricky"]
    assert len({q.card.id for q in plan}) == 5
    assert all(q.time_limit == deck.time_limit_for(q.card) and q.deck is deck for q in plan)


def test_plan_is_repeatable_with_a_seed_and_varies_without(deck: Deck) -> None:
    config = MockConfig(("fastapi",), questions=5, levels=MIX)
    ids = [q.card.id for q in plan_interview([deck], config, random.Random(3))]
    assert [q.card.id for q in plan_interview([deck], config, random.Random(3))] == ids
    others = {tuple(q.card.id for q in plan_interview([deck], config, random.Random(seed))) for seed in range(8)}
    assert len(others) > 1, "eight seeds all gave the same interview"


def test_plan_by_minutes_fills_the_time_from_the_cards_time_limits(deck: Deck) -> None:
    plan = plan_interview([deck], MockConfig(("fastapi",), questions=None, minutes=5), random.Random(1))
    used = sum(q.time_limit for q in plan)
    assert used <= 300
    chosen = {q.card.id for q in plan}
    left = [deck.time_limit_for(c) for c in deck.cards if c.id not in chosen]
    assert all(used + limit > 300 for limit in left), "another question would still have fitted"
    # Both limits given: whichever ends the interview first.
    assert len(plan_interview([deck], MockConfig(("fastapi",), questions=2, minutes=30), random.Random(1))) == 2


def test_a_level_that_runs_out_is_made_up_by_the_others_in_the_mix(deck: Deck) -> None:
    tricky = sum(c.level == "tricky" for c in deck.cards)
    plan = plan_interview([deck], MockConfig(("fastapi",), questions=tricky + 3, levels={"tricky": 3, "theory": 1}))
    levels = Counter(q.level for q in plan)
    assert levels == {"tricky": tricky, "theory": 3}, "every tricky card, the rest from the other level in the mix"
    only = plan_interview([deck], MockConfig(("fastapi",), questions=50, levels={"tricky": 1, "basics": 0}))
    assert {q.level for q in only} == {"tricky"} and len(only) == tricky, "a level given 0 is never asked"


def test_plan_over_two_decks_draws_from_both(deck: Deck) -> None:
    other = Deck("django", "Django", (Card("orm", "What is the ORM?", "Models.", (KeyPoint("models"),), ("basics",)),))
    plan = plan_interview([deck, other], MockConfig(("fastapi", "django"), questions=None, minutes=120))
    assert {q.deck.id for q in plan} == {"fastapi", "django"}
    assert len(plan) == len(deck.cards) + 1, "two hours hold every card of both decks"
    assert [q.deck.id for q in plan_interview([deck, other], MockConfig(("django",)))] == ["django"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"decks": "fastapi"}, "at least one deck"),
        ({"decks": ()}, "at least one deck"),
        ({"decks": ("fastapi",), "questions": None}, "length"),
        ({"decks": ("fastapi",), "questions": 0}, "at least 1"),
        ({"decks": ("fastapi",), "questions": 2.5}, "at least 1"),
        ({"decks": ("fastapi",), "minutes": -2.0}, "positive"),
        ({"decks": ("fastapi",), "levels": {"expert": 1}}, "unknown level 'expert'"),
        ({"decks": ("fastapi",), "levels": {"basics": 0}}, "above 0"),
    ],
)
def test_bad_choices_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MockConfig(**kwargs)  # type: ignore[arg-type]


def test_unknown_deck_or_too_few_minutes_say_so(deck: Deck) -> None:
    with pytest.raises(ValueError, match="no deck 'flask'; decks are: fastapi"):
        plan_interview([deck], MockConfig(("flask",)))
    with pytest.raises(ValueError, match=r"no question fits in 0\.5 minutes: the shortest time limit is 60 s"):
        plan_interview([deck], MockConfig(("fastapi",), questions=None, minutes=0.5))
    basics_only = Deck("mini", "Mini", tuple(c for c in deck.cards if c.level == "basics"))
    with pytest.raises(ValueError, match="the chosen deck\\(s\\) have no cards at level tricky: mini"):
        plan_interview([basics_only], MockConfig(("mini",), levels={"tricky": 1}))


# --- follow-ups -----------------------------------------------------------------------------------------


def test_follow_up_when_the_most_important_point_was_missed(deck: Deck) -> None:
    card = with_follow_ups(deck.card("response-model"), {0: FOLLOW_UP})
    point = follow_up_for(card, score_answer(card, NO_SHAPE))
    assert point is card.key_points[0] and mock.follow_up_question(point) == FOLLOW_UP
    # Its main point made, other points missed: no follow-up.
    assert follow_up_for(card, score_answer(card, "It declares the response shape.")) is None
    # Marked made by hand in a correction: no follow-up either.
    assert follow_up_for(card, score_answer(card, NO_SHAPE).with_corrections({0: True})) is None


def test_the_most_important_point_is_the_heaviest_first_on_ties(deck: Deck) -> None:
    base = deck.card("response-model")
    heavy = dataclasses.replace(
        base,
        key_points=tuple(
            KeyPointWithFollowUp(p.text, p.aliases, 3.0 if i in (1, 2) else 1.0, f"Follow-up on {p.text}?")
            for i, p in enumerate(base.key_points)
        ),
    )
    # NO_SHAPE makes points 1 and 2 (JSON, OpenAPI docs): missing point 0 (weight 1) is no reason to follow up.
    assert follow_up_for(heavy, score_answer(heavy, NO_SHAPE)) is None
    missed_json = "It declares the response shape and it shows up in the OpenAPI docs."
    assert follow_up_for(heavy, score_answer(heavy, missed_json)) is heavy.key_points[1]
    missed_both = "It declares the response shape."
    assert follow_up_for(heavy, score_answer(heavy, missed_both)) is heavy.key_points[1], "first of the heaviest"


def test_no_follow_up_for_a_point_without_a_question(deck: Deck) -> None:
    card = deck.card("response-model")
    bare = with_follow_ups(card, {}) if all(getattr(p, "follow_up", None) is None for p in card.key_points) else None
    plain = bare or dataclasses.replace(card, key_points=tuple(KeyPoint(p.text, p.aliases) for p in card.key_points))
    assert follow_up_for(plain, score_answer(plain, NO_SHAPE)) is None


@pytest.mark.xfail(
    "follow_up" not in {f.name for f in dataclasses.fields(KeyPoint)},
    reason="follow-up questions in the deck format come with the scoring branch",
    strict=True,
)
def test_every_fastapi_card_has_a_follow_up_for_its_main_point(deck: Deck) -> None:
    for card in deck.cards:
        point = follow_up_for(card, score_answer(card, "I am not sure, I have never used it."))
        assert point is not None, f"{card.id}: no follow-up when its main point is missed"
        question = mock.follow_up_question(point)
        assert question is not None and question.endswith("?"), f"{card.id}: {question!r}"


# --- storage --------------------------------------------------------------------------------------------


def test_mock_sessions_and_follow_ups_are_stored(store: Store, deck: Deck) -> None:
    session = mock.start_mock_session(store, [deck])
    assert (session.mode, session.deck_id, session.deck_title) == ("mock", "fastapi", "FastAPI")
    card = deck.card("response-model")
    attempt_id = answer(store, session, deck, card, FOLLOW_UP_ANSWER, 6.0, follow_up=FOLLOW_UP)
    saved = store.attempt(attempt_id)
    assert (saved.follow_up, saved.time_limit, saved.status) == (FOLLOW_UP, 60.0, Status.SCORED)
    assert store.schema_version == storage.SCHEMA_VERSION
    plain = store.start_session(deck.id, deck.title)
    assert mock.mock_sessions(store) == [store.session(session.id)] and plain.mode == "spoken"
    with pytest.raises(ValueError, match="time_limit"):
        store.set_mock_details(attempt_id, time_limit=0)
    with pytest.raises(storage.NotFound):
        store.set_mock_details(attempt_id + 100, time_limit=60)


def test_follow_up_answers_do_not_count_as_answers_to_the_card(store: Store) -> None:
    record_interview(store)
    recent = store.recent_scores("fastapi")
    assert recent["response-model"] == 80, "the follow-up answer (one point of five) is not a weak answer"


# --- the report -----------------------------------------------------------------------------------------


def test_report_per_question_with_the_follow_up_beside_its_question(store: Store) -> None:
    report = build_report(store, record_interview(store))
    assert [q.card_id for q in report.questions] == ["path-vs-query", "response-model", "depends-basics"]
    strong, missed, weak = report.questions

    assert strong.score == 100 and not strong.missed and strong.follow_up is None
    assert strong.delivery is not None and strong.delivery.ran_out_of_time, "the model answer took all 60 s"
    assert strong.delivery.first_word == STRONG_START

    assert missed.score == 80 and [p.text for p in missed.missed] == ["declares the response shape"]
    follow = missed.follow_up
    assert follow is not None and follow.question == FOLLOW_UP and follow.transcript == FOLLOW_UP_ANSWER
    assert follow.point == "declares the response shape" and follow.made is True

    assert weak.score is not None and weak.score < 30 and [p.text for p in weak.made] == ["database session"]
    assert weak.delivery is not None and not weak.delivery.ran_out_of_time
    assert [p.length for p in weak.delivery.pauses] == [pytest.approx(PAUSE + 0.1)], "the pause plus a word gap"
    assert weak.delivery.filler_count == 7 and weak.delivery.fillers["um"] == 2
    assert weak.delivery.first_word == pytest.approx(0.5), "the typed answers' first word comes at 0.5 s"

    assert report.mean_score == pytest.approx((100 + 80 + weak.score) / 3)
    questions, mean = store.question_stats()[report.session.id]
    assert questions == 3 and mean == pytest.approx(report.mean_score), "the list's figures leave the follow-up out"
    assert report.points_made == (5 + 4 + 1, 5 + 5 + 6)
    assert report.speaking_time == pytest.approx(60 + 12 + 6 + 12)


def test_three_things_to_work_on_mix_content_and_delivery(store: Store) -> None:
    report = build_report(store, record_interview(store))
    titles = [item.title for item in report.work_on]
    assert len(titles) == 3
    assert "Fewer filler words" in titles, "7 fillers in 1.5 minutes"
    kinds = {item.kind for item in report.work_on}
    assert kinds == {"delivery", "key point"}
    assert titles[0] == "Relearn Q3: What is Depends in FastAPI, and what do you use dependency…"
    assert report.work_on[0].detail.startswith("5 of 6 key points missed: dependency is a callable; injects")
    assert "Finish within the time" in titles, "the first answer was cut off"
    assert "declares the response shape" not in " ".join(titles), "a point made in the follow-up costs less"


def test_a_clean_interview_has_nothing_to_work_on_and_a_rushed_one_is_told_to_slow_down(store: Store) -> None:
    deck = fastapi_deck()
    card = deck.card("path-vs-query")
    calm = mock.start_mock_session(store, [deck])
    answer(store, calm, deck, card, card.answer, 55.0)  # 121 words: 132 a minute
    report = build_report(store, calm.id)
    assert report.work_on == ()
    assert "Nothing stood out" in report_markdown(report)
    rushed = mock.start_mock_session(store, [deck])
    answer(store, rushed, deck, card, card.answer, 35.0)  # 207 a minute
    (item,) = build_report(store, rushed.id).work_on
    assert (item.kind, item.title, item.detail) == ("delivery", "Slow down", "207 words per minute; aim for 110-170")


def test_a_point_missed_without_a_follow_up_is_named_with_its_weight(store: Store) -> None:
    deck = fastapi_deck()
    card = deck.card("response-model")
    session = mock.start_mock_session(store, [deck])
    answer(store, session, deck, card, NO_SHAPE, 12.0)
    (item,) = build_report(store, session.id).work_on
    assert (item.kind, item.title) == ("key point", "Say: declares the response shape")
    assert item.detail.startswith("Q1, 20% of that answer")
    # With the scorer's evidence (the model-answer sentence that makes the point), the item quotes it.
    evidence = getattr(score_answer(card, NO_SHAPE).points[0], "evidence", None)
    assert item.detail.endswith(f"; the model answer says: “{evidence}”" if evidence else "of that answer")


@pytest.mark.xfail(
    not hasattr(Card, "misconceptions"),
    reason="misconceptions in the deck format and scoring come with the scoring branch",
    strict=True,
)
def test_misconceptions_said_are_reported_and_worked_on_first(store: Store) -> None:
    deck = fastapi_deck()
    card = next(c for c in deck.cards if getattr(c, "misconceptions", ()))
    wrong = card.misconceptions[0]  # type: ignore[attr-defined]
    session = mock.start_mock_session(store, [deck])
    answer(store, session, deck, card, f"{card.answer} {wrong.claim}.", 60.0)
    report = build_report(store, session.id)
    (question,) = report.questions
    assert [m.claim for m in question.misconceptions] == [wrong.claim]
    assert report.work_on[0].kind == "misconception" and wrong.claim in report.work_on[0].title
    assert wrong.claim in report_markdown(report)


def test_report_of_an_answer_not_transcribed_keeps_it_with_its_reason(store: Store) -> None:
    deck = fastapi_deck()
    session = mock.start_mock_session(store, [deck])
    card = deck.card("path-vs-query")
    audio = store.new_audio_path(session, card)
    audio.write_bytes(b"x")
    attempt = store.add_recorded_attempt(session, deck, card, audio, storage.now(), 20.0)
    store.mark_failed(attempt.id, "Transcription failed: model not found")
    report = build_report(store, session.id)
    (question,) = report.questions
    assert question.status is Status.FAILED and question.score is None and question.delivery is None
    text = report_markdown(report)
    assert "**Status:** failed (Transcription failed: model not found)" in text
    assert "Nothing to judge yet" in text


def test_markdown_report_holds_scores_points_delivery_and_follow_up(store: Store, tmp_path: Path) -> None:
    report = build_report(store, record_interview(store))
    text = report_markdown(report)
    assert text.startswith("# Mock interview: FastAPI\n")
    assert "- **Mean score:** " in text and "- **Follow-ups:** 1" in text
    assert "## Three things to work on\n\n1. **" in text and "## Questions\n\n| # | question |" in text
    assert "| 2 | What does the response\\_model" in text or "| 2 | What does the response_model" in text
    assert "- ✗ declares the response shape" in text and "- ✓ serialises to JSON" in text
    assert f"**Follow-up:** {FOLLOW_UP}" in text and "✓ made the point: declares the response shape" in text
    assert "1:00 of 1:00 (ran out of time)" in text and "first word after 4.0 s" in text
    assert "1 long pause (longest 3.6 s)" in text and "7 filler words" in text
    assert WEAK.split(",")[0] in text
    path = mock.export_markdown(report, tmp_path / "out" / mock.default_file_name(report))
    assert path.read_text(encoding="utf-8") == text and path.name.startswith("mock-fastapi-")


def test_the_plain_session_export_names_the_mode_and_the_follow_up(store: Store, tmp_path: Path) -> None:
    session_id = record_interview(store)
    text = session_markdown(store, session_id)
    assert "- **Mode:** mock interview" in text
    assert f"**Follow-up question:** {FOLLOW_UP}" in text
    # Exporting a mock session (the review's "Export") writes its interview report.
    written = export_session(store, session_id, tmp_path / "session.md")
    assert written.read_text(encoding="utf-8") == report_markdown(build_report(store, session_id))


def test_reports_are_rebuilt_from_the_store_later(store: Store, tmp_path: Path) -> None:
    session_id = record_interview(store)
    first = report_markdown(build_report(store, session_id))
    store.close()
    with Store(store.path) as again:
        assert report_markdown(build_report(again, session_id)) == first
        assert [s.id for s in mock.mock_sessions(again)] == [session_id]
        with pytest.raises(storage.NotFound):
            build_report(again, session_id + 1)
