"""Decks: the TOML format users write, its validation, and finding decks on disk.

The format is product surface: a broken deck must say exactly what is wrong (file, card, field, and the line
where it can be found) and report every problem at once, so a user can fix a deck in one pass. The format is
documented in docs/deck-format.md; `DECK_FIELDS`, `CARD_FIELDS`, `KEY_POINT_FIELDS` and `MISCONCEPTION_FIELDS`
declare it once: unknown-field checks use them, and a test keeps the documentation's field tables in step.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from trainer.normalize import STOPWORDS, normalize_phrase, tokenize

#: The level tags; every card carries exactly one.
LEVELS: tuple[str, ...] = ("basics", "theory", "tricky")
DEFAULT_TIME_LIMIT = 90.0
DEFAULT_LANGUAGE = "en"
#: A recommendation, not a rule: fewer key points make a coarse score, more make a card hard to answer.
RECOMMENDED_KEY_POINTS = (3, 6)
#: `review = "imported"`: the card's key points were proposed by `trainer import`; `trainer check` warns until the
#: author confirms them by deleting the line.
REVIEW_IMPORTED = "imported"
DECK_SUFFIX = ".toml"

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class KeyPoint:
    """One idea an interviewer listens for, with other ways it may be said or misheard."""

    text: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0
    #: What an interviewer asks next when the point was missed ("And if the client leaves it out?").
    follow_up: str | None = None

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrase and its aliases: any of them counts as saying the point."""
        return (self.text, *self.aliases)


@dataclass(frozen=True)
class Misconception:
    """A wrong claim candidates often make about the card, and what is true instead.

    Saying it is flagged in the result with its correction and lowers the score."""

    claim: str
    correction: str
    aliases: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """The claim and other ways of saying it: any of them counts as making the claim."""
        return (self.claim, *self.aliases)


@dataclass(frozen=True)
class Card:
    """A question with its model answer and the key points that score an answer to it."""

    id: str
    question: str
    answer: str
    key_points: tuple[KeyPoint, ...]
    tags: tuple[str, ...]
    time_limit: float | None = None
    #: "imported" while the key points are proposals to confirm (see REVIEW_IMPORTED), else None.
    review: str | None = None
    misconceptions: tuple[Misconception, ...] = ()

    @property
    def most_important_point(self) -> KeyPoint:
        """The key point with the highest weight, the first of them on ties."""
        return max(self.key_points, key=lambda p: p.weight)

    @property
    def level(self) -> str:
        """basics, theory or tricky."""
        return next((t for t in self.tags if t in LEVELS), "")


@dataclass(frozen=True)
class Deck:
    """A named set of cards, loaded from one TOML file."""

    id: str
    title: str
    cards: tuple[Card, ...]
    description: str = ""
    language: str = DEFAULT_LANGUAGE
    time_limit: float = DEFAULT_TIME_LIMIT
    vocabulary: tuple[str, ...] = ()
    path: Path | None = None

    def card(self, card_id: str) -> Card:
        """The card with this id; KeyError names the ids there are."""
        for card in self.cards:
            if card.id == card_id:
                return card
        close = difflib.get_close_matches(card_id, [c.id for c in self.cards], n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"deck {self.id!r} has no card {card_id!r}.{hint}")

    def time_limit_for(self, card: Card) -> float:
        """The card's own time limit, else the deck's."""
        return card.time_limit if card.time_limit is not None else self.time_limit


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deck file, precise enough to fix without searching."""

    path: Path
    message: str
    card: str | None = None  # "'path-vs-query'" or "#3" when the id is missing
    field: str | None = None
    line: int | None = None
    column: int | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.card is not None:
            parts.append(f"card {self.card}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{': '.join(parts)}: {prefix}{self.message}"


class DeckError(Exception):
    """A deck that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s)\n{lines}")


# --- the format, declared once --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field of the format: what validation checks and what the docs list."""

    name: str
    kind: str  # "string", "text", "number", "string list", "key points", "slug"
    required: bool
    description: str


DECK_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "id",
        "slug",
        False,
        "Stable id of the deck (lowercase, digits, '-' or '_'); defaults to the file name.",
    ),
    FieldSpec("title", "string", True, "Shown in the deck list."),
    FieldSpec("description", "text", False, "One or two sentences on what the deck covers."),
    FieldSpec("language", "string", False, "Language of questions and answers, e.g. 'en' (default 'en')."),
    FieldSpec("time_limit", "number", False, f"Default seconds to answer a card (default {DEFAULT_TIME_LIMIT:g})."),
    FieldSpec("vocabulary", "string list", False, "Technical terms, used to bias speech recognition."),
    FieldSpec("card", "cards", True, "The cards, one [[card]] table each."),
)

CARD_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "slug", True, "Stable id, unique in the deck; attempts are kept under it, so do not rename."),
    FieldSpec("question", "text", True, "What is shown and read aloud."),
    FieldSpec("answer", "text", True, "The model answer: what a strong candidate says in 30-90 seconds."),
    FieldSpec("key_points", "key points", True, "The ideas an interviewer listens for (3-6)."),
    FieldSpec("tags", "string list", True, f"Labels; exactly one level: {', '.join(LEVELS)}."),
    FieldSpec("time_limit", "number", False, "Seconds to answer this card, overriding the deck's."),
    FieldSpec(
        "review",
        "string",
        False,
        f"'{REVIEW_IMPORTED}': key points proposed by `trainer import`, to confirm (then delete the line).",
    ),
    FieldSpec("misconceptions", "misconceptions", False, "Common wrong claims, each with its correction."),
)

KEY_POINT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("text", "string", True, "The point, in a few words."),
    FieldSpec("aliases", "string list", False, "Other ways it is said or misheard, e.g. 'pedantic' for Pydantic."),
    FieldSpec("weight", "number", False, "How much it counts relative to the others (default 1)."),
    FieldSpec("follow_up", "text", False, "A short question an interviewer asks when the point was missed."),
)

MISCONCEPTION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("claim", "string", True, "The wrong claim, in a few words, as candidates say it."),
    FieldSpec("correction", "text", True, "What is true instead, shown when the claim is said."),
    FieldSpec("aliases", "string list", False, "Other ways the same wrong claim is said."),
)


# --- loading and validation -----------------------------------------------------------------------------


class _Collector:
    """Gathers problems for one file, with line numbers located in the source text."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.lines = source.splitlines()
        self.problems: list[Problem] = []
        self._card_lines = [i + 1 for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*card\s*\]\]", line)]

    def card_line(self, index: int) -> int | None:
        return self._card_lines[index] if index < len(self._card_lines) else None

    def field_line(self, key: str, card_index: int | None) -> int | None:
        """The line where `key = ...` is written, inside the card's table when there is one."""
        if card_index is None:
            start, end = 0, self._card_lines[0] - 1 if self._card_lines else len(self.lines)
        else:
            start_line = self.card_line(card_index)
            if start_line is None:
                return None
            start = start_line
            end = self.card_line(card_index + 1) or len(self.lines) + 1
            end -= 1
        pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start, min(end, len(self.lines))):
            if pattern.match(self.lines[number]):
                return number + 1
        return None

    def sub_table_line(self, name: str, nth: int, card_index: int) -> int | None:
        """The line of the card's nth `[[card.NAME]]` table (1-based), when written that way."""
        start = self.card_line(card_index)
        if start is None:
            return None
        end = self.card_line(card_index + 1) or len(self.lines) + 1
        header = re.compile(rf"\s*\[\[\s*card\.{re.escape(name)}\s*\]\]")
        found = [n for n in range(start, end - 1) if header.match(self.lines[n])]
        return found[nth - 1] + 1 if nth <= len(found) else None

    def add(
        self,
        message: str,
        *,
        card: str | None = None,
        card_index: int | None = None,
        field: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        line = None
        if field is not None:
            line = self.field_line(field.split(".")[0].split("[")[0], card_index)
            table = re.match(r"misconceptions\[(\d+)\]", field)
            if table and card_index is not None:
                line = self.sub_table_line("misconceptions", int(table[1]), card_index) or line
        if line is None and card_index is not None:
            line = self.card_line(card_index)
        self.problems.append(Problem(self.path, message, card, field, line, None, severity))


def _type_name(value: object) -> str:
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _check_unknown(data: Mapping[str, Any], specs: Iterable[FieldSpec], report: Any, what: str) -> None:
    known = [s.name for s in specs]
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; {what} fields are: {', '.join(known)}"
            report(f"unknown field '{key}'{hint}", key)


def _text(data: Mapping[str, Any], key: str, required: bool, report: Any) -> str | None:
    if key not in data:
        if required:
            report("missing (required)", key)
        return None
    value = data[key]
    if not isinstance(value, str):
        report(f"must be a string, not {_type_name(value)}", key)
        return None
    if not value.strip():
        report("is empty", key)
        return None
    return value.strip()


def _number(data: Mapping[str, Any], key: str, report: Any, unit: str = " of seconds") -> float | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        report(f"must be a number{unit}, not {_type_name(value)}", key)
        return None
    if not math.isfinite(value) or value <= 0:
        report(f"must be a positive number, not {value}", key)
        return None
    return float(value)


def _string_list(data: Mapping[str, Any], key: str, report: Any) -> tuple[str, ...] | None:
    if key not in data:
        return None
    value = data[key]
    if not isinstance(value, list):
        report(f"must be a list of strings, not {_type_name(value)}", key)
        return None
    items: list[str] = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            report(f"item {i} must be a string, not {_type_name(item)}", key)
        elif not item.strip():
            report(f"item {i} is empty", key)
        else:
            items.append(item.strip())
    return tuple(items)


def _key_points(raw: object, report: Any) -> tuple[KeyPoint, ...] | None:
    if not isinstance(raw, list):
        report(f"must be a list of phrases or tables, not {_type_name(raw)}", "key_points")
        return None
    if not raw:
        report("is empty: a card needs at least one key point to be scored", "key_points")
        return None
    points: list[KeyPoint] = []
    seen: dict[str, tuple[int, str]] = {}
    for i, item in enumerate(raw, 1):
        name = f"key_points[{i}]"
        if isinstance(item, str):
            if not item.strip():
                report("is empty", name)
                continue
            point = KeyPoint(item.strip())
        elif isinstance(item, dict):

            def sub(message: str, key: str, _name: str = name) -> None:
                report(message, f"{_name}.{key}")

            _check_unknown(item, KEY_POINT_FIELDS, sub, "key point")
            text = _text(item, "text", True, sub)
            aliases = _string_list(item, "aliases", sub) or ()
            weight = _number(item, "weight", sub, unit="")
            follow_up = _text(item, "follow_up", False, sub)
            if text is None:
                continue
            point = KeyPoint(text, aliases, 1.0 if weight is None else weight, follow_up)
        else:
            report(f"must be a phrase or a table with 'text', not {_type_name(item)}", name)
            continue
        normal = normalize_phrase(point.text)
        if normal in seen:
            first, first_text = seen[normal]
            report(f"'{point.text}' duplicates key point {first} ('{first_text}')", name)
            continue
        seen[normal] = (i, point.text)
        points.append(point)
    return tuple(points)


def _misconceptions(raw: object, report: Any) -> tuple[Misconception, ...] | None:
    if not isinstance(raw, list):
        report(f"must be a list of tables with 'claim' and 'correction', not {_type_name(raw)}", "misconceptions")
        return None
    found: list[Misconception] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw, 1):
        name = f"misconceptions[{i}]"
        if not isinstance(item, dict):
            report(f"must be a table with 'claim' and 'correction', not {_type_name(item)}", name)
            continue

        def sub(message: str, key: str, _name: str = name) -> None:
            report(message, f"{_name}.{key}")

        _check_unknown(item, MISCONCEPTION_FIELDS, sub, "misconception")
        claim = _text(item, "claim", True, sub)
        correction = _text(item, "correction", True, sub)
        aliases = _string_list(item, "aliases", sub) or ()
        if claim is None or correction is None:
            continue
        for j, phrase in enumerate((claim, *aliases)):
            if len([t for t in tokenize(phrase) if t.text not in STOPWORDS]) < 2:
                where = "claim" if j == 0 else "aliases"
                sub(f"'{phrase}' has fewer than two meaningful words: it is never matched", where)
        normal = normalize_phrase(claim)
        if normal in seen:
            report(f"'{claim}' duplicates misconception {seen[normal]}", name)
            continue
        seen[normal] = i
        found.append(Misconception(claim, correction, aliases))
    return tuple(found)


def _card(raw: object, index: int, out: _Collector, seen_ids: dict[str, int]) -> Card | None:
    position = f"#{index + 1}"
    if not isinstance(raw, dict):
        out.add(f"must be a [[card]] table, not {_type_name(raw)}", card=position, card_index=index)
        return None
    raw_id = raw.get("id")
    label = f"'{raw_id}'" if isinstance(raw_id, str) and raw_id.strip() else position

    def report(message: str, key: str) -> None:
        out.add(message, card=label, card_index=index, field=key)

    _check_unknown(raw, CARD_FIELDS, report, "card")
    card_id = _text(raw, "id", True, report)
    if card_id is not None:
        if not _SLUG.match(card_id):
            report("must be a slug: lowercase letters, digits, '-' or '_' (e.g. 'path-vs-query')", "id")
        elif card_id in seen_ids:
            report(f"duplicate id: card #{seen_ids[card_id]} already uses it", "id")
            card_id = None
        else:
            seen_ids[card_id] = index + 1
    question = _text(raw, "question", True, report)
    answer = _text(raw, "answer", True, report)
    points = _key_points(raw["key_points"], report) if "key_points" in raw else None
    if "key_points" not in raw:
        report("missing (required)", "key_points")
    elif (
        isinstance(raw["key_points"], list)
        and raw["key_points"]
        and not (RECOMMENDED_KEY_POINTS[0] <= len(raw["key_points"]) <= RECOMMENDED_KEY_POINTS[1])
    ):
        low, high = RECOMMENDED_KEY_POINTS
        out.add(
            f"has {len(raw['key_points'])} key points; {low}-{high} score best",
            card=label,
            card_index=index,
            field="key_points",
            severity=Severity.WARNING,
        )
    tags = _string_list(raw, "tags", report)
    if "tags" not in raw:
        report(f"missing (required): give at least the level, one of {', '.join(LEVELS)}", "tags")
    elif tags is not None:
        levels = [t for t in tags if t in LEVELS]
        if len(levels) != 1:
            found = f" (found {', '.join(levels)})" if levels else ""
            report(f"must hold exactly one level tag: {', '.join(LEVELS)}{found}", "tags")
    time_limit = _number(raw, "time_limit", report)
    review = _text(raw, "review", False, report)
    if review is not None and review != REVIEW_IMPORTED:
        report(f"must be '{REVIEW_IMPORTED}' (or left out), not {review!r}", "review")
    elif review is not None:
        out.add(
            "key points were proposed by `trainer import`: check them, then delete the `review` line",
            card=label,
            card_index=index,
            field="review",
            severity=Severity.WARNING,
        )
    misconceptions = _misconceptions(raw["misconceptions"], report) if "misconceptions" in raw else ()
    if None in (card_id, question, answer, points, tags, misconceptions) or not points:
        return None
    assert card_id and question and answer and points is not None and tags is not None
    assert misconceptions is not None
    return Card(card_id, question, answer, points, tags, time_limit, misconceptions=misconceptions, review=review)


def check_deck(path: Path | str) -> tuple[Deck | None, list[Problem]]:
    """Load a deck and list every problem; the deck is None when any problem is an error."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(path, "no such file")]
    except IsADirectoryError:
        return None, [Problem(path, "is a folder, not a deck file")]
    except UnicodeDecodeError as exc:
        return None, [Problem(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, [Problem(path, f"cannot be read: {exc.strerror or exc}")]
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(path, exc)]

    out = _Collector(path, source)

    def report(message: str, key: str) -> None:
        out.add(message, field=key)

    _check_unknown(data, DECK_FIELDS, report, "deck")
    deck_id = _text(data, "id", False, report) or path.stem
    if not _SLUG.match(deck_id):
        report("must be a slug: lowercase letters, digits, '-' or '_'", "id")
    title = _text(data, "title", True, report)
    description = _text(data, "description", False, report) or ""
    language = _text(data, "language", False, report) or DEFAULT_LANGUAGE
    if not _LANGUAGE.match(language):
        report(f"must be a language code such as 'en' or 'pt-BR', not {language!r}", "language")
    time_limit = _number(data, "time_limit", report)
    vocabulary = _string_list(data, "vocabulary", report) or ()

    cards: list[Card] = []
    raw_cards = data.get("card")
    if raw_cards is None or raw_cards == []:  # `card = []` too: a deck without cards cannot be practised
        out.add("has no cards: add at least one [[card]] table", field="card")
    elif not isinstance(raw_cards, list):
        out.add("must be written as [[card]] tables", field="card")
    else:
        seen_ids: dict[str, int] = {}
        for index, raw in enumerate(raw_cards):
            card = _card(raw, index, out, seen_ids)
            if card is not None:
                cards.append(card)

    problems = out.problems
    if any(p.severity is Severity.ERROR for p in problems) or title is None:
        return None, problems
    deck = Deck(
        id=deck_id,
        title=title,
        cards=tuple(cards),
        description=description,
        language=language,
        time_limit=DEFAULT_TIME_LIMIT if time_limit is None else time_limit,
        vocabulary=vocabulary,
        path=path,
    )
    return deck, problems


def _syntax_problem(path: Path, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        message = message[: match.start()].strip()
        return Problem(path, f"TOML syntax error: {message}", line=int(match[1]), column=int(match[2]))
    match = re.search(r"\(at end of document\)", message)
    if match:
        message = message[: match.start()].strip()
    return Problem(path, f"TOML syntax error: {message}")


def load_deck(path: Path | str) -> Deck:
    """Load a valid deck, or raise DeckError listing every problem."""
    deck, problems = check_deck(path)
    if deck is None:
        raise DeckError(Path(path), [p for p in problems if p.severity is Severity.ERROR])
    return deck


@dataclass(frozen=True)
class DeckSource:
    """A deck file found on disk: the deck when it loaded, the problems either way."""

    path: Path
    deck: Deck | None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.deck is not None


def deck_files(locations: Iterable[Path]) -> list[Path]:
    """Deck files in these folders (not recursive) or named directly, in a stable order."""
    files: list[Path] = []
    for location in locations:
        if location.is_dir():
            files.extend(sorted(p for p in location.iterdir() if p.suffix == DECK_SUFFIX and p.is_file()))
        else:
            files.append(location)
    return files


def discover_decks(locations: Iterable[Path]) -> list[DeckSource]:
    """Load every deck found; a broken deck is reported with its problems and never stops the others."""
    sources = []
    for path in deck_files(locations):
        deck, problems = check_deck(path)
        sources.append(DeckSource(path, deck, tuple(problems)))
    return sources


def default_deck_locations() -> list[Path]:
    """The shipped decks, then the user's deck folder (when it exists)."""
    from trainer import paths

    locations = [paths.shipped_deck_dir()]
    user = paths.user_deck_dir()
    if user.is_dir():
        locations.append(user)
    return locations
