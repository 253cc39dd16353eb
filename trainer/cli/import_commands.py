"""Getting things in and out: `trainer import`, `trainer export-attempts`, `trainer desktop-entry`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trainer.cli import UserError


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands."""
    from trainer.deck import LEVELS
    from trainer.importers import FORMATS

    p = commands.add_parser(
        "import",
        help="make a deck from a CSV file, an Anki plain-text export (.txt) or an Anki package (.apkg)",
        description=(
            "Write a TOML deck (by default into your deck folder) from questions kept elsewhere. Cards without "
            'key points get proposed ones and `review = "imported"`: `trainer check` warns until you confirm '
            "them. See docs/deck-format.md, 'Importing decks'."
        ),
    )
    p.add_argument("source", type=Path, metavar="FILE", help="the file to import")
    p.add_argument("--format", choices=list(FORMATS), help="the file's format (default: from its suffix)")
    p.add_argument("-o", "--output", type=Path, metavar="PATH", help="the deck file to write (default: DECKS/ID.toml)")
    p.add_argument("--id", dest="deck_id", metavar="ID", help="the deck's id (default: from the file name)")
    p.add_argument("--title", help="the deck's title (default: the Anki deck's name, else the file name)")
    p.add_argument(
        "--level", choices=LEVELS, default="basics", help="level tag for cards that have none (default: basics)"
    )
    p.add_argument("--force", action="store_true", help="replace the deck file if it exists")
    p.set_defaults(func=cmd_import)

    p = commands.add_parser("export-attempts", help="write attempts as CSV (one row each), for a spreadsheet")
    p.add_argument("output", type=Path, metavar="FILE.csv", help="the CSV file to write")
    p.add_argument("--deck", metavar="ID", help="only this deck's attempts")
    p.add_argument("--session", type=int, metavar="N", help="only this session's attempts")
    p.set_defaults(func=cmd_export_attempts)

    p = commands.add_parser(
        "desktop-entry", help="add the app to the desktop's application menu (Linux; for pip/pipx installs)"
    )
    p.add_argument("--uninstall", action="store_true", help="remove the entry and icons instead")
    p.set_defaults(func=cmd_desktop_entry)


def cmd_import(args: argparse.Namespace) -> int:
    from trainer.deck import Severity
    from trainer.importers import DeckExists, DeckImportError, import_file

    try:
        result = import_file(
            args.source,
            args.output,
            format=args.format,
            deck_id=args.deck_id,
            title=args.title,
            level=args.level,
            overwrite=args.force,
        )
    except DeckExists as exc:
        raise UserError(f"{exc}; choose another --output or give --force to replace it") from None
    except DeckImportError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write the deck: {exc}") from None
    print(f"Imported {result.cards} card(s) from {args.source} into {result.path}")
    if result.proposed:
        print(
            f'{len(result.proposed)} card(s) have proposed key points (review = "imported"): check them, '
            "then delete their `review` line; `trainer check` lists them."
        )
    errors = [p for p in result.source.problems if p.severity is Severity.ERROR]
    for problem in errors:
        print(problem)
    return 1 if errors else 0


def cmd_export_attempts(args: argparse.Namespace) -> int:
    from trainer.cli import user_settings
    from trainer.export import export_attempts_csv
    from trainer.storage import StorageError, Store

    try:
        store = Store.open_default(user_settings())
    except StorageError as exc:
        raise UserError(str(exc)) from None
    try:
        count = export_attempts_csv(store, args.output, deck_id=args.deck, session_id=args.session)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc}") from None
    finally:
        store.close()
    print(f"Wrote {count} attempt(s) to {args.output}")
    return 0


def cmd_desktop_entry(args: argparse.Namespace) -> int:
    from trainer import desktop

    if args.uninstall:
        removed = desktop.uninstall()
        print(f"Removed {len(removed)} file(s)" + (f" ({removed[0].parent})" if removed else ""))
        return 0
    try:
        installed = desktop.install()
    except desktop.DesktopEntryError as exc:
        raise UserError(str(exc)) from None
    print(f"{installed.entry} starts {installed.program}; {len(installed.icons)} icon(s) installed")
    return 0
