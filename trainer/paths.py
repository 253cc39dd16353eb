"""Where Interview Trainer keeps things, in one place.

Platform directories come from platformdirs; each can be moved with an environment variable so tests, portable
installs and users with unusual set-ups can place data elsewhere.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "interview-trainer"

#: Environment variables that override the platform directories.
ENV_DATA_DIR = "TRAINER_DATA_DIR"
ENV_CACHE_DIR = "TRAINER_CACHE_DIR"
ENV_CONFIG_DIR = "TRAINER_CONFIG_DIR"
ENV_DECK_DIR = "TRAINER_DECK_DIR"


def _from_env(name: str, default: str) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else Path(default)


def data_dir() -> Path:
    """The attempts database and recorded audio."""
    return _from_env(ENV_DATA_DIR, platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Assembled and converted speech models: safe to delete, rebuilt on demand."""
    return _from_env(ENV_CACHE_DIR, platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The settings file."""
    return _from_env(ENV_CONFIG_DIR, platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_deck_dir() -> Path:
    """The user's own decks (created on first use by the app, not here)."""
    return _from_env(ENV_DECK_DIR, str(data_dir() / "decks"))


def _packaged(name: str) -> Path | None:
    """`trainer/shipped/<name>` when installed from a wheel or the bundle (copied there by setup.py's build
    hook, or by the PyInstaller spec); None in a checkout or an editable install."""
    packaged = resources.files("trainer") / "shipped" / name
    return packaged if isinstance(packaged, Path) and packaged.is_dir() else None


_CHECKOUT = Path(__file__).resolve().parent.parent


def shipped_deck_dir() -> Path:
    """The decks that come with the app (read-only: imported and new decks go to `user_deck_dir()`)."""
    return _packaged("cards") or _CHECKOUT / "cards"


def assets_dir() -> Path:
    """Icons and other static files."""
    return _packaged("assets") or _CHECKOUT / "assets"


def desktop_entry() -> Path:
    """The freedesktop.org menu entry (`interview-trainer.desktop`)."""
    return (_packaged("desktop") or _CHECKOUT / "packaging") / f"{APP_NAME}.desktop"
