"""Decks from other tools: CSV spreadsheets and Anki (plain-text export and .apkg packages), written as TOML.

Readers return `ImportedCard`s; `build_deck` gives every card an id and a level, proposes key points where the
source has none (marking the card `review = "imported"` so `trainer check` warns until the author confirms
them), and `write_deck` writes the TOML deck. `import_file` does all three for one file.
"""

from __future__ import annotations

from trainer.importers.base import (
    FORMATS,
    DeckExists,
    DeckImportError,
    ImportedCard,
    ImportedDeck,
    ImportResult,
    build_deck,
    import_file,
    propose_key_points,
    read_cards,
    slugify,
    write_deck,
)

__all__ = [
    "FORMATS",
    "DeckExists",
    "DeckImportError",
    "ImportResult",
    "ImportedCard",
    "ImportedDeck",
    "build_deck",
    "import_file",
    "propose_key_points",
    "read_cards",
    "slugify",
    "write_deck",
]
