"""What every importer shares: the imported card, key point proposals, ids, and writing the TOML deck."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from trainer.deck import LEVELS, RECOMMENDED_KEY_POINTS, REVIEW_IMPORTED, DeckSource, check_deck

#: Format name -> file suffixes it is recognised by.
FORMATS: dict[str, tuple[str, ...]] = {"csv": (".csv", ".tsv"), "anki-text": (".txt",), "apkg": (".apkg",)}
DEFAULT_LEVEL = "basics"
#: A proposed key point keeps at most this many words of its clause: short phrases are what scoring matches.
PROPOSED_POINT_WORDS = 8


class DeckImportError(Exception):
    """A file that cannot be imported; the message says where and why (file, line or note)."""


class DeckExists(DeckImportError):
    """The deck file to write exists already: it is kept unless the import is told to replace it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} already exists")


@dataclass(frozen=True)
class ImportedCard:
    """One question and answer as read from the source, before ids, levels and key points are settled."""

    question: str
    answer: str
    key_points: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    id: str | None = None
    #: Where it came from, for messages: "line 4", "note 1690000000000".
    origin: str = ""


@dataclass(frozen=True)
class ImportedDeck:
    """The cards read from one file, with the title the source suggests (an Anki deck's name)."""

    cards: tuple[ImportedCard, ...]
    title: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """A written deck: where, how many cards, which ones await review, and what `trainer check` says."""

    path: Path
    cards: int
    proposed: tuple[str, ...]
    source: DeckSource = field(repr=False)


def detect_format(path: Path) -> str:
    """The format a file's suffix says; DeckImportError names the known ones."""
    suffix = path.suffix.lower()
    for name, suffixes in FORMATS.items():
        if suffix in suffixes:
            return name
    known = ", ".join(f"{name} ({' '.join(s)})" for name, s in FORMATS.items())
    raise DeckImportError(f"{path}: cannot tell the format from the suffix {suffix!r}; give --format: {known}")


def read_cards(path: Path | str, format: str | None = None) -> ImportedDeck:
    """Read the cards of a CSV file, an Anki plain-text export or an Anki package."""
    path = Path(path)
    if not path.is_file():
        raise DeckImportError(f"{path}: no such file")
    format = format or detect_format(path)
    if format == "csv":
        from trainer.importers.csv import read_csv

        return read_csv(path)
    if format == "anki-text":
        from trainer.importers.anki import read_anki_text

        return read_anki_text(path)
    if format == "apkg":
        from trainer.importers.anki import read_apkg

        return read_apkg(path)
    raise DeckImportError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")


# --- key points proposed from the answer ---------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`])|\n+")
_CLAUSE_BREAK = re.compile(r"[,;:()–—]| - |\b(?:because|which|so that|while|whereas|but)\b", re.IGNORECASE)
_LEADING = re.compile(r"^(?:(?:and|but|so|also|then|yes|no|well|basically|in short|it|this|that)\b[\s,]*)+", re.I)
_TRAILING = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "is", "are", "as", "that"}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _clauses(sentence: str) -> list[str]:
    """The sentence's clauses of at least two words, without a leading connective, cut to a few words."""
    phrases = []
    for clause in _CLAUSE_BREAK.split(sentence):
        text = _LEADING.sub("", (clause or "").strip(" .!?\"'")).strip()
        words = text.split()[:PROPOSED_POINT_WORDS]
        while len(words) > 1 and words[-1].lower().strip(".,") in _TRAILING:
            words.pop()
        if len(words) >= 2:
            phrases.append(" ".join(words).strip(" .,;:"))
    return phrases


def propose_key_points(answer: str, limit: int = RECOMMENDED_KEY_POINTS[1]) -> tuple[str, ...]:
    """Short phrases from the answer, in order: each sentence's main clause first, then its other clauses while
    there are fewer than the recommended minimum. A starting point for the author, never the final word."""
    clauses = [_clauses(sentence) for sentence in _sentences(answer)]
    main = [c[0] for c in clauses if c]
    others = [extra for c in clauses for extra in c[1:]]
    points: list[str] = []
    for phrase in [*main, *others]:
        enough = len(points) >= (limit if phrase in main else RECOMMENDED_KEY_POINTS[0])
        if not enough and phrase.casefold() not in {p.casefold() for p in points}:
            points.append(phrase)
    if not points and answer.strip():
        points.append(" ".join(answer.split()[:PROPOSED_POINT_WORDS]))
    return tuple(points)


# --- ids, levels, the deck ---------------------------------------------------------------------------------


def slugify(text: str, max_words: int = 6) -> str:
    """A card or deck id from text: ASCII, lowercase, words joined by '-' ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:max_words])


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


def build_deck(
    imported: ImportedDeck,
    *,
    deck_id: str,
    title: str,
    level: str = DEFAULT_LEVEL,
    description: str = "",
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The deck as TOML data, and the ids of the cards whose key points were proposed."""
    if level not in LEVELS:
        raise DeckImportError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")
    if not imported.cards:
        raise DeckImportError("no cards found to import")
    taken: set[str] = set()
    cards: list[dict[str, Any]] = []
    proposed: list[str] = []
    for number, card in enumerate(imported.cards, 1):
        card_id = _unique(slugify(card.id or "") or slugify(card.question) or f"card-{number}", taken)
        tags = list(dict.fromkeys(card.tags))
        if not any(t in LEVELS for t in tags):
            tags.insert(0, level)
        entry: dict[str, Any] = {"id": card_id, "question": card.question, "answer": card.answer}
        if card.key_points:
            entry["key_points"] = list(card.key_points)
        else:
            entry["key_points"] = list(propose_key_points(card.answer))
            entry["review"] = REVIEW_IMPORTED
            proposed.append(card_id)
        entry["tags"] = tags
        cards.append(entry)
    data: dict[str, Any] = {"id": deck_id, "title": title}
    if description:
        data["description"] = description
    data["card"] = cards
    return data, tuple(proposed)


def write_deck(data: dict[str, Any], path: Path, *, overwrite: bool = False) -> Path:
    """Write the TOML deck atomically (never half a file); an existing file is kept unless `overwrite`."""
    if path.exists() and not overwrite:
        raise DeckExists(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = tomli_w.dumps(data, multiline_strings=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def import_file(
    source: Path | str,
    output: Path | None = None,
    *,
    format: str | None = None,
    deck_id: str | None = None,
    title: str | None = None,
    level: str = DEFAULT_LEVEL,
    overwrite: bool = False,
    deck_dir: Path | None = None,
) -> ImportResult:
    """Read `source`, write it as a deck (by default `<deck_dir>/<id>.toml`), and check the result."""
    from trainer import paths

    source = Path(source)
    imported = read_cards(source, format)
    deck_id = slugify(deck_id or "", max_words=12) or slugify(source.stem, max_words=12) or "imported"
    title = title or imported.title or source.stem.replace("_", " ").replace("-", " ").strip().capitalize()
    data, proposed = build_deck(
        imported, deck_id=deck_id, title=title, level=level, description=f"Imported from {source.name}."
    )
    target = output or (deck_dir or paths.user_deck_dir()) / f"{deck_id}.toml"
    write_deck(data, target, overwrite=overwrite)
    deck, problems = check_deck(target)
    return ImportResult(target, len(data["card"]), proposed, DeckSource(target, deck, tuple(problems)))
