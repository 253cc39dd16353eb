"""The key-point scorer, on hand-made cases: normalisation, spans, aliases, corrections."""

from __future__ import annotations

from trainer.deck import Card, KeyPoint
from trainer.scoring import HIT_THRESHOLD, ScoreResult, score_answer

CARD = Card(
    id="status",
    question="Why does FastAPI answer 422 and not 400?",
    answer="...",
    key_points=(
        KeyPoint("422 Unprocessable Entity"),
        KeyPoint("request validation failed", weight=2.0),
        KeyPoint("Pydantic model", aliases=("the schema",)),
        KeyPoint("custom exception handler"),
    ),
    tags=("tricky",),
)


def hits(result: ScoreResult) -> list[bool]:
    return [p.hit for p in result.points]


def test_speech_recognition_spellings_still_count() -> None:
    text = (
        "Fast API sends a four twenty two unprocessable entity when the request validation failed "
        "on the pedantic model."
    )
    card = Card(
        "c", "q", "a", (KeyPoint("FastAPI sends 422"), KeyPoint("Pydantic model", ("pedantic model",))), ("basics",)
    )
    result = score_answer(card, text)
    assert hits(result) == [True, True]
    first = result.points[0]
    assert first.span is not None
    assert text[first.span[0] : first.span[1]] == "Fast API sends a four twenty two"


def test_weighted_score_and_spans_point_into_the_transcript() -> None:
    text = (
        "It's a 422 unprocessable entity, because the request validation failed. "
        "You can change it with a custom exception handler."
    )
    result = score_answer(CARD, text)
    assert hits(result) == [True, True, False, True]
    assert result.score == 100 * 4 / 5  # weights 1 + 2 + 1 of 5
    for point in result.points:
        if point.hit:
            assert point.span is not None and point.similarity >= HIT_THRESHOLD
            start, end = point.span
            assert 0 <= start < end <= len(text)
    missed = result.points[2]
    assert missed.similarity < HIT_THRESHOLD


def test_alias_counts_as_the_point() -> None:
    result = score_answer(CARD, "The body did not match the schema.")
    assert result.points[2].hit
    assert result.points[2].span is not None


def test_words_scattered_far_apart_do_not_make_a_point() -> None:
    filler = " ".join(["and then we talked about deployment and logging and monitoring"] * 3)
    text = f"The request came in. {filler}. The validation was fine. {filler}. Nothing failed."
    assert not score_answer(CARD, text).points[1].hit


def test_an_answer_about_something_else_scores_low() -> None:
    text = (
        "Middleware wraps every request and response, so it is where you put logging, timing and CORS headers. "
        "You add it with the app middleware decorator and it runs before the route handler."
    )
    assert score_answer(CARD, text).score == 0


def test_empty_transcript_scores_zero_and_misses_everything() -> None:
    result = score_answer(CARD, "")
    assert result.score == 0
    assert all(not p.hit and p.span is None and p.similarity == 0 for p in result.points)


def test_manual_corrections_change_the_score_and_are_marked() -> None:
    result = score_answer(CARD, "It's a 422 unprocessable entity.")
    assert result.score == 20
    corrected = result.with_corrections({1: True, 0: False})
    assert corrected.score == 40
    assert [p.corrected for p in corrected.points] == [True, True, False, False]
    assert hits(corrected) == [False, True, False, False]
    assert ScoreResult.from_dict(corrected.to_dict()) == corrected


def test_deterministic() -> None:
    text = "A 422 means the request validation failed against the Pydantic model."
    assert score_answer(CARD, text) == score_answer(CARD, text)


def test_a_negated_point_is_not_made_by_saying_the_opposite() -> None:
    card = Card("c", "q", "a", (KeyPoint("not cached across requests"),), ("tricky",))
    assert not score_answer(card, "The result is cached across requests.").points[0].hit
    assert score_answer(card, "It isn't cached across requests, each request calls it again.").points[0].hit


def test_a_repeated_word_needs_to_be_said_twice() -> None:
    card = Card("c", "q", "a", (KeyPoint("dependencies of dependencies"),), ("theory",))
    assert not score_answer(card, "It is a dependency.").points[0].hit
    assert score_answer(card, "A dependency can have dependencies of its own.").points[0].hit


def test_short_words_and_joined_words_must_match_closely() -> None:
    card = Card("c", "q", "a", (KeyPoint("dict"), KeyPoint("callable")), ("basics",))
    result = score_answer(card, "Call it directly, call call.")
    assert [p.hit for p in result.points] == [False, False]


def test_span_covers_the_words_that_made_the_point_and_no_more() -> None:
    card = Card("c", "q", "a", (KeyPoint("path parameters are required"),), ("basics",))
    text = "Path parameters are required. A query parameter is not."
    span = score_answer(card, text).points[0].span
    assert span is not None
    assert text[span[0] : span[1]] == "Path parameters are required"


def test_span_is_the_tightest_stretch_when_words_repeat() -> None:
    card = Card("c", "q", "a", (KeyPoint("part of the URL path"),), ("basics",))
    text = "So, a path parameter is part of the URL path itself."
    span = score_answer(card, text).points[0].span
    assert span is not None
    assert text[span[0] : span[1]] == "part of the URL path"
