"""Cards from a spreadsheet saved as CSV: question, answer, optional key points and tags.

With a header row the columns are found by name in any order; without one they are question, answer,
key_points, tags. Key points are separated by ';' or '|', tags by spaces or commas.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from trainer.deck import LEVELS
from trainer.importers.base import DeckImportError, ImportedCard, ImportedDeck

#: Column name as written in a header (lowercase, spaces and '-' as '_') -> the field it fills.
COLUMNS: dict[str, str] = {
    "question": "question",
    "front": "question",
    "q": "question",
    "answer": "answer",
    "back": "answer",
    "a": "answer",
    "key_points": "key_points",
    "keypoints": "key_points",
    "key_point": "key_points",
    "points": "key_points",
    "tags": "tags",
    "tag": "tags",
    "level": "level",
    "id": "id",
}
POSITIONAL = ("question", "answer", "key_points", "tags")
_POINT_SEPARATOR = re.compile(r"\s*[;|\n]\s*")
_TAG_SEPARATOR = re.compile(r"[\s,;]+")


def _header(row: list[str]) -> dict[int, str] | None:
    """Column index -> field when the row is a header naming at least the question and the answer."""
    names = {i: COLUMNS.get(re.sub(r"[\s-]+", "_", cell.strip().lower())) for i, cell in enumerate(row)}
    found = {i: name for i, name in names.items() if name}
    return found if {"question", "answer"} <= set(found.values()) else None


def _delimiter(text: str, path: Path) -> str:
    """Tab for .tsv; else the most frequent of ',', ';' and tab on the first line (spreadsheets in locales with a
    decimal comma save with ';'). csv.Sniffer is not used: it misreads answers that quote speech."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    first = re.sub(r'"[^"]*"', "", text.lstrip().splitlines()[0])
    return max((",", ";", "\t"), key=first.count)


def read_csv(path: Path) -> ImportedDeck:
    """The cards in a CSV file; DeckImportError lists every row that cannot become a card, by line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeckImportError(f"{path}: is not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    if not text.strip():
        raise DeckImportError(f"{path}: is empty")
    reader = csv.reader(text.splitlines(keepends=True), delimiter=_delimiter(text, path))
    rows = [(reader.line_num, row) for row in reader]
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise DeckImportError(f"{path}: has no rows")
    columns = _header(rows[0][1])
    if columns is not None:
        rows = rows[1:]
    else:
        columns = dict(enumerate(POSITIONAL))

    cards: list[ImportedCard] = []
    problems: list[str] = []
    for line, row in rows:
        values: dict[str, str] = {}
        for index, name in columns.items():
            if index < len(row) and row[index].strip():
                values[name] = row[index].strip()
        missing = [name for name in ("question", "answer") if name not in values]
        if missing:
            problems.append(f"{path}:{line}: no {' and no '.join(missing)}")
            continue
        points = tuple(p for p in _POINT_SEPARATOR.split(values.get("key_points", "")) if p)
        tags = tuple(t for t in _TAG_SEPARATOR.split(values.get("tags", "")) if t)
        if "level" in values:
            if values["level"].lower() not in LEVELS:
                problems.append(f"{path}:{line}: level {values['level']!r} is not one of {', '.join(LEVELS)}")
                continue
            tags = (values["level"].lower(), *tags)
        cards.append(ImportedCard(values["question"], values["answer"], points, tags, values.get("id"), f"line {line}"))
    if problems:
        listed = "\n  ".join(problems)
        raise DeckImportError(f"{path}: {len(problems)} row(s) cannot become cards:\n  {listed}")
    return ImportedDeck(tuple(cards))
