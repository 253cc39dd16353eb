"""The scorer on what speech recognition writes, not what a person types: commas Whisper puts into a list of
terms read aloud or after a word said with a pause, acronyms it spells out or hyphenates ("W-SGI"), the card's
terms it splits or mishears ("a sync def", "playing def"), and the period it ends every stretch with (". and").

The answers are written here in the shapes Whisper's transcripts take (bench/scoring_spoken.py measures the
labelled answers read aloud); each runs with both paraphrase models."""

from __future__ import annotations

import pytest

from tests.conftest import CARDS
from trainer.deck import load_deck
from trainer.normalize import join_acronyms, join_split_numbers, tokenize
from trainer.scoring import ScoreResult, score_answer, semantic

DECK = load_deck(CARDS / "fastapi.toml")
MODELS = pytest.mark.parametrize("model", ["minilm", "wordllama"])

pytestmark = pytest.mark.usefixtures("default_paraphrase_model_afterwards")


def credited(result: ScoreResult) -> list[str]:
    return [p.point.text for p in result.points if p.hit]


@MODELS
@pytest.mark.parametrize(
    ("card_id", "text"),
    [
        # Pieces of three or four words between Whisper's commas, "run, and threadpool" cut by ", and".
        (
            "def-threadpool",
            "Event loop, single thread blocking freeze, Flup, run, and threadpool, loop free, limited pool size",
        ),
        (
            "def-threadpool",
            "Threadpool, worker thread, event loop, one thread blocking free, and loop free, limited pool size.",
        ),
        # Two commas and an "and" before the last item: "a, b, c and d".
        (
            "status-422-vs-400",
            "422 validation error, 400 business rule, schema of field errors and unprocessable entity.",
        ),
        # Dots inside code names ("time.sleep", "openapi.json") end no sentence, so they cut no list short.
        (
            "blocking-in-async",
            "Event loop, time.sleep, requests.get, one thread, blocked, asyncio.sleep, run_in_threadpool, plain def",
        ),
        (
            "openapi-generation",
            "Pydantic models, type hints, openapi.json, Swagger UI, ReDoc, JSON Schema, always in sync",
        ),
    ],
)
def test_a_list_of_terms_read_aloud_earns_nothing_whatever_commas_the_transcript_has(
    model: str, card_id: str, text: str
) -> None:
    semantic.use(model)
    result = score_answer(DECK.card(card_id), text)
    assert result.score == 0, credited(result)


@MODELS
def test_a_spoken_sentence_with_commas_still_earns_its_points(model: str) -> None:
    semantic.use(model)
    text = "So the event loop, it runs on one thread, and a blocking call would freeze the loop, right, for everyone."
    result = score_answer(DECK.card("def-threadpool"), text)
    assert {"event loop on one thread", "blocking would freeze the loop"} <= set(credited(result))


@MODELS
def test_a_subject_cut_off_by_a_comma_still_names_what_the_clause_is_about(model: str) -> None:
    semantic.use(model)
    card = DECK.card("path-vs-query")
    reversed_facts = (
        "Query, parameters are part of the path and you always have to send them, the handler needs them. "
        "Path parameters go after the question mark and are optional, they get a default."
    )
    result = score_answer(card, reversed_facts)
    assert "path parameters are required" not in credited(result)
    assert "part of the URL path" not in credited(result)
    right = "Path, parameters are part of the URL path and they are always required."
    assert {"part of the URL path", "path parameters are required"} <= set(credited(score_answer(card, right)))


@MODELS
@pytest.mark.parametrize("wsgi", ["W-SGI", "W S G I", "W-S-G-I"])
def test_an_acronym_spelled_or_hyphenated_by_speech_recognition_is_read_as_the_acronym(model: str, wsgi: str) -> None:
    semantic.use(model)
    card = DECK.card("wsgi-vs-asgi")
    said = f"ASGI is the old blocking one. {wsgi} is the one built for WebSockets and long connections."
    wrong = score_answer(card, said)
    assert wrong.score == 0, credited(wrong)
    right = score_answer(card, f"{wsgi} is synchronous, one request per worker. ASGI is asynchronous.")
    assert {"WSGI is synchronous", "ASGI is asynchronous"} <= set(credited(right))


def test_only_known_acronyms_are_joined_and_spans_stay_in_the_transcript() -> None:
    text = "W-SGI and model-dump, a sync def, W S G I, W.S.G.I"
    tokens = join_acronyms(text, tokenize(text), frozenset({"wsgi", "modeldump", "async"}))
    assert [t.text for t in tokens] == ["wsgi", "and", "modeldump", "a", "sync", "def", "wsgi", "wsgi"]
    assert [text[t.start : t.end] for t in tokens][::6] == ["W-SGI", "W S G I"]
    assert text[tokens[-1].start : tokens[-1].end] == "W.S.G.I"
    assert join_acronyms(text, tokenize(text), frozenset()) == tokenize(text)


@MODELS
@pytest.mark.parametrize("said", ["4.22", "420-2", "420, 2"])
def test_a_number_the_transcript_wrote_in_two_pieces_is_read_as_the_card_s_number(model: str, said: str) -> None:
    semantic.use(model)
    text = f"Yeah, {said} is the validation error FastAPI sends by itself when the body is wrong."
    assert "422 is a validation error" in credited(score_answer(DECK.card("status-422-vs-400"), text))


def test_only_numbers_the_card_names_are_joined() -> None:
    text = "Pydantic 2.0 sends 4.22, then 420-2, 300-1 and 20, 2 items."
    tokens = join_split_numbers(text, tokenize(text), frozenset({"422", "400"}))
    assert [t.text for t in tokens] == [
        "pydantic",
        "2",
        "0",
        "sends",
        "422",
        "then",
        "422",
        "300",
        "1",
        "and",
        "20",
        "2",
        "items",
    ]
    assert text[tokens[4].start : tokens[4].end] == "4.22"


def test_a_terse_sentence_with_its_own_comma_before_and_is_not_a_list_and_hundreds_are_not_tens() -> None:
    from trainer import normalize
    from trainer.scoring import claims

    # Only an "and" in place of the last comma separates items; the others are words of a sentence.
    text = "Path parameters identify resources, query parameters filter, sort and paginate, and validation happens."
    tokens = normalize.tokenize(text)
    assert not claims.listed_terms(text, tokens), "a terse sentence read as a list of terms"
    spoken = "I'd send back a 400, 4 fields were wrong."
    joined = normalize.join_split_numbers(spoken, normalize.tokenize(spoken), frozenset({"404", "422"}))
    assert "404" not in [t.text for t in joined]
    heard = "It comes back as a 420, 2."
    joined = normalize.join_split_numbers(heard, normalize.tokenize(heard), frozenset({"422"}))
    assert "422" in [t.text for t in joined]


@MODELS
def test_a_deck_term_speech_recognition_split_or_misheard_is_read_as_the_card_s_term(model: str) -> None:
    # Whisper writes words it knows: "a sync" for async, "playing def" for plain def.
    semantic.use(model)
    card = DECK.card("async-vs-def")
    reversed_facts = "A sync def routes get sent to the threadpool, and playing def routes run on the event loop."
    wrong = score_answer(card, reversed_facts)
    assert not {"async def on the event loop", "def runs in a threadpool"} & set(credited(wrong))
    right = "A sync def runs on the event loop, and playing def runs in a threadpool."
    assert {"async def on the event loop", "def runs in a threadpool"} <= set(credited(score_answer(card, right)))


def test_only_the_card_s_terms_are_mended_and_an_article_before_a_noun_stays() -> None:
    from trainer import normalize

    terms = normalize.term_pairs("Should it be async def or plain def?")
    words = frozenset({"async", "asynchronous", "plain", "def", "sync"})
    text = "A sync def, a sync driver, a sync libraries, it is a synchronous. Sync def, playing def, playing cards."
    tokens = normalize.mend_terms(text, normalize.tokenize(text), terms, words)
    assert [t.text for t in tokens] == [
        *("async", "def", "a", "sync", "driver", "async", "libraries", "it", "is", "asynchronous"),
        *("sync", "def", "plain", "def", "playing", "cards"),
    ]
    assert text[tokens[0].start : tokens[0].end] == "A sync"
    # A comma may stand between adjectives; a card that writes "sync def" too leaves "a sync def" ambiguous.
    adjectives = "WSGI is a synchronous, blocking interface."
    assert "asynchronous" not in [
        t.text for t in normalize.mend_terms(adjectives, normalize.tokenize(adjectives), terms, words)
    ]
    both = normalize.term_pairs("Should it be async def or sync def?")
    assert [
        t.text for t in normalize.mend_terms("a sync def route", normalize.tokenize("a sync def route"), both, words)
    ] == ["a", "sync", "def", "route"]
    assert normalize.mend_terms(text, normalize.tokenize(text), terms, frozenset()) == normalize.tokenize(text)


@MODELS
def test_a_period_speech_recognition_puts_at_a_pause_or_after_a_dotted_acronym_ends_no_sentence(model: str) -> None:
    semantic.use(model)
    card = DECK.card("wsgi-vs-asgi")
    # "W.S.G.I." with "is" after it: the claim goes on.
    result = score_answer(card, "So W.S.G.I. is synchronous, one request per worker. A.S.G.I. is asynchronous.")
    assert {"WSGI is synchronous", "ASGI is asynchronous"} <= set(credited(result))
    # Whisper ends each stretch between two pauses with a period: ". and are" goes on with the same subject.
    said = "Path parameters sit right in the URL path. and are always required."
    assert "path parameters are required" in credited(score_answer(DECK.card("path-vs-query"), said))
