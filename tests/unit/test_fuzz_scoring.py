"""Fuzzing transcripts (issue 9): generated text through the normaliser and `score_answer`.

Whatever Whisper writes (any unicode, numbers said as words, long rambling answers, empty text), the
normaliser's tokens point into the text and the score stays a number from 0 to 100 whose spans lie inside
the transcript; saying a key point's own words scores it as hit. Only the public entry points are used
(`tokenize`, `normalize_phrase`, `score_answer`), so the tests survive the scorer's rewrite.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.deck import Card, KeyPoint
from trainer.normalize import normalize_phrase, tokenize
from trainer.scoring import score_answer


def fuzz(cases: int) -> settings:
    """`cases` generated examples; no deadline (the CI machine is shared), no example database in the repo."""
    return settings(max_examples=cases, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


#: Words a transcript is made of: technical terms, fillers, number words, and anything at all.
VOCABULARY = [
    "fastapi", "pydantic", "depends", "dependency", "injection", "request", "validation", "four", "twenty",
    "two", "hundred", "um", "uh", "like", "the", "a", "not", "doesn't", "isn't", "can't", "async", "await",
    "thread", "pool", "422", "café", "naïve", "ÉCOLE", "straße", "v1->v2", "use_cache", "it’s", "o'clock",
]  # fmt: skip
spoken_words = st.one_of(st.sampled_from(VOCABULARY), st.text(min_size=1, max_size=12))
transcripts = st.one_of(
    st.text(max_size=400),
    st.lists(spoken_words, max_size=400).map(" ".join),
    st.lists(st.sampled_from(VOCABULARY), max_size=30).map(", ".join),
)
#: Key point words that mean something (the scorer ignores stopwords, so a point needs content words).
content = st.sampled_from(
    ["pydantic", "validation", "dependency", "injection", "threadpool", "request", "schema", "cached", "response"]
)


@st.composite
def cards(draw: st.DrawFn) -> Card:
    points = []
    for i in range(draw(st.integers(1, 6))):
        text = draw(st.one_of(st.lists(content, min_size=1, max_size=4).map(" ".join), st.text(min_size=1)))
        aliases = tuple(draw(st.lists(st.text(min_size=1, max_size=30), max_size=2)))
        weight = draw(st.floats(min_value=0.01, max_value=100))
        points.append(KeyPoint(f"{text} {i}" if draw(st.booleans()) else text, aliases, weight))
    return Card("fuzz", "A question?", "An answer.", tuple(points), ("basics",))


@fuzz(300)
@given(transcripts)
def test_tokens_point_into_the_text_in_order(text: str) -> None:
    tokens = tokenize(text)
    previous_start = 0
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert token.start >= previous_start
        previous_start = token.start
        assert token.text and token.text == token.text.strip()
    assert normalize_phrase(text) == " ".join(t.text for t in tokens)


@fuzz(300)
@given(cards(), transcripts)
def test_any_transcript_scores_0_to_100_with_spans_inside_it(card: Card, text: str) -> None:
    result = score_answer(card, text)
    # Found by this test: the weighted mean can come out a rounding error above 100 (100.00000000000001).
    assert math.isfinite(result.score) and 0 <= result.score <= 100 + 1e-9
    assert len(result.points) == len(card.key_points)
    for point, expected in zip(result.points, card.key_points, strict=True):
        assert point.point.text == expected.text
        assert 0 <= point.similarity <= 100
        if point.span is not None:
            start, end = point.span
            assert 0 <= start <= end <= len(text)
    assert result == score_answer(card, text), "scoring the same text twice gave two results"
    assert result.to_dict() == type(result).from_dict(result.to_dict()).to_dict()


@fuzz(200)
@given(st.lists(st.lists(content, min_size=1, max_size=3, unique=True), min_size=1, max_size=4), st.data())
def test_saying_a_key_points_words_hits_it_whatever_surrounds_them(
    phrases: list[list[str]], data: st.DataObject
) -> None:
    unique = list({" ".join(p): None for p in phrases})
    card = Card("fuzz", "Q?", "A.", tuple(KeyPoint(p) for p in unique), ("basics",))
    said = data.draw(st.sampled_from(range(len(unique))))
    before = data.draw(st.lists(st.sampled_from(VOCABULARY), max_size=40).map(" ".join))
    after = data.draw(st.lists(st.sampled_from(VOCABULARY), max_size=40).map(" ".join))
    text = f"{before}. {unique[said]}. {after}"
    result = score_answer(card, text)
    assert result.points[said].hit, (unique[said], text, result.points[said])
    # A point made earns credit unless the words around it state another point wrongly (each costs points).
    stated_wrongly = [p for p in result.points if p.how == "contradicted"]
    assert result.score > 0 or stated_wrongly, (text, result)
