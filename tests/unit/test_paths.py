"""Where the app finds what it ships: the checkout's top-level folders in a source or editable install."""

from __future__ import annotations

from tests.conftest import REPO
from trainer import paths


def test_source_checkout_reads_the_top_level_cards_and_assets() -> None:
    assert paths.shipped_deck_dir() == REPO / "cards"
    assert (paths.shipped_deck_dir() / "fastapi.toml").is_file()
    assert (paths.assets_dir() / "icon.svg").is_file()
    assert paths.desktop_entry() == REPO / "packaging" / "interview-trainer.desktop"
    assert paths.desktop_entry().is_file()
