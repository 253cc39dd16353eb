"""The `trainer` command line: the same core as the app, one sub-command per task."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from trainer import __version__


class UserError(Exception):
    """A mistake the user can fix (unknown deck, bad file): printed as one line, exit status 2, no traceback."""


def user_settings() -> Any:
    """The user's settings (the app's), so commands default to what the app uses; None when unreadable."""
    try:
        from trainer.settings import Settings

        return Settings.load()
    except Exception as exc:  # a broken settings file must not stop a command: it falls back to defaults
        print(f"trainer: warning: ignoring the settings ({exc})", file=sys.stderr)
        return None


def setting(settings: Any, key: str, fallback: Any) -> Any:
    """One setting's value, or `fallback` when the settings could not be read."""
    if settings is None:
        return fallback
    try:
        return settings.get(key)
    except Exception:
        return fallback


def build_parser() -> argparse.ArgumentParser:
    from trainer.cli import asr_commands, deck_commands, speech_commands, stats_commands

    parser = argparse.ArgumentParser(
        prog="trainer",
        description="Rehearse technical interviews out loud. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    deck_commands.register(commands)
    speech_commands.register(commands)
    asr_commands.register(commands)
    stats_commands.register(commands)
    return parser


def run(argv: Sequence[str]) -> int:
    """Run one command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    try:
        # Inside the try: Ctrl+C while Qt is still being imported is an interruption, not a traceback.
        status: int = open_app() if args.command is None else args.func(args)
    except UserError as exc:
        print(f"trainer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trainer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `trainer ... | head` closed the pipe: stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return status


def open_app() -> int:
    """Open the desktop app (imports Qt only here, so the CLI stays light)."""
    try:
        from trainer.ui.app import main as app_main
    except ImportError as exc:
        print(f"trainer: the desktop app is not available ({exc}); see `trainer --help`", file=sys.stderr)
        return 1
    status: int = app_main()
    return status
