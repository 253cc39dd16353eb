"""The deck format: loading, and validation a deck author can act on."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import CARDS, DATA
from trainer.deck import (
    LEVELS,
    DeckError,
    Severity,
    check_deck,
    discover_decks,
    load_deck,
)

GOOD_CARD = """
[[card]]
id = "{id}"
question = "What is a list comprehension?"
answer = "A compact way to build a list from an iterable, with an optional filter."
key_points = ["builds a list", "from an iterable", {{ text = "optional filter", aliases = ["if clause"] }}]
tags = ["basics"]
"""


def write(tmp_path: Path, text: str, name: str = "deck.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def good_deck(tmp_path: Path, name: str = "deck.toml", ids: tuple[str, ...] = ("comprehension",)) -> Path:
    body = 'title = "Python"\nvocabulary = ["iterable"]\n' + "".join(GOOD_CARD.format(id=i) for i in ids)
    return write(tmp_path, body, name)


def messages(path: Path) -> list[str]:
    _, problems = check_deck(path)
    return [str(p) for p in problems]


def test_shipped_fastapi_deck_loads_with_no_problems() -> None:
    deck, problems = check_deck(CARDS / "fastapi.toml")
    assert [str(p) for p in problems] == []
    assert deck is not None
    assert len(deck.cards) >= 28
    assert "FastAPI" in deck.vocabulary
    assert all(3 <= len(c.key_points) <= 6 for c in deck.cards)
    assert {c.level for c in deck.cards} == set(LEVELS)


def test_docs_example_deck_is_valid_and_identical_to_the_docs() -> None:
    example = DATA / "example-deck.toml"
    load_deck(example)
    docs = (CARDS.parent / "docs" / "deck-format.md").read_text(encoding="utf-8")
    assert example.read_text(encoding="utf-8").strip() in docs


def test_good_deck_fields_and_defaults(tmp_path: Path) -> None:
    deck = load_deck(good_deck(tmp_path, "python-basics.toml"))
    assert deck.id == "python-basics"  # from the file name when not given
    assert deck.language == "en"
    assert deck.time_limit == 90
    card = deck.card("comprehension")
    assert deck.time_limit_for(card) == 90
    assert card.level == "basics"
    assert card.key_points[2].text == "optional filter"
    assert card.key_points[2].aliases == ("if clause",)
    assert card.key_points[0].weight == 1.0


def test_unknown_card_id_suggests_close_ids(tmp_path: Path) -> None:
    deck = load_deck(good_deck(tmp_path))
    with pytest.raises(KeyError, match="Did you mean 'comprehension'"):
        deck.card("comprehensoin")


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, 'title = "x"\n\n[[card]]\nid = "a\nquestion = "q"\n')
    [problem] = messages(path)
    assert problem.startswith(f"{path}:4:")
    assert "TOML syntax error" in problem


def test_every_problem_is_reported_at_once_with_file_card_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        title = "Broken"
        time_limt = 30

        [[card]]
        id = "first"
        question = "Q?"
        answr = "A."
        key_points = ["one point", "two points", "One   Point!"]
        tags = ["basics"]
        time_limit = -5

        [[card]]
        question = ""
        answer = "A."
        key_points = "not a list"
        tags = ["hard"]

        [[card]]
        id = "first"
        question = "Q?"
        answer = "A."
        key_points = [{ text = "x", weigth = 2 }, 42]
        tags = ["theory", "tricky"]
        """,
    )
    problems = messages(path)
    text = "\n".join(problems)
    expected = [
        f"{path}:3: field 'time_limt': unknown field 'time_limt'; did you mean 'time_limit'?",
        f"{path}:8: card 'first': field 'answr': unknown field 'answr'; did you mean 'answer'?",
        f"{path}:5: card 'first': field 'answer': missing (required)",
        f"{path}:9: card 'first': field 'key_points[3]': 'One   Point!' duplicates key point 1 ('one point')",
        f"{path}:11: card 'first': field 'time_limit': must be a positive number, not -5",
        f"{path}:13: card #2: field 'id': missing (required)",
        f"{path}:14: card #2: field 'question': is empty",
        f"{path}:16: card #2: field 'key_points': must be a list of phrases or tables, not a string",
        f"{path}:17: card #2: field 'tags': must hold exactly one level tag: basics, theory, tricky",
        f"{path}:20: card 'first': field 'id': duplicate id: card #1 already uses it",
        "card 'first': field 'key_points[1].weigth': unknown field 'weigth'; did you mean 'weight'?",
        "card 'first': field 'key_points[2]': must be a phrase or a table with 'text', not a number",
        "card 'first': field 'tags': must hold exactly one level tag: basics, theory, tricky (found theory, tricky)",
    ]
    for line in expected:
        assert line in text, f"missing: {line}\n--- got:\n{text}"
    with pytest.raises(DeckError) as raised:
        load_deck(path)
    assert len(raised.value.problems) == len([p for p in check_deck(path)[1] if p.severity is Severity.ERROR])


def test_wrong_types_and_empty_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        title = ""
        time_limit = "ninety"
        vocabulary = "FastAPI"
        language = "English"
        [[card]]
        id = "Not A Slug"
        question = 3
        answer = "A."
        key_points = []
        tags = ["basics", 7]
        time_limit = true
        """,
    )
    text = "\n".join(messages(path))
    for part in [
        "field 'title': is empty",
        "field 'time_limit': must be a number of seconds, not a string",
        "field 'vocabulary': must be a list of strings, not a string",
        "field 'language': must be a language code",
        "card 'Not A Slug': field 'id': must be a slug",
        "field 'question': must be a string, not a number",
        "field 'key_points': is empty",
        "field 'tags': item 2 must be a string, not a number",
        "card 'Not A Slug': field 'time_limit': must be a number of seconds, not true/false",
    ]:
        assert part in text, f"missing: {part}\n--- got:\n{text}"


def test_a_deck_without_cards_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, 'title = "Empty"\n')
    assert messages(path) == [f"{path}: field 'card': has no cards: add at least one [[card]] table"]


def test_key_point_count_outside_three_to_six_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        title = "Short"
        [[card]]
        id = "tiny"
        question = "Q?"
        answer = "A."
        key_points = ["only one"]
        tags = ["tricky"]
        """,
    )
    deck, problems = check_deck(path)
    assert deck is not None
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "has 1 key points; 3-6 score best" in str(problems[0])


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert messages(missing) == [f"{missing}: no such file"]
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00title")
    assert "is not UTF-8 text" in messages(binary)[0]


def test_one_broken_deck_never_stops_the_others(tmp_path: Path) -> None:
    good_deck(tmp_path, "a.toml")
    write(tmp_path, "title = [broken", "b.toml")
    good_deck(tmp_path, "c.toml", ids=("one", "two"))
    (tmp_path / "notes.txt").write_text("not a deck")
    sources = discover_decks([tmp_path])
    assert [s.path.name for s in sources] == ["a.toml", "b.toml", "c.toml"]
    assert [s.ok for s in sources] == [True, False, True]
    assert sources[2].deck is not None and len(sources[2].deck.cards) == 2
    assert "TOML syntax error" in str(sources[1].problems[0])


def test_the_documented_field_tables_match_the_declared_format() -> None:
    """docs/deck-format.md lists every declared field, marked required exactly when it is."""
    from trainer.deck import CARD_FIELDS, DECK_FIELDS, KEY_POINT_FIELDS, MISCONCEPTION_FIELDS

    docs = (CARDS.parent / "docs" / "deck-format.md").read_text(encoding="utf-8")
    tables = [block for block in docs.split("\n\n") if block.startswith("| field | type | required |")]
    assert len(tables) == 4
    all_specs = (DECK_FIELDS, CARD_FIELDS, KEY_POINT_FIELDS, MISCONCEPTION_FIELDS)
    for table, specs in zip(tables, all_specs, strict=True):
        rows = {}
        for line in table.splitlines()[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[2] == "**yes**"
        assert rows == {spec.name: spec.required for spec in specs}


def test_misconceptions_and_follow_ups_load_from_the_example_deck() -> None:
    card = load_deck(DATA / "example-deck.toml").card("mutable-default")
    (wrong,) = card.misconceptions
    assert wrong.claim == "default evaluated on every call"
    assert "evaluated once" in wrong.correction
    assert card.most_important_point.text == "default evaluated once"
    assert all(p.follow_up and p.follow_up.endswith("?") for p in card.key_points)


def test_a_malformed_misconception_is_reported_by_file_card_and_field(tmp_path: Path) -> None:
    path = good_deck(tmp_path)
    with path.open("a", encoding="utf-8") as f:
        f.write('\n[[card.misconceptions]]\nclaim = "comprehensions are slower"\ncorections = "typo"\n')
        f.write('\n[[card.misconceptions]]\nclaim = 3\ncorrection = "They are usually a little faster."\n')
    found = messages(path)
    assert f"{path}:11: card 'comprehension': field 'misconceptions[1].correction': missing (required)" in found
    assert any(
        "field 'misconceptions[1].corections': unknown field 'corections'; did you mean 'correction'" in m
        for m in found
    )
    assert any(
        "card 'comprehension': field 'misconceptions[2].claim': must be a string, not a number" in m for m in found
    )
    assert check_deck(path)[0] is None


def test_misconceptions_must_be_tables(tmp_path: Path) -> None:
    path = write(tmp_path, good_deck(tmp_path).read_text() + 'misconceptions = ["just a string"]\n')
    assert any(
        "field 'misconceptions[1]': must be a table with 'claim' and 'correction', not a string" in m
        for m in messages(path)
    )


def test_every_fastapi_card_has_misconceptions_and_every_point_a_follow_up() -> None:
    deck = load_deck(CARDS / "fastapi.toml")
    for card in deck.cards:
        assert card.misconceptions, card.id
        assert all(m.correction for m in card.misconceptions), card.id
        assert all(p.follow_up for p in card.key_points), card.id
