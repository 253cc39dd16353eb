"""Normalisation of speech recognition output."""

from __future__ import annotations

import pytest

from trainer.normalize import normalize_phrase, stem, tokenize


@pytest.mark.parametrize(
    ("said", "normal"),
    [
        ("FastAPI's Depends()", "fastapi depends"),
        ("use_cache=False", "use cache false"),
        ("Pydantic-based, re-usable", "pydantic based re usable"),
        ("Café  CRÈME", "cafe creme"),
        ("it returns four twenty two", "it returns 422"),
        ("a four oh four page", "a 404 page"),
        ("four hundred and twenty two", "422"),
        ("two thousand and five", "2005"),
        ("HTTP four hundred", "http 400"),
        ("one request at a time", "one request at a time"),
        ("status 422 not 400", "status 422 not 400"),
        ("don’t block, can't wait", "do not block can not wait"),
    ],
)
def test_normalize_phrase(said: str, normal: str) -> None:
    assert normalize_phrase(said) == normal


def test_tokens_keep_their_span_in_the_original_text() -> None:
    text = "Well, it's a four twenty two."
    tokens = tokenize(text)
    number = next(t for t in tokens if t.text == "422")
    assert text[number.start : number.end] == "four twenty two"
    assert [text[t.start : t.end] for t in tokens][:2] == ["Well", "it's"]


def test_stem_brings_word_forms_together() -> None:
    assert stem("requests") == stem("request")
    assert stem("cached") == stem("caching") == stem("cache")
    assert stem("processes") == stem("process") == "process"
    assert stem("dependencies") == "dependency"
    assert stem("422") == "422"
