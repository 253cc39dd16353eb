"""Cards from Anki: the "Notes in Plain Text" export (.txt) and deck packages (.apkg).

An .apkg is a zip holding an SQLite collection (`collection.anki21`, or `collection.anki2` from older Anki):
notes keep their fields in `flds`, separated by U+001F, and each note's type (`mid`) names its fields in the
`col.models` JSON. The question is the field named Front/Question (else the first), the answer Back/Answer
(else the second). Fields hold HTML; it is turned into plain text, and cloze deletions into their answer.
"""

from __future__ import annotations

import csv
import html
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from trainer.importers.base import DeckImportError, ImportedCard, ImportedDeck

FIELD_SEPARATOR = "\x1f"
QUESTION_FIELDS = ("front", "question", "text")
ANSWER_FIELDS = ("back", "answer", "back extra", "extra")
#: Collections in a package, the one to read first; `collection.anki21b` (zstd) is not readable here.
COLLECTIONS = ("collection.anki21", "collection.anki2")
NEWER_FORMAT = "collection.anki21b"

_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.DOTALL)
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}


def plain_text(value: str, *, blank_clozes: bool = False) -> str:
    """An Anki field as plain text: line breaks kept, other HTML removed, entities decoded, clozes answered
    (or left as a blank, for the question side)."""
    value = _CLOZE.sub("[...]" if blank_clozes else r"\1", value)
    value = _SOUND.sub("", value)
    value = _BREAK.sub("\n", value)
    value = html.unescape(_TAG.sub("", value)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in value.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _tags(value: str) -> tuple[str, ...]:
    """Anki tags (space separated; `::` marks a hierarchy) as deck tags."""
    return tuple(t.lower().replace("::", "-") for t in value.split() if t)


# --- Notes in Plain Text ------------------------------------------------------------------------------------


def read_anki_text(path: Path) -> ImportedDeck:
    """The notes of a "Notes in Plain Text" export (with or without Anki 2.1.55's `#key:value` header)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeckImportError(f"{path}: is not UTF-8 text (byte {exc.start})") from None
    lines = text.splitlines(keepends=True)
    header: dict[str, str] = {}
    while lines and lines[0].startswith("#") and ":" in lines[0]:
        key, _, value = lines.pop(0)[1:].partition(":")
        header[key.strip().lower()] = value.strip()
    separator = header.get("separator", "tab")
    delimiter = _SEPARATORS.get(separator.lower(), separator)
    if len(delimiter) != 1:
        raise DeckImportError(f"{path}: unknown #separator {separator!r}")
    is_html = header.get("html", "true").lower() == "true"

    def column(name: str) -> int | None:
        value = header.get(f"{name} column")
        return int(value) - 1 if value and value.isdigit() else None

    tags_at = column("tags")
    deck_at = column("deck")
    deck_names: Counter[str] = Counter()
    skipped = {c for c in (column("notetype"), column("deck"), column("guid")) if c is not None}
    first_line = text.count("\n", 0, len(text) - len("".join(lines))) + 1
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')
    cards: list[ImportedCard] = []
    problems: list[str] = []
    for row in reader:
        line = first_line + reader.line_num - 1
        if not any(cell.strip() for cell in row):
            continue
        tags = _tags(row[tags_at]) if tags_at is not None and tags_at < len(row) else ()
        if deck_at is not None and deck_at < len(row) and row[deck_at].strip():
            deck_names[row[deck_at].strip()] += 1
        fields = [cell for i, cell in enumerate(row) if i not in skipped and i != tags_at]
        fields = [plain_text(f) if is_html else f.strip() for f in fields]
        if len(fields) < 2 or not fields[0] or not fields[1]:
            problems.append(f"{path}:{line}: a note needs a question and an answer (found {len(fields)} field(s))")
            continue
        cards.append(ImportedCard(fields[0], fields[1], (), tags, None, f"line {line}"))
    if problems:
        listed = "\n  ".join(problems)
        raise DeckImportError(f"{path}: {len(problems)} note(s) cannot become cards:\n  {listed}")
    if not cards:
        raise DeckImportError(f"{path}: has no notes")
    return ImportedDeck(tuple(cards), _short_deck_name(deck_names.most_common(1)[0][0]) if deck_names else None)


def _short_deck_name(name: str) -> str | None:
    """A deck's name as a title: the last part of `Parent::Child`, none for Anki's 'Default'."""
    short = name.split("::")[-1].strip()
    return None if not short or short == "Default" else short


# --- .apkg packages -----------------------------------------------------------------------------------------


def _pick(names: list[str], wanted: tuple[str, ...], default: int) -> int:
    lowered = [n.strip().lower() for n in names]
    return next((lowered.index(w) for w in wanted if w in lowered), default)


def _field_names(db: sqlite3.Connection) -> dict[int, list[str]]:
    """Note type id -> its field names in order: from `col.models` (the export format), else the newer
    `notetypes`/`fields` tables."""
    (models_json,) = db.execute("SELECT models FROM col").fetchone()
    models: dict[str, Any] = json.loads(models_json or "{}")
    names = {
        int(mid): [f["name"] for f in sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))]
        for mid, model in models.items()
    }
    if not names:
        try:
            rows = db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord").fetchall()
        except sqlite3.Error:
            rows = []
        for ntid, name in rows:
            names.setdefault(int(ntid), []).append(name)
    return names


def _deck_title(db: sqlite3.Connection) -> str | None:
    """The name of the deck most of the cards are in (the part after the last `::`), unless it is 'Default'."""
    counts = Counter(did for (did,) in db.execute("SELECT did FROM cards"))
    if not counts:
        return None
    did = counts.most_common(1)[0][0]
    (decks_json,) = db.execute("SELECT decks FROM col").fetchone()
    decks: dict[str, Any] = json.loads(decks_json or "{}")
    name = decks.get(str(did), {}).get("name")
    return _short_deck_name(name) if isinstance(name, str) else None


def read_apkg(path: Path) -> ImportedDeck:
    """The notes of an Anki package, with the deck's name as the title."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise DeckImportError(f"{path}: is not an Anki package (not a zip file)") from None
    with archive, tempfile.TemporaryDirectory(prefix="trainer-apkg-") as temp:
        members = set(archive.namelist())
        name = next((n for n in COLLECTIONS if n in members), None)
        if name is None:
            if NEWER_FORMAT in members:
                raise DeckImportError(
                    f"{path}: uses Anki's newer compressed collection format; in Anki, export the deck again "
                    "with 'Support older Anki versions' ticked"
                )
            raise DeckImportError(f"{path}: holds no Anki collection ({', '.join(COLLECTIONS)})")
        collection = Path(archive.extract(name, temp))
        try:
            db = sqlite3.connect(f"{collection.as_uri()}?mode=ro", uri=True)
            try:
                return _read_collection(path, db)
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise DeckImportError(f"{path}: the collection cannot be read ({exc})") from None


def _read_collection(path: Path, db: sqlite3.Connection) -> ImportedDeck:
    field_names = _field_names(db)
    cards: list[ImportedCard] = []
    problems: list[str] = []
    for note_id, mid, flds, tags in db.execute("SELECT id, mid, flds, tags FROM notes ORDER BY id"):
        fields = flds.split(FIELD_SEPARATOR)
        names = field_names.get(int(mid), [])
        question_at = _pick(names, QUESTION_FIELDS, 0)
        answer_at = _pick(names, ANSWER_FIELDS, 1 if question_at != 1 else 0)
        front = fields[question_at] if question_at < len(fields) else ""
        question = plain_text(front, blank_clozes=True)
        answer = plain_text(fields[answer_at]) if answer_at < len(fields) else ""
        if _CLOZE.search(front):  # a cloze note: the question has blanks, the answer is the sentence answered
            answer = "\n".join(part for part in (plain_text(front), answer) if part)
        if not question or not answer:
            problems.append(f"note {note_id}: needs a question and an answer")
            continue
        cards.append(ImportedCard(question, answer, (), _tags(tags), None, f"note {note_id}"))
    if problems and not cards:
        raise DeckImportError(f"{path}: no note has both a question and an answer ({len(problems)} note(s))")
    if problems:
        listed = "\n  ".join(problems)
        raise DeckImportError(f"{path}: {len(problems)} note(s) cannot become cards:\n  {listed}")
    if not cards:
        raise DeckImportError(f"{path}: the collection holds no notes")
    return ImportedDeck(tuple(cards), _deck_title(db))
