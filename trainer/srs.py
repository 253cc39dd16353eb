"""Spaced repetition: what to practise today, scheduled by FSRS (the `fsrs` package).

Every scored attempt is a review of its card. Its rating comes from the score (below 60 or a misconception said:
Again; 60-74 Hard; 75-89 Good; 90 and up Easy), a flashcard self-grade is the rating itself, and the user can
override either. The reviews are kept per card (`Store.srs_reviews`); the card's FSRS state is rebuilt from all
of them each time one changes, so a corrected score or an override reschedules the card as if it had been rated
that way from the start.

Answers are spoken practice, not flashcards seen every few minutes: there are no learning steps, the first
intervals are days (Again and Hard: 1 day, Good: 2, Easy: 8 with FSRS's default parameters), and no fuzzing, so
the same history always gives the same due dates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from trainer.deck import Card, Deck
from trainer.storage import Attempt, SrsReview, Status, Store

__all__ = [
    "RATING_NAMES",
    "SCHEDULER",
    "DeckSummary",
    "Rating",
    "card_states",
    "catch_up",
    "deck_summary",
    "due_order",
    "practice_days",
    "rating_for",
    "rating_for_score",
    "record_review",
    "review_rating",
    "streak_days",
]

#: The one scheduler: 90 % recall wanted, intervals in whole days from the first review, no randomness.
SCHEDULER = Scheduler(desired_retention=0.9, learning_steps=(), relearning_steps=(), enable_fuzzing=False)

#: Score thresholds: below AGAIN_BELOW is Again, below HARD_BELOW Hard, below GOOD_BELOW Good, else Easy.
AGAIN_BELOW = 60.0
HARD_BELOW = 75.0
GOOD_BELOW = 90.0

RATING_NAMES: dict[Rating, str] = {Rating.Again: "Again", Rating.Hard: "Hard", Rating.Good: "Good", Rating.Easy: "Easy"}


@dataclass(frozen=True)
class DeckSummary:
    """What the start screen says about a deck today."""

    due: int  # cards reviewed before and due by the end of today (overdue included)
    new: int  # cards never reviewed
    streak_days: int  # consecutive days with practice, up to today (or yesterday, if today has none yet)


def rating_for_score(score: float, misconception_said: bool = False) -> Rating:
    """The FSRS rating a spoken answer's score earns."""
    if misconception_said or score < AGAIN_BELOW:
        return Rating.Again
    if score < HARD_BELOW:
        return Rating.Hard
    if score < GOOD_BELOW:
        return Rating.Good
    return Rating.Easy


def rating_for(attempt: Attempt) -> Rating:
    """The rating an attempt earned: its flashcard self-grade, or from its score (with manual corrections).

    Raises ValueError for an attempt that has no score yet (recorded, transcribing or failed)."""
    if attempt.self_grade is not None:
        return Rating(attempt.self_grade)
    if attempt.score is None:
        raise ValueError(f"attempt {attempt.id} has no score yet ({attempt.status}): it cannot be rated")
    misconceptions = (attempt.results or {}).get("misconceptions") or ()
    return rating_for_score(attempt.score, bool(misconceptions))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC)


def _replay(reviews: Sequence[SrsReview]) -> FsrsCard:
    """The card's FSRS state after its reviews, in the order they happened."""
    card = FsrsCard(card_id=0, due=_utc(reviews[0].reviewed_at))
    for review in sorted(reviews, key=lambda r: (r.reviewed_at, r.id)):
        card, _log = SCHEDULER.review_card(card, Rating(review.rating), review_datetime=_utc(review.reviewed_at))
    return card


def _schedule(reviews: list[SrsReview]) -> tuple[str, datetime]:
    card = _replay(reviews)
    return card.to_json(), card.due


def record_review(store: Store, attempt: Attempt, rating: Rating | int | None = None) -> Rating | None:
    """Make `attempt` a review of its card and reschedule the card; returns the rating it now counts with.

    `rating` None: the automatic one (`rating_for`); it never replaces a rating the user chose. A rating
    given is the user's override and replaces any earlier one for this attempt. An attempt without a score
    (recorded, transcribing, failed) is no review: None, nothing changes."""
    if rating is None:
        if attempt.status not in (Status.SCORED, Status.SELF_GRADED) or (
            attempt.score is None and attempt.self_grade is None
        ):
            return None
        chosen = rating_for(attempt)
    else:
        chosen = Rating(int(rating))
    changed = store.put_srs_review(
        attempt.deck_id,
        attempt.card_id,
        attempt.id,
        int(chosen),
        attempt.started_at,
        overridden=rating is not None,
        schedule=_schedule,
    )
    if changed:
        return chosen
    return next((Rating(r.rating) for r in store.srs_reviews(attempt.deck_id, attempt.card_id)
                 if r.attempt_id == attempt.id), chosen)  # fmt: skip


def review_rating(store: Store, attempt: Attempt) -> tuple[Rating, bool] | None:
    """The rating an attempt counts with in the schedule and whether the user set it; None if not reviewed."""
    for review in store.srs_reviews(attempt.deck_id, attempt.card_id):
        if review.attempt_id == attempt.id:
            return Rating(review.rating), review.overridden
    return None


def catch_up(store: Store) -> int:
    """Review the scored attempts that have no review yet (made before this feature, or whose review failed to
    be written); returns how many. Cheap when there are none."""
    done = 0
    for attempt_id in store.unreviewed_attempts():
        if record_review(store, store.attempt(attempt_id)) is not None:
            done += 1
    return done


def card_states(store: Store, deck: Deck | str) -> dict[str, FsrsCard]:
    """card id -> FSRS state, for the deck's cards reviewed at least once."""
    deck_id = deck.id if isinstance(deck, Deck) else deck
    return {card_id: FsrsCard.from_dict(json.loads(state)) for card_id, state in store.srs_card_states(deck_id).items()}


def _end_of_day(now: datetime) -> datetime:
    local = now.astimezone()
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=local.tzinfo)
    return midnight.astimezone(UTC)


def due_order(store: Store, deck: Deck, now: datetime | None = None, cards: Sequence[Card] | None = None) -> list[Card]:
    """The cards (default: the deck's) in "due first" order: cards due by the end of today, least likely
    remembered first; then the new ones in deck order; then the rest, soonest due first."""
    moment = _utc(now or datetime.now(UTC))
    catch_up(store)
    states = card_states(store, deck)
    horizon = _end_of_day(moment)
    chosen = list(deck.cards if cards is None else cards)
    due = [c for c in chosen if c.id in states and states[c.id].due <= horizon]
    new = [c for c in chosen if c.id not in states]
    later = [c for c in chosen if c.id in states and states[c.id].due > horizon]
    due.sort(key=lambda c: SCHEDULER.get_card_retrievability(states[c.id], moment))
    later.sort(key=lambda c: states[c.id].due)
    return due + new + later


def practice_days(times: Iterable[datetime]) -> set[date]:
    """The local calendar days on which these attempts started."""
    return {_utc(t).astimezone().date() for t in times}


def streak_days(days: set[date], today: date) -> int:
    """Consecutive practice days ending today; a streak that reached yesterday still counts until today ends."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def deck_summary(store: Store, deck: Deck, now: datetime | None = None) -> DeckSummary:
    """How many of the deck's cards are due today and how many are new, and the practice streak (all decks:
    practising any deck keeps it)."""
    moment = _utc(now or datetime.now(UTC))
    catch_up(store)
    states = card_states(store, deck)
    horizon = _end_of_day(moment)
    due = sum(1 for c in deck.cards if c.id in states and states[c.id].due <= horizon)
    new = sum(1 for c in deck.cards if c.id not in states)
    days = practice_days(t for t in store.practice_times() if t <= moment)
    return DeckSummary(due=due, new=new, streak_days=streak_days(days, moment.astimezone().date()))
