"""Fuzzing decks (issue 9): generated TOML, valid and broken, through `check_deck`/`load_deck` and `trainer check`.

Whatever a deck file holds (any unicode, huge or odd numbers, wrong types, broken syntax, bytes that are not
UTF-8), loading it never raises anything but `DeckError`, and every problem names the file. A generated deck
that follows the format loads with exactly the cards written. Only the public entry points are used, so the
tests survive changes to the deck fields.
"""

from __future__ import annotations

import contextlib
import io
import math
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.cli import run
from trainer.deck import LEVELS, Deck, DeckError, Severity, check_deck, load_deck


def fuzz(cases: int) -> settings:
    """`cases` generated examples; no deadline (the CI machine is shared), no example database in the repo."""
    return settings(max_examples=cases, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# --- generated values ---------------------------------------------------------------------------------------

#: Any text: every unicode category hypothesis draws (RTL, emoji, combining marks, control characters).
any_text = st.text(max_size=60)
odd_numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 0.0, -0.0, 1e-300, 1e308, 2**63 - 1]),
)
scalars = st.one_of(any_text, odd_numbers, st.booleans(), st.just(""), st.just("   "), st.text(min_size=2000))
odd_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=3)),
    max_leaves=6,
)
#: Field names of the format, plus misspellings and anything else.
deck_keys = st.sampled_from(["id", "title", "description", "language", "time_limit", "vocabulary", "card", "titel"])
card_keys = st.sampled_from(["id", "question", "answer", "key_points", "tags", "time_limit", "answr"])


@st.composite
def key_point(draw: st.DrawFn) -> Any:
    plain = draw(st.text(min_size=1, max_size=40))
    return draw(
        st.one_of(
            st.just(plain),
            st.fixed_dictionaries(
                {"text": st.just(plain)},
                optional={"aliases": st.lists(any_text, max_size=3), "weight": odd_numbers, "wieght": odd_values},
            ),
            odd_values,
        )
    )


@st.composite
def odd_card(draw: st.DrawFn) -> dict[str, Any]:
    """A card table that is mostly right, with any field missing, mistyped, or holding odd values."""
    card: dict[str, Any] = {
        "id": draw(st.one_of(st.from_regex(r"\A[a-z0-9]{1,12}(-[a-z0-9]{1,8})?\Z"), any_text)),
        "question": draw(st.one_of(any_text, st.text(min_size=1, max_size=200))),
        "answer": draw(st.one_of(any_text, st.text(min_size=1, max_size=400))),
        "key_points": draw(st.lists(key_point(), max_size=8)),
        "tags": draw(st.lists(st.one_of(st.sampled_from(LEVELS), any_text), max_size=4)),
    }
    for key in draw(st.lists(card_keys, max_size=3)):
        if draw(st.booleans()):
            card.pop(key, None)
        else:
            card[key] = draw(odd_values)
    return card


@st.composite
def odd_deck(draw: st.DrawFn) -> dict[str, Any]:
    deck: dict[str, Any] = {
        "title": draw(any_text),
        "time_limit": draw(odd_numbers),
        "vocabulary": draw(st.lists(any_text, max_size=5)),
        "card": draw(st.lists(odd_card(), max_size=6)),
    }
    for key in draw(st.lists(deck_keys, max_size=3)):
        if draw(st.booleans()):
            deck.pop(key, None)
        else:
            deck[key] = draw(odd_values)
    return deck


words = st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=10)


@st.composite
def valid_deck(draw: st.DrawFn) -> dict[str, Any]:
    """A deck that follows the format, with unicode text and extreme but legal numbers."""
    ids = draw(st.lists(st.from_regex(r"\A[a-z0-9]{1,10}(-[a-z0-9]{1,6})?\Z"), min_size=1, max_size=6, unique=True))
    cards = []
    for card_id in ids:
        phrases = draw(st.lists(st.lists(words, min_size=1, max_size=4), min_size=1, max_size=6))
        unique = list({" ".join(p): None for p in phrases})
        cards.append(
            {
                "id": card_id,
                "question": draw(st.text(min_size=1, max_size=300).filter(str.strip)),
                "answer": draw(st.text(min_size=1, max_size=800).filter(str.strip)),
                "key_points": unique,
                "tags": [draw(st.sampled_from(LEVELS))],
                "time_limit": draw(st.floats(min_value=1e-3, max_value=1e12)),
            }
        )
    return {
        "id": draw(st.from_regex(r"\A[a-z0-9]{1,12}\Z")),
        "title": draw(st.text(min_size=1, max_size=100).filter(str.strip)),
        "card": cards,
    }


# --- helpers ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def deck_file(content: str | bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        yield path


def assert_clear_outcome(path: Path) -> Deck | None:
    """`check_deck` and `load_deck` agree, never raise anything but DeckError, and every problem names the file."""
    deck, problems = check_deck(path)
    for problem in problems:
        text = str(problem)
        assert text.startswith(str(path)) and len(text) > len(str(path)) + 2, text
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert (deck is None) == bool(errors), problems
    try:
        loaded = load_deck(path)
    except DeckError as exc:
        assert deck is None and str(exc), problems
    else:
        assert deck is not None and loaded == deck
    if deck is not None:
        assert deck.cards and all(c.key_points for c in deck.cards)
        assert math.isfinite(deck.time_limit) and deck.time_limit > 0
        for card in deck.cards:
            assert card.question.strip() and card.answer.strip()
            assert card.time_limit is None or (math.isfinite(card.time_limit) and card.time_limit > 0)
            assert all(p.weight > 0 and math.isfinite(p.weight) for p in card.key_points)
    return deck


def trainer_check(path: Path) -> tuple[int, str]:
    """`trainer check PATH`, in process (a subprocess per case would not fit the CI budget)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = run(["check", str(path)])
    return status, out.getvalue() + err.getvalue()


# --- the properties -----------------------------------------------------------------------------------------


@fuzz(300)
@given(odd_deck())
def test_any_deck_structure_loads_or_is_rejected_with_clear_problems(data: dict[str, Any]) -> None:
    with deck_file(tomli_w.dumps(data)) as path:
        assert_clear_outcome(path)


@fuzz(150)
@given(valid_deck())
def test_a_valid_generated_deck_loads_with_every_card_as_written(data: dict[str, Any]) -> None:
    with deck_file(tomli_w.dumps(data)) as path:
        deck = assert_clear_outcome(path)
        assert deck is not None, check_deck(path)[1]
        assert [c.id for c in deck.cards] == [c["id"] for c in data["card"]]
        assert [c.question for c in deck.cards] == [c["question"].strip() for c in data["card"]]
        status, output = trainer_check(path)
        assert status == 0 and f"{path}: ok ({len(deck.cards)} cards" in output, output


EXAMPLE = (Path(__file__).resolve().parent.parent / "data" / "example-deck.toml").read_text(encoding="utf-8")


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    """The example deck with a few characters cut, inserted or swapped: mostly broken TOML, sometimes not."""
    text = EXAMPLE
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "duplicate"]))
        if action == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 80)) :]
        elif action == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(list('[]{}="\\\n#,.')), any_text)) + text[at:]
        else:
            text = text[:at] + text[max(0, at - 200) : at] + text[at:]
    return text


@fuzz(250)
@given(mutated_example())
def test_broken_toml_gives_problems_with_a_place_never_a_traceback(source: str) -> None:
    with deck_file(source) as path:
        deck = assert_clear_outcome(path)
        status, output = trainer_check(path)
        assert status == (0 if deck is not None else 1), output
        assert ("ok (" in output) == (deck is not None) and "Traceback" not in output


@fuzz(100)
@given(st.binary(max_size=400), st.sampled_from([b"", b"\xff\xfe", b"title = '\xc3\x28'\n", b"\x00"]))
def test_arbitrary_bytes_are_rejected_clearly(blob: bytes, prefix: bytes) -> None:
    with deck_file(prefix + blob) as path:
        assert_clear_outcome(path)
        status, output = trainer_check(path)
        assert status in (0, 1) and "Traceback" not in output, output
