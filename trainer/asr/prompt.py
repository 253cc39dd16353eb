"""The vocabulary prompt: the deck's technical terms, given to Whisper so it spells them as the deck does.

Whisper conditions on a prompt as if it were the text spoken just before. A plain comma-separated list of the
terms ("FastAPI, Pydantic, Depends, ...") measurably fixes mishearings such as "pedantic" for Pydantic or
"a sync" for async (docs/performance.md). Aliases of key points are never used: they hold the mishearings.
A closed sentence ("Glossary: FastAPI, Pydantic, Depends.") was tried: it stopped one read-back of the list on
robotic speech, but misheard more terms on the long Piper answers of the speech tests ("middle were" for
middleware, "O2Pends" for Depends), so the list stays, with a guard for a read-back (`decoding.prompt_echo`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

#: Whisper accepts up to 223 prompt tokens, but long prompts hurt: on the 8 test clips the fastapi deck's whole
#: vocabulary (41 of its 51 terms, 147 tokens) gave WER 0.284 against 0.119 for 17 terms (51 tokens) and 0.170 for none.
#: This cap (in `estimate_tokens` units) keeps about 15-19 terms, 55-60 real tokens: the card's own first.
PROMPT_TOKEN_BUDGET = 80
#: A key point this short is used whole ("event loop"); longer ones contribute only their technical words.
MAX_PHRASE_WORDS = 3

_TECHNICAL = re.compile(
    r"""[A-Za-z][\w.]*[A-Z][\w.]*      # CamelCase or inner capitals: FastAPI, HTTPException, APIRouter
      | \w+_\w+                        # snake_case: response_model
      | \w*\d\w*                       # with digits: 422, OAuth2
      | /\w+                           # a path: /docs
    """,
    re.VERBOSE,
)


class KeyPointLike(Protocol):
    @property
    def text(self) -> str: ...


class CardLike(Protocol):
    @property
    def key_points(self) -> Sequence[KeyPointLike]: ...


class DeckLike(Protocol):
    @property
    def vocabulary(self) -> Sequence[str]: ...


def estimate_tokens(text: str) -> int:
    """A safe over-estimate of Whisper's BPE token count (technical words split into ~3-character pieces)."""
    return sum(1 + len(word) // 3 for word in re.findall(r"\w+|[^\w\s]", text))


def build_prompt(vocabulary: Sequence[str], key_terms: Sequence[str] = ()) -> str:
    """ "FastAPI, Pydantic, Depends, ...": key terms first (the card's own), then the deck's vocabulary.

    Duplicates (ignoring case) are dropped and the list is cut to stay within the prompt budget, so the most
    specific terms always survive. Returns "" when there is nothing to say, which means "no prompt".
    """
    terms: list[str] = []
    seen: set[str] = set()
    used = 0
    for term in (*key_terms, *vocabulary):
        term = " ".join(term.split()).strip(" ,.;:")
        key = term.casefold()
        if not term or key in seen:
            continue
        cost = estimate_tokens(term) + 1  # the comma
        if used + cost > PROMPT_TOKEN_BUDGET:
            continue
        seen.add(key)
        terms.append(term)
        used += cost
    return ", ".join(terms)


def prompt_terms(prompt: str) -> list[str]:
    """The terms of a prompt `build_prompt` made, in order."""
    return [t.strip() for t in prompt.split(",") if t.strip()]


def card_key_terms(card: CardLike, vocabulary: Iterable[str] = ()) -> list[str]:
    """Terms from the card's key points: short points whole, else their technical words and vocabulary terms."""
    vocab = [v for v in vocabulary if v.strip()]
    terms: list[str] = []
    for point in card.key_points:
        text = " ".join(point.text.split())
        if len(text.split()) <= MAX_PHRASE_WORDS:
            terms.append(text)
            continue
        lowered = text.casefold()
        terms.extend(v for v in vocab if re.search(rf"(?<!\w){re.escape(v.casefold())}(?!\w)", lowered))
        words = text.split()
        for i, word in enumerate(words):
            bare = word.strip("()[]{}\"'`,.;:!?")
            if _TECHNICAL.fullmatch(bare) or (i > 0 and bare[:1].isupper() and bare[1:].islower() and len(bare) > 2):
                terms.append(bare)
    return terms


def card_prompt(deck: DeckLike, card: CardLike) -> str:
    """The prompt for answering `card`: its key terms, then the deck's vocabulary."""
    return build_prompt(deck.vocabulary, card_key_terms(card, deck.vocabulary))
