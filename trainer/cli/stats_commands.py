"""`trainer stats`: the progress summary the Progress tab shows, as text (or JSON), plus what is due today."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from trainer.cli import UserError, user_settings
from trainer.deck import Deck, default_deck_locations, discover_decks


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands."""
    p = commands.add_parser(
        "stats",
        help="print your progress: scores over time, weakest cards, most-missed key points, practice days, "
        "cards due today",
    )
    p.add_argument("--deck", metavar="PATH|ID", help="one deck (a deck file or a deck id); default: all decks")
    p.add_argument("--mode", choices=("spoken", "flashcard", "mock"), help="only sessions of this practice mode")
    p.add_argument("--weeks", type=int, default=8, metavar="N", help="weeks in the practice calendar (default 8)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_stats)


def cmd_stats(args: argparse.Namespace) -> int:
    from trainer import srs
    from trainer.progress import progress, summary_text
    from trainer.storage import DB_NAME, StorageError, Store, default_data_dir

    if args.weeks < 1:
        raise UserError("--weeks must be at least 1")
    path = default_data_dir(user_settings()) / DB_NAME
    if not path.is_file():
        print(f"No attempts yet (no database at {path}): practise a card and come back.")
        return 0
    try:
        store = Store(path)
    except StorageError as exc:
        raise UserError(str(exc)) from None
    with store:
        decks = _decks(args.deck, store.deck_titles())
        deck_id = None if args.deck is None else (decks[0].id if decks else args.deck)
        figures = progress(store, deck_id, mode=args.mode)
        today = [(deck, srs.deck_summary(store, deck)) for deck in decks]
    if args.json:
        print(json.dumps(_as_json(figures, today), indent=2))
        return 0
    print(summary_text(figures, weeks=args.weeks), end="")
    if today:
        print()
        print("Today (spaced repetition):")
        width = max(len(deck.id) for deck, _ in today)
        for deck, summary in today:
            print(f"  {deck.id:<{width}}  {summary.due:>3} due  {summary.new:>3} new")
        print(f"  streak: {today[0][1].streak_days} day(s)")
    return 0


def _decks(spec: str | None, known_ids: dict[str, str]) -> list[Deck]:
    """The deck asked for, or every deck found; a deck id only in the history (its file gone) gives none."""
    if spec is None:
        return [s.deck for s in discover_decks(default_deck_locations()) if s.deck is not None]
    from trainer.cli.deck_commands import find_deck

    try:
        return [find_deck(spec)]
    except UserError:
        if spec in known_ids:
            return []
        raise


def _as_json(figures: Any, today: list[tuple[Deck, Any]]) -> dict[str, Any]:
    def iso(moment: datetime) -> str:
        return moment.isoformat()

    return {
        "deck": figures.deck_id,
        "attempts": figures.attempts_total,
        "modes": figures.mode_counts,
        "scored": len(figures.points),
        "mean_score": figures.mean_score,
        "streak_days": figures.streak_days,
        "practice_days": {d.day.isoformat(): d.attempts for d in figures.days},
        "weakest": [
            {"deck": c.deck_id, "card": c.card_id, "question": c.question, "recent_mean": c.recent_mean,
             "attempts": c.attempts, "first_score": c.first_score, "last_score": c.last_score}
            for c in figures.weakest()
        ],
        "most_missed": [
            {"deck": m.deck_id, "card": m.card_id, "point": m.point, "missed": m.missed, "scored": m.scored}
            for m in figures.most_missed[:5]
        ],
        "history": [
            {"attempt": p.attempt_id, "deck": p.deck_id, "card": p.card_id, "mode": p.mode,
             "started_at": iso(p.started_at), "score": p.score, "points_made": p.points_made,
             "points_total": p.points_total, "wpm": p.wpm, "fillers": p.fillers}
            for p in figures.points
        ],
        "today": {deck.id: {"due": s.due, "new": s.new} for deck, s in today},
    }  # fmt: skip
