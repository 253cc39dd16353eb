"""Scoring a spoken answer against a card: which claims it makes, which wrong ones, and the evidence for each.

A key point is credited in two ways. Its own words found close together in one clause ("same words", fuzzy
enough for speech recognition: lexical.py), or the same idea in other words: a sentence embedding proposes
clauses close to the point (semantic.py), each read as making the open point it is nearest to. Either way
claims.py must confirm the claim: no negation or contrast ("rather than") the point lacks, the right thing as
its subject, the numbers it requires, a sentence rather than a list of terms, and more than the question's own
words. A paraphrase must also share a word root with the point or its model sentence, and not say it the other
way round (read by its relation word: "became", "replaces"), in the other order in time ("the route first, the
sub dependencies afterwards" for "sub-dependencies resolved first"), of the opposite extent ("whatever fields you
return" for "keeps only declared fields"), its opposite ("unlimited", "twice" for "once"), another product, or
plainly what the point negates. `explain_paraphrases()` lists every candidate with the
check that refused it (bench/scoring_misses.py). A card's misconceptions are found the same way; each one said is
flagged with its correction, costs MISCONCEPTION_PENALTY points, and its words cannot also earn a point; a key point
stated wrongly (contradicted) costs CONTRADICTION_PENALTY: its words negated before or right after them ("plain
def doesn't help"), after "avoid", with its quantities swapped ("one request per worker"), or a clause close to it
saying it the other way round. A clause that dismisses the point's subject ("you don't need Celery") is no
paraphrase of it, whatever else the clause says.

Paraphrase candidates are the clauses and the stretches between pauses of a run-on clause, read closest first over
all points: a point credited by one clause no longer claims the others (unless they say it wrongly), one clause
makes two points at most, and an answer whose clauses all sit far from the card's points (another card's topic)
earns none in other words.

`score_answer(card, text)` is the entry point; it runs on every live update, so the card's own phrases are
prepared once and cached. MiniLM, the default paraphrase model, embeds only the clauses it has not seen
(semantic.py), and the misconception check only clauses that share a misconception's own words, so a live update
of a 300-word answer takes 25-45 ms; WordLlama embeds a whole answer in a few. Call `preload()` in a worker at
start-up; without it the first score loads the model (0.1-0.5 s; about 1 s the first time MiniLM's graph is
rewritten into the cache).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trainer import normalize
from trainer.deck import Card, KeyPoint, Misconception
from trainer.normalize import STOPWORDS, Token, fold, number_word, stem, tokenize
from trainer.scoring import claims, semantic
from trainer.scoring.claims import Clause
from trainer.scoring.lexical import Found, WordIndex, content_words
from trainer.scoring.results import (
    CONTRADICTION_PENALTY,
    HOWS,
    MISCONCEPTION_PENALTY,
    How,
    MisconceptionResult,
    PointResult,
    ScoreResult,
    overall,
)

__all__ = [
    "CONTRADICTION_PENALTY",
    "HIT_THRESHOLD",
    "HOWS",
    "MISCONCEPTION_PENALTY",
    "PARAPHRASE_POINTS_PER_CLAUSE",
    "How",
    "MisconceptionResult",
    "PointResult",
    "ScoreResult",
    "Trace",
    "explain_paraphrases",
    "preload",
    "score_answer",
]

log = logging.getLogger(__name__)

#: A point's words are found when the best phrase reaches this similarity: two of three, three of four words.
HIT_THRESHOLD = 66.0
#: A misconception needs every one of its words, each matched at least this closely: telling a right answer
#: it is wrong is the worst mistake scoring can make (75 with one word missing flagged right answers).
MISCONCEPTION_THRESHOLD = 85.0
#: The cosine at which the embedding proposes a clause as a paraphrase of a point is the model's own
#: (`semantic.MODELS`: `paraphrase`). WordLlama's 0.38 was tuned on the train, dev, extra and used blind labelled
#: answers: 0.40 missed true paraphrases at 0.36-0.39; 0.36 and 0.34 added almost as many wrong credits, on
#: partial and off-topic answers, as right ones.
#: A clause may be credited for a point this much less close than for the open point closest to it: one clause
#: often makes two points ("it only runs once for that request and both get the identical object back").
PARAPHRASE_MARGIN = 0.05
#: At most this many points are credited as paraphrases to one clause: a vague clause sits near many points ("and
#: then you include them in the app somehow" is close to all four of api-router's), a real one makes one or two
#: ("it only runs once for that request and both get the identical object back"). Tuned on train, dev, extra
#: and the four used blind sets: one cut true paraphrases of two points; three or more let vague partial answers
#: through.
PARAPHRASE_POINTS_PER_CLAUSE = 2
#: How many of an answer's clauses closest to the card's points decide whether it is on the card's topic at all
#: (`semantic.MODELS`: `on_topic`); two, so one stray sentence of an off-topic answer does not decide it.
TOPICAL_CLAUSES = 2
# (Per model, `semantic.ModelInfo.model_sentence_discount`: a point's model-answer sentence counts that much less
# than its own phrases: the sentence often carries a second idea, and a clause close to that idea is no
# paraphrase of this point.)
#: Below the paraphrase cosine, a clause still makes the point from the model's `low` cosine when it also shares
#: LOW_ROOTS word roots with the point or its model sentence: two weak signals that agree ("the code after the
#: yield runs when the request is finished" for "yield for cleanup"). WordLlama's, tuned on the same sets: two
#: roots from 0.26 (was three from 0.30) made 21 right and 9 wrong changes; one root from 0.22 credited off-topic
#: answers.
LOW_ROOTS = 2
#: A clause this close to a point that the claim checks find negated or reversed (_CONTRADICTING) states the point
#: wrongly: it counts as contradicted. Tuned on train, dev, extra and the used blind sets: at 0.38 two clauses of
#: paraphrase answers at 0.41-0.43 ("I don't like HTTP stuff leaking into the service layer") were contradicted.
CONTRADICTION_THRESHOLD = 0.45
#: The paraphrase checks whose refusal means the clause says the point wrongly rather than something else. "The
#: opposite of the point's word" and "what the point negates, said plainly" are left out: at any similarity they
#: also fire on right answers ("without needing a thread per request" for "async concurrency"), and so does "the
#: point's words said after a negation" ("the fields it does not declare are stripped" for "filters fields").
#: Of those, the checks precise enough that a vaguer clause further from the point is no paraphrase of it once
#: the closest one said it this way: "whatever fields you return all get sent" (0.66 from "keeps only declared
#: fields") outweighs "if fields are missing it fills them in" (0.56).
_REVERSED = frozenset({"said in the other order", "said of the opposite extent"})
_CONTRADICTING = frozenset(
    {
        "said the other way round",
        "negated after the point's subject",
        "said in the other order",
        "said of the opposite extent",
    }
)
#: A clause proposed for a point needs this many content words beyond the question's own: the vector of a
#: two-word clause is its shared word ("the validation was fine" sits at 0.70 from "validation failed").
PARAPHRASE_MIN_NEW_WORDS = 3
# (Per model, `semantic.ModelInfo`:)
# A clause the model's `misconception_margin` closer to one of the card's misconceptions than to a point is no
# paraphrase of the point ("fields the model doesn't declare are passed straight through" sits nearer "extra
# fields are sent anyway"). WordLlama's 0.035 was tuned on train, dev, extra and the used blind set: at 0 it
# refused clauses only 0.03 nearer a wrong claim.
# A misconception with a word missing is flagged when its clause is the model's `misconception_read_margin`
# closer to it than to any key point (WordLlama's 0.1 tuned on train, dev, extra and the used blind set: strong
# answers' clauses with two of three words of a misconception all sat closer to a key point; the reversed ones
# flagged sat 0.14-0.54 closer to the wrong claim). Flagging a right answer is the worst mistake scoring can
# make, hence the wide margin.
#: A misconception said in other words (no word of it needed, `_misconceptions_in_other_words`) needs its clause
#: this much closer to it than to any key point, on top of two of its own word roots. Tuned on train, dev, extra
#: and the four used blind sets: with 0.05 and the models' `misconception` cosine, 4-5 more one-wrong-claim answers
#: were flagged and no strong, paraphrase or partial one.
MISCONCEPTION_WORDS_MARGIN = 0.05


def preload() -> bool:
    """Load the embedding model (in a worker thread); False when only word matching is available."""
    return semantic.preload()


@dataclass(frozen=True)
class _Phrase:
    text: str
    words: tuple[str, ...]
    roles: frozenset[int]  # indices of words the question also names: they must all be said
    required: frozenset[int]  # indices of words that must be said (roles; for a misconception, what makes it wrong)
    negations: int
    numbers: frozenset[str]
    strict: bool  # an identifier ("response_model_exclude"): every word must be said
    names: frozenset[str]  # product names a paraphrase must say too ("Uvicorn", not "Gunicorn")
    ordered: bool  # a relation whose sides cannot swap ("became")
    contrast_only: bool  # negated only by "instead of" / "rather than", never by "not", "no" or "never"
    #: Where its point's phrases place their words in a sequence (claims.order_senses): ("sub", 1) for
    #: "sub-dependencies resolved first"; said in the other order, the point is reversed.
    order: tuple[tuple[str, int], ...] = ()
    #: The numbers its point's phrases name ("2" for "v2 is the default"): an alias without one ("default in new
    #: releases") is not made by a clause naming only other numbers ("v1 is still the default in new releases").
    point_numbers: frozenset[str] = frozenset()
    #: Its point renames one thing to another ("parse_obj became model_validate"), not merely ordered ("turned
    #: into a JSON response"): "model validate now, not parse obj" names the old name after its ", not".
    renaming: bool = False

    @property
    def negated(self) -> bool:
        return self.negations > 0


@dataclass(frozen=True)
class _Prepared:
    """What scoring needs from a card, computed once per card."""

    points: tuple[tuple[_Phrase, ...], ...]
    rivals: tuple[frozenset[str], ...]  # per point: the other compared things
    wrong: tuple[tuple[_Phrase, ...], ...]
    keys: frozenset[str]
    topics: frozenset[str]
    question_stems: frozenset[str]
    model_sentences: tuple[str, ...]  # per point: the model answer's sentence that makes it
    entities: tuple[claims.Entity, ...]  # the things the question compares, by qualifier
    about: tuple[claims.Entity | None, ...]  # per point: the compared thing it is about, if any
    compares: tuple[bool, ...]  # per point: it names one of the compared things ("path parameters are required")
    roots: tuple[frozenset[str], ...]  # per point: word roots of its phrases and model sentence beyond the question
    compared_terms: frozenset[str]  # the numbers ("422", "400") or two words ("wsgi", "asgi") the question compares
    term: tuple[str | None, ...]  # per point: the compared term it is about, by its words or model sentence
    distinct: tuple[frozenset[str], ...]  # per misconception: its word roots no point, model sentence or question has
    model_clauses: tuple[str, ...]  # the model answer's clauses: what a right answer says, point or not
    #: Compared things the question names as alternatives ("the /docs and /redoc URLs", "WSGI vs ASGI"), by stem.
    alternatives: frozenset[str] = frozenset()
    #: Acronyms the card writes in capitals ("WSGI"): a transcript's "W-SGI" is read as WSGI.
    acronyms: frozenset[str] = frozenset()
    #: Numbers of three digits or more the card names ("422"): a transcript's "4.22" is read as 422.
    numbers: frozenset[str] = frozenset()
    #: The two-word terms the question writes ("plain def") and the card's words: a transcript's "playing def" is
    #: read as plain def, "a sync def" as async def.
    term_pairs: frozenset[tuple[str, str]] = frozenset()
    words: frozenset[str] = frozenset()


_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9])")


#: A product name: one capital, then lower case ("Uvicorn", "Celery"); a code name with more capitals
#: ("RequestValidationError", "BaseModel") is an identifier, said as several words, and never a rival product.
_NAME = re.compile(r"\b[A-Z][a-z]{4,}\b")


def _phrase(text: str, question: frozenset[str], right: frozenset[str] | None = None, strict: bool = False) -> _Phrase:
    """A phrase to find; `right` (for a misconception) holds the key points' words: the others make it wrong."""
    words = tuple(content_words(text))
    roles = frozenset(i for i, w in enumerate(words) if stem(w) in question)
    required = roles if right is None else roles | {i for i, w in enumerate(words) if stem(w) not in right}
    negations = len(claims.negation_words(tokenize(text)))
    strict = strict or _identifier(text)
    names = frozenset(fold(n) for n in _NAME.findall(text) if fold(n) in words)
    ordered = any(t.text in claims.ORDERED_RELATIONS for t in tokenize(text))
    contrast_only = negations > 0 and not claims.negation_words(tokenize(text), contrasts=False)
    return _Phrase(
        text, words, roles, required, negations, claims.numbers(words), strict, names, ordered, contrast_only
    )


def _ordering(phrases: tuple[_Phrase, ...]) -> tuple[_Phrase, ...]:
    """Every phrase of a point that orders things carries the order of all its phrases: the alias "dependencies
    called first" lacks the "sub" that "sub-dependencies resolved first" places early."""
    senses = claims.order_senses([_tokens(ph.text) for ph in phrases])
    if not senses:
        return phrases
    return tuple(dataclasses.replace(ph, order=tuple(sorted(senses.items()))) for ph in phrases)


def _numbering(phrases: tuple[_Phrase, ...]) -> tuple[_Phrase, ...]:
    """Every phrase of a point carries the numbers any of its phrases name (`_Phrase.point_numbers`)."""
    numbers = frozenset().union(*(ph.numbers for ph in phrases))
    if not numbers:
        return phrases
    return tuple(dataclasses.replace(ph, point_numbers=numbers) for ph in phrases)


def _renaming(phrases: tuple[_Phrase, ...]) -> tuple[_Phrase, ...]:
    """A point one of whose phrases is a renaming ("dict became model_dump") is one in all of them: "dict is now
    model dump, rather than ..." names the new name with "rather than", it does not negate it."""
    if not any(ph.ordered for ph in phrases):
        return phrases
    renaming = any(_renames(tokenize(ph.text)) for ph in phrases)
    return tuple(dataclasses.replace(ph, ordered=True, renaming=renaming) for ph in phrases)


#: The words that rename: "into" only orders ("split routes into modules").
_RENAMING_WORDS = (claims.FORWARD_RELATIONS - {"into"}) | claims.BACKWARD_RELATIONS


def _renames(tokens: Sequence[Token]) -> bool:
    """Whether these words rename one named thing to another: a renaming word with a content word on each side
    ("dict became model_dump", "model validate replaces parse obj"; not "turned into a JSON response")."""
    at = next((i for i, t in enumerate(tokens) if t.text in _RENAMING_WORDS), None)
    if at is None:
        return False

    def named(side: Sequence[Token]) -> bool:
        return any(t.text not in STOPWORDS and t.text not in claims.ORDERED_RELATIONS for t in side)

    return named(tokens[:at]) and named(tokens[at + 1 :])


def _identifier(text: str) -> bool:
    """A code name such as response_model_exclude or use_cache=False: all its words are needed."""
    return bool(re.search(r"[_=]|[a-z][A-Z]", text))


@functools.lru_cache(maxsize=256)
def _prepare(card: Card) -> _Prepared:
    question = claims.stems(t.text for t in tokenize(card.question) if t.text not in STOPWORDS)
    points = tuple(
        _numbering(
            _ordering(_renaming(tuple(_phrase(p, question, strict=_identifier(point.text)) for p in point.phrases)))
        )
        for point in card.key_points
    )
    point_stems = [claims.stems(w for ph in phrases for w in ph.words) for phrases in points]
    topics = frozenset(question & frozenset().union(*point_stems)) if point_stems else frozenset()
    rivals = tuple(
        frozenset((topics & frozenset().union(*(s for j, s in enumerate(point_stems) if j != i))) - own)
        for i, own in enumerate(point_stems)
    )
    right = frozenset().union(*point_stems) if point_stems else frozenset()
    # A one-word claim would flag every answer that mentions the word (the deck check warns about it).
    wrong = tuple(
        tuple(ph for ph in (_phrase(p, question, right) for p in m.phrases) if len(ph.words) >= 2)
        for m in card.misconceptions
    )
    keys = frozenset(w for group in (*points, *wrong) for ph in group for w in ph.words)
    sentences = [s.strip() for s in _SENTENCE.split(card.answer) if s.strip()]
    compared = claims.entities([t for t in tokenize(card.question)], topics)
    about = tuple(_about(point_stems[i], compared) for i in range(len(points)))
    split_words = topics | {e.qualifier for e in compared}
    model_sentences = tuple(_model_sentence(p, sentences) for p in points)
    terms = claims.numbers(t.text for t in tokenize(card.question))
    terms = terms if len(terms) >= 2 else claims.compared_words(tokenize(card.question))
    answer_tokens = tokenize(card.answer)
    return _Prepared(
        points,
        rivals,
        wrong,
        keys,
        split_words,
        question,
        model_sentences,
        compared,
        about,
        tuple(bool(s & topics) for s in point_stems),
        tuple(_roots(phrases, sentence, question) for phrases, sentence in zip(points, model_sentences, strict=True)),
        terms,
        tuple(
            _term(phrases, sentence, card.answer, terms)
            for phrases, sentence in zip(points, model_sentences, strict=True)
        ),
        tuple(_distinct_roots(m, card, model_sentences) for m in card.misconceptions),
        tuple(
            card.answer[answer_tokens[c.first].start : answer_tokens[c.last].end]
            for c in claims.split_clauses(card.answer, answer_tokens, split_words)
        ),
        _alternatives(card.question, topics),
        _card_acronyms(card),
        _card_numbers(card),
        normalize.term_pairs(card.question),
        _card_words(card),
    )


#: Words that join alternatives in a question: "the /docs and /redoc URLs", "WSGI vs ASGI".
_ALTERNATIVE_LINKS = frozenset({"and", "or", "vs", "versus"})


def _alternatives(question: str, topics: frozenset[str]) -> frozenset[str]:
    """The topic stems the question joins as alternatives: "and", "or" or "vs" with a topic that only one side has
    on each side, within three words and no comma ("a path parameter and a query parameter": path and query)."""
    tokens = tokenize(question)
    said = [stem(t.text) for t in tokens]
    out: set[str] = set()
    for i, word in enumerate(said):
        if word not in _ALTERNATIVE_LINKS or i == 0 or i + 1 == len(tokens):
            continue
        if "," in question[tokens[max(0, i - 3)].start : tokens[min(len(tokens) - 1, i + 3)].end]:
            continue
        left = {w for w in said[max(0, i - 3) : i] if w in topics}
        right = {w for w in said[i + 1 : i + 4] if w in topics}
        if len(left - right) == 1 and len(right - left) == 1:
            out.update((left - right) | (right - left))
    return frozenset(out)


def _distinct_roots(wrong: Misconception, card: Card, sentences: Sequence[str]) -> frozenset[str]:
    """The word roots of a misconception that no key point, model sentence or the question has: what makes it
    wrong ("class" in "Depends only accepts classes")."""

    def roots(text: str) -> set[str]:
        return {stem(t.text)[:5] for t in tokenize(text) if t.text not in STOPWORDS}

    right = roots(card.question).union(*(roots(s) for s in sentences))
    right = right.union(*(roots(p) for point in card.key_points for p in point.phrases))
    return frozenset(set().union(*(roots(t) for t in (wrong.claim, *wrong.aliases))) - right)


def _term(phrases: Sequence[_Phrase], sentence: str, answer: str, compared: frozenset[str]) -> str | None:
    """The one compared term (number or word) a point is about: named in its phrases, or else in its model-answer
    sentence ("doesn't match the schema" is said of 422 there), or else the last one the model answer named
    before that sentence ("The response body lists each error ..." follows the sentence about 422)."""
    own = frozenset().union(*(ph.numbers | frozenset(ph.words) for ph in phrases)) & compared
    said = [t.text for t in tokenize(sentence) if t.text not in STOPWORDS]
    # A number anywhere in the sentence; a compared word only as its subject, among its first words ("The
    # application is an async callable ..., which WSGI can't really do" is about ASGI, named before it).
    subject = said if all(w.isdigit() for w in compared) else said[:3]
    found = own or frozenset(subject) & compared
    if not found and sentence and compared:
        before = [t.text for t in tokenize(answer[: max(answer.find(sentence), 0)]) if t.text in compared]
        found = frozenset(before[-1:])
    return next(iter(found)) if len(found) == 1 else None


#: Words that carry no idea of their own though they are no stopwords for matching a point's words: a clause that
#: shares only these with a model sentence ("even though your code returned it") shares nothing with it.
_NO_ROOT = frozenset({"though", "although", "even", "still", "really", "actually", "basically", "literally",
                      "anyway", "pretty", "quite", "stuff", "something", "somehow", "okay", "yeah"})  # fmt: skip


def _roots(phrases: Sequence[_Phrase], sentence: str, question: frozenset[str]) -> frozenset[str]:
    """Word roots (the first five letters of a stem) of a point's phrases and model sentence, beyond the
    question's words: a paraphrase must share one, and a weakly similar clause LOW_ROOTS."""
    refs = {stem(w) for ph in phrases for w in ph.words if w not in _NO_ROOT} | {
        stem(t.text) for t in tokenize(sentence) if t.text not in STOPWORDS and t.text not in _NO_ROOT
    }
    return frozenset(w[:5] for w in refs - question)


def _clause_roots(tokens: Sequence[Token], clause: Clause, question: frozenset[str]) -> frozenset[str]:
    said = {stem(t.text) for t in tokens[clause.first : clause.last + 1] if t.text not in STOPWORDS | _NO_ROOT}
    return frozenset(w[:5] for w in said - question)


def _about(words: frozenset[str], compared: Sequence[claims.Entity]) -> claims.Entity | None:
    """The one compared thing whose qualifier a point's words hold ("async" in "async def on the event loop")."""
    found = [e for e in compared if e.qualifier in words]
    return found[0] if len({e.qualifier for e in found}) == 1 else None


def _model_sentence(phrases: Sequence[_Phrase], sentences: Sequence[str]) -> str:
    """The model-answer sentence sharing most of the point's words: shown when the point is missed."""
    best, best_sim = "", 0.0
    for sentence in sentences:
        tokens = tokenize(sentence)
        index = WordIndex(tokens, {w for ph in phrases for w in ph.words})
        for ph in phrases:
            found = index.find(ph.words, 0, len(tokens) - 1)
            if found and found.similarity > best_sim:
                best, best_sim = sentence, found.similarity
    return best


@dataclass(frozen=True)
class _Match:
    similarity: float
    found: Found
    phrase: _Phrase
    clause: Clause
    negation: str | None  # the negation that contradicts it, if any

    def rank(self, threshold: float) -> tuple[bool, bool, float]:
        """Order of preference: a confirmed hit, then a contradicted one, then the closest miss."""
        enough = self.similarity >= threshold
        return enough and self.negation is None, enough, self.similarity


def _find(
    index: WordIndex,
    tokens: Sequence[Token],
    phrase: _Phrase,
    clauses: Sequence[Clause],
    rivals: frozenset[str],
    blocked: frozenset[int],
    pauses: frozenset[int],
    threshold: float = HIT_THRESHOLD,
    about: claims.Entity | None = None,
    entities: Sequence[claims.Entity] = (),
    compares: bool = False,
    topics: frozenset[str] = frozenset(),
    term: tuple[str | None, frozenset[str]] = (None, frozenset()),
    echo: frozenset[int] = frozenset(),
) -> _Match | None:
    """The best clause holding the phrase's words as a claim about the right thing (maybe negated).

    `compares`: the point names one of the compared things, so a phrase of it that does not ("old synchronous
    standard" for "WSGI is synchronous") is only made where no other compared thing was named before it."""
    best: _Match | None = None

    def allowed(word: int, first: int, last: int) -> bool:
        if not blocked.isdisjoint(range(first, last + 1)):
            return False
        return not (word in phrase.roles and claims.qualified_by_rival(tokens, first, rivals))

    needed = max(1, math.ceil(len(phrase.words) * min(threshold, 100.0) / 100.0 - 1e-9))
    for clause in clauses:
        if index.words_in(phrase.words, clause.first, clause.last) < needed:
            continue  # too few of its words anywhere in this clause
        found = index.find(phrase.words, clause.first, clause.last, allowed)
        if found is None or not phrase.required <= found.matched or found.matched <= phrase.roles:
            continue  # the compared thing is missing, or only the question's own words were said: an echo
        if echo and found.used <= echo:
            continue  # every word matched is a word of the question, maybe misheard ("a sync def", "open API")
        if phrase.strict and len(found.matched) < len(phrase.words):
            continue
        if about is not None and claims.subject_entity(tokens, clause, found.last, entities) not in (None, about):
            continue  # said of the other compared thing: "plain def runs on the event loop"
        if compares and not phrase.roles and claims.topic_before(tokens, clause, found.first, topics) in rivals:
            continue  # "ASGI is synchronous, the old blocking standard" is not "WSGI is synchronous"
        if _other_term(tokens, clause, *term):
            continue  # "four hundred is sent when the request doesn't match the schema": a 422 point
        if phrase.point_numbers and not phrase.numbers:
            named = claims.numbers(t.text for t in tokens[clause.first : clause.last + 1])
            if named and named.isdisjoint(phrase.point_numbers):
                continue  # "v1 is still the default in new releases" is not "v2 is the default"
        said = claims.negations_before(tokens, clause, found.first, found.last, pauses, not phrase.ordered, found.used)
        tail = _renaming_tail(tokens, phrase, found, pauses) if phrase.renaming else None
        if tail is not None and "not" in said:
            said.remove("not")  # "model validate now, not parse obj" names the old name, it denies nothing
        if not said and not phrase.negated and (after := _negated_after(tokens, clause, found.last, pauses)):
            said = [after]
        if not said and (avoided := _avoided(tokens, clause, found.first, found.last, pauses)):
            said = [avoided]
        negation = None
        if phrase.negated and not said and phrase.contrast_only:
            continue  # "instead of uvicorn main:app --reload" said without "instead of" names it; no wrong claim
        if bool(said) != phrase.negated:
            negation = f'said with "{said[-1]}"' if said else "said without the negation"
        elif tail is not None:
            if tail:
                negation = "said the other way round"
        elif phrase.ordered and _reversed_claim(tokens, clause, phrase, found):
            negation = "said the other way round"
        elif (opposite := _opposite_of_missing(tokens, clause, phrase, found)) is not None:
            negation = f'said with "{opposite}"'
        elif (swapped := _quantities_swapped(tokens, clause, phrase, found)) is not None:
            negation = f'said as "{swapped}"'
        elif (opposite := _opposite_qualifier(tokens, phrase, found)) is not None:
            negation = f'said of "{opposite}"'
        elif (outdated := _called_outdated(tokens, clause, phrase, found)) is not None:
            negation = f'said to be "{outdated}"'
        elif order := claims.order_reversed(tokens, clause.first, clause.last, dict(phrase.order)):
            negation = f'said in the other order ("{order}")'
        elif (extent := _extent_flipped(tokens, clause, phrase, found)) is not None:
            negation = f'said as "{extent}"'
        match = _Match(found.similarity, found, phrase, clause, negation)
        if best is None or match.rank(threshold) > best.rank(threshold):
            best = match
    return best


#: How many words after a match a negation denies it: "plain def doesn't help", "tags do not work".
NEGATION_AFTER_REACH = 3


def _negated_after(tokens: Sequence[Token], clause: Clause, last: int, pauses: frozenset[int]) -> str | None:
    """The negation right after a match, with only small words between, before any pause: "switching to plain def
    doesn't help", "include router isn't needed". A negation further on negates something else, and one with no
    verb before it is a word of a message ("detail not found")."""
    for i in range(last + 1, min(last + 1 + NEGATION_AFTER_REACH, clause.last + 1)):
        if i in pauses:
            return None
        if (
            tokens[i].text in _VERB_NEGATIONS
            and (i > last + 1 or tokens[i].text != "not")
            and not claims.widens(tokens, i)
        ):
            return tokens[i].text
        if tokens[i].text not in STOPWORDS:
            return None
    return None


#: Words that say how many of the thing after them: "one worker many requests" binds "one" to "worker".
QUANTIFIERS = frozenset({"one", "single", "many", "multiple", "several", "few", "thousands", "hundreds"})


def _quantities_swapped(tokens: Sequence[Token], clause: Clause, phrase: _Phrase, found: Found) -> str | None:
    """The words that give one of the phrase's quantities to the thing it gives another one: "one request per
    worker" for "one worker many requests" (a single worker, yet many requests, is the point)."""
    quantity = {
        stem(w): phrase.words[i - 1] for i, w in enumerate(phrase.words) if i and phrase.words[i - 1] in QUANTIFIERS
    }
    for i, w in enumerate(phrase.words[:-1]):
        place = found.word_places.get(i)
        if w not in QUANTIFIERS or place is None:
            continue
        j = place + 1
        while j <= clause.last and j < place + 3 and tokens[j].text in STOPWORDS:
            j += 1
        if j > clause.last or j >= place + 3:
            continue
        said = stem(tokens[j].text)
        if said != stem(phrase.words[i + 1]) and quantity.get(said, w) != w:
            return f"{tokens[place].text} {tokens[j].text}"
    return None


#: Verbs that say a thing was left out, like a negation before it: "I skipped Pydantic models altogether", "I'd
#: avoid plain def completely". Not "remove" or "drop": "it removes extra fields" is what a point may say.
AVOIDANCE = frozenset({"skip", "skipped", "skipping", "avoid", "avoided", "avoiding"})


def _avoided(tokens: Sequence[Token], clause: Clause, first: int, last: int, pauses: frozenset[int]) -> str | None:
    """The avoidance verb inside a match or a few words before it since the last pause: "skipped pedantic models"."""
    for i in range(last, max(clause.first, first - NEGATION_AFTER_REACH) - 1, -1):
        if tokens[i].text in AVOIDANCE:
            return tokens[i].text
        if i in pauses and i <= first:
            return None
    return None


@functools.lru_cache(maxsize=1024)
def _tokens(text: str) -> list[Token]:
    """A phrase's tokens, computed once: phrases are checked on every live update."""
    return tokenize(text)


@functools.lru_cache(maxsize=1024)
def _extent(phrases: Sequence[_Phrase]) -> tuple[bool, frozenset[str]] | None:
    """Whether a point limits its claim ("keeps only declared fields": True) or extends it to all ("wraps every
    request": False), with the stems of its other words; None when it does neither."""
    tokens = [_tokens(ph.text) for ph in phrases]
    said = {t.text for ph in tokens for i, t in enumerate(ph) if not claims.counts(ph, i)}
    restrictive, universal = bool(said & claims.RESTRICTIVE), bool(said & claims.UNIVERSAL)
    if restrictive == universal:
        return None
    own = frozenset(stem(w) for ph in phrases for w in ph.words if w not in claims.RESTRICTIVE | claims.UNIVERSAL)
    return restrictive, own


def _extent_flipped(tokens: Sequence[Token], clause: Clause, phrase: _Phrase, found: Found) -> str | None:
    """The quantifier by which a clause claims the opposite extent of a phrase whose own quantifier the match
    left out: "whatever fields you return all get sent" for "only declared fields sent"."""
    extent = _extent((phrase,))
    if extent is None or any(phrase.words[i] in claims.RESTRICTIVE | claims.UNIVERSAL for i in found.matched):
        return None
    return claims.quantifier_flipped(tokens, clause.first, clause.last, extent[1], extent[0])


def _opposite_of_missing(tokens: Sequence[Token], clause: Clause, phrase: _Phrase, found: Found) -> str | None:
    """A word of the clause that is the opposite of a phrase word the match left out: two of "one worker many
    requests" in "a worker only ever handles one request" are no claim that it handles many."""
    missing = {stem(w) for i, w in enumerate(phrase.words) if i not in found.matched}
    if phrase.order:  # "response first and then runs" is "runs after the response": order_reversed judges order
        missing = {w for w in missing if not claims.order_words([Token(w, 0, 0)])}
    if not missing:
        return None
    own = {stem(w) for w in phrase.words}  # "one worker many requests" holds both opposites
    for token in tokens[clause.first : clause.last + 1]:
        if any(stem(token.text) in claims.antonyms(w) - own for w in missing):
            return token.text
    return None


#: Words that call a thing outdated: "the lifespan context manager is the deprecated one" says the
#: opposite of a point that names it as the modern way.
OUTDATED = frozenset({"deprecated", "old", "older", "outdated", "legacy", "obsolete", "discouraged"})
#: Words between "is" and such a word: "is the old one", "is now deprecated", "is just legacy".
_COPULAS = frozenset({"is", "are", "was", "were"})
_BETWEEN = frozenset({"the", "a", "an", "now", "just", "only", "really", "considered", "kind", "of"})


def _called_outdated(tokens: Sequence[Token], clause: Clause, phrase: _Phrase, found: Found) -> str | None:
    """The word calling the matched thing outdated right after it or inside the match ("X is the deprecated one",
    "X is now legacy", "Pydantic core is the old python package"), when the phrase itself says nothing of the
    kind ("old default-value style" does)."""
    if any(w in OUTDATED for w in phrase.words):
        return None
    # In a renaming the old name is rightly called deprecated ("dict is deprecated now, you call model dump"):
    # only what follows the whole match counts there.
    first = found.last + 1 if phrase.ordered else found.first + 1
    for start in range(first, min(found.last + 1, clause.last) + 1):
        if tokens[start].text not in _COPULAS:
            continue
        i = start + 1
        while i <= clause.last and tokens[i].text in _BETWEEN:
            i += 1
        if i <= clause.last and tokens[i].text in OUTDATED:
            return tokens[i].text  # "pydantic core is the old python package"
    return None


def _other_term(tokens: Sequence[Token], clause: Clause, term: str | None, compared: frozenset[str]) -> bool:
    """True when a clause names only other compared terms than the point's (or, opening with a pronoun, the
    clause before it does): "four hundred is what FastAPI sends when the request doesn't match the schema"."""
    if term is None:
        return False

    def named(first: int, last: int) -> frozenset[str]:  # "not a 400" does not name 400 as the subject
        return frozenset(
            tokens[i].text
            for i in range(first, last + 1)
            if tokens[i].text in compared and not claims.negation_words(tokens[max(first, i - 2) : i])
        )

    said = named(clause.first, clause.last)
    if not said and clause.antecedent >= 0:
        said = named(clause.antecedent, clause.first - 1)
    return bool(said) and term not in said


def _opposite_qualifier(tokens: Sequence[Token], phrase: _Phrase, found: Found) -> str | None:
    """The words before a matched word when they are the opposite of the phrase's word before it: "blocking
    libraries" said where the phrase has "async libraries", even with "async" said elsewhere in the clause."""
    for i, place in found.word_places.items():
        if i == 0 or place == 0:
            continue
        qualifier, before = stem(phrase.words[i - 1]), stem(tokens[place - 1].text)
        if before in claims.antonyms(qualifier):
            return f"{tokens[place - 1].text} {tokens[place].text}"
    return None


def _same_relation(tokens: Sequence[Token], clause: Clause, phrase: _Phrase) -> bool:
    """Whether the clause's renaming word points the same way as the phrase's, so word order can be compared:
    "dict is gone, model dump replaced it" does not say "model dump replaces dict" backwards. A clause without
    one ("model_dump, the old dict") is read in the phrase's direction."""
    direction = _relation(tokens[clause.first : clause.last + 1])
    return direction is None or direction == _relation(tokenize(phrase.text))


def _reversed_claim(tokens: Sequence[Token], clause: Clause, phrase: _Phrase, found: Found) -> bool:
    """Whether a renaming is said the other way round: its sides in the other order under a relation word
    pointing the same way ("model dump became dict"), or in the same order under one pointing the other way
    inside the match ("field validator became just validator" for "field validator replaces validator")."""
    swapped = _swapped(found, phrase) or _sides_swapped(tokens, phrase, found)
    own = _relation(tokenize(phrase.text))
    inside = _relation(tokens[found.first : found.last + 1])
    if inside is not None and own is not None and inside != own:
        return not swapped
    return swapped and _same_relation(tokens, clause, phrase)


def _renaming_tail(tokens: Sequence[Token], phrase: _Phrase, found: Found, pauses: frozenset[int]) -> bool | None:
    """A renaming said as "new, not old" ("model validate now, not parse obj"): True when the name after the ", not"
    is the phrase's new one (said the other way round), False when it is the old one, None without such a tail
    or when it names both or neither. The ", not" reads like "instead of": what follows it is set aside."""
    backward = _relation(tokenize(phrase.text)) == "backward"
    old, new = (len(phrase.words) - 1, 0) if backward else (0, len(phrase.words) - 1)
    for i in range(found.first + 1, found.last + 1):
        if i in pauses and tokens[i].text == "not":
            tail = claims.governed(tokens, i, found.last, pauses)
            names_old, names_new = found.word_places.get(old) in tail, found.word_places.get(new) in tail
            if names_old != names_new:
                return names_new
    return None


def _sides_swapped(tokens: Sequence[Token], phrase: _Phrase, found: Found) -> bool:
    """True when a word only one side of the phrase's relation word has is said on the other side of the
    relation word inside the match: "field validator became just validator" for "validator became
    field_validator", whose first and last words are the same word."""
    said = tokens[found.first : found.last + 1]
    told = _sides(said)
    own = _sides(tokenize(phrase.text))
    if own is None or told is None:
        return False
    only_left, only_right = own[0] - own[1] - STOPWORDS, own[1] - own[0] - STOPWORDS
    return bool(only_left & told[1] and not only_left & told[0]) or bool(
        only_right & told[0] and not only_right & told[1]
    )


def _sides(said: Sequence[Token]) -> tuple[set[str], set[str]] | None:
    """The word stems before and after the first relation word ("became"), or None without one."""
    relation = next((i for i, t in enumerate(said) if t.text in claims.ORDERED_RELATIONS), None)
    if relation is None:
        return None
    return {stem(t.text) for t in said[:relation]}, {stem(t.text) for t in said[relation + 1 :]}


def _swapped(found: Found, phrase: _Phrase) -> bool:
    """True when the phrase's first and last words were said in the opposite order."""
    first, last = found.word_places.get(0), found.word_places.get(len(phrase.words) - 1)
    return first is not None and last is not None and first > last


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _span(tokens: Sequence[Token], first: int, last: int) -> tuple[int, int]:
    return tokens[first].start, tokens[last].end


#: One paraphrase candidate considered: (point index, clause text, cosine similarity, verdict).
Trace = list[tuple[int, str, float, str]]


def score_answer(card: Card, transcript: str) -> ScoreResult:
    """Score a transcript against the card's key points and misconceptions, with evidence for each verdict."""
    return _score(card, transcript, None)


def explain_paraphrases(card: Card, transcript: str) -> tuple[ScoreResult, Trace]:
    """The score and every paraphrase candidate the embedding proposed, with why it was or was not credited
    (for bench/scoring_misses.py: a missed paraphrase is diagnosed by its cause, not guessed at)."""
    trace: Trace = []
    return _score(card, transcript, trace), trace


def _score(card: Card, transcript: str, trace: Trace | None) -> ScoreResult:
    prep = _prepare(card)
    tokens = normalize.join_acronyms(transcript, tokenize(transcript), prep.acronyms)
    tokens = normalize.join_split_numbers(transcript, tokens, prep.numbers)
    tokens = normalize.mend_terms(transcript, tokens, prep.term_pairs, prep.words)
    index = WordIndex(tokens, prep.keys)
    all_clauses = claims.split_clauses(transcript, tokens, prep.topics)
    listed = claims.listed_terms(transcript, tokens)
    clauses = [
        c
        for c in all_clauses
        if not claims.is_word_list(transcript, tokens, c) and not listed.issuperset(range(c.first, c.last + 1))
    ]
    pauses = claims.pauses(transcript, tokens)

    said_wrong: list[MisconceptionResult] = []
    blocked: set[int] = set()
    for misconception, phrases in zip(card.misconceptions, prep.wrong, strict=True):
        best = _said_misconception(prep, index, tokens, transcript, clauses, phrases, pauses)
        if best is not None:
            span = _span(tokens, best.found.first, best.found.last)
            said_wrong.append(MisconceptionResult(misconception, span, transcript[span[0] : span[1]]))
            blocked.update(range(best.found.first, best.found.last + 1))
    for m, clause in _misconceptions_in_other_words(card, prep, tokens, transcript, clauses, said_wrong, blocked):
        span = _span(tokens, clause.first, clause.last)
        said_wrong.append(MisconceptionResult(card.misconceptions[m], span, transcript[span[0] : span[1]]))
        blocked.update(range(clause.first, clause.last + 1))
    frozen_blocked = frozenset(blocked)
    echo = _question_words(tokens, prep.question_stems)

    results: list[PointResult | None] = []
    for p, point in enumerate(card.key_points):
        results.append(
            _lexical_result(
                point, p, prep, index, tokens, transcript, clauses, frozen_blocked, pauses, said_wrong, echo
            )
        )
    if any(r is None or r.how == "contradicted" for r in results):
        results = _paraphrases(card, prep, results, tokens, transcript, clauses, frozen_blocked, pauses, trace)
    final = [
        r if r is not None else PointResult(point, False, 0.0, None, how="missed", evidence=prep.model_sentences[p])
        for p, (point, r) in enumerate(zip(card.key_points, results, strict=True))
    ]
    return ScoreResult(overall(final, said_wrong), tuple(final), tuple(said_wrong))


def _card_texts(card: Card, misconceptions: bool = True) -> list[str]:
    """What the card writes: question, model answer, key point phrases and (unless told not to) misconceptions."""
    texts = [card.question, card.answer, *(p for point in card.key_points for p in point.phrases)]
    if misconceptions:
        texts += [t for m in card.misconceptions for t in (m.claim, *m.aliases)]
    return texts


def _card_acronyms(card: Card) -> frozenset[str]:
    """The acronyms the card writes in capitals ("WSGI", "ASGI"): a transcript's "W-SGI" is read as WSGI."""
    return normalize.acronyms(*_card_texts(card))


def _card_numbers(card: Card) -> frozenset[str]:
    """The numbers of three digits or more the card names ("422", "400"): a transcript's "4.22" is read as 422."""
    texts = _card_texts(card, misconceptions=False)
    return frozenset(t.text for text in texts for t in tokenize(text) if t.text.isdigit() and len(t.text) >= 3)


def _card_words(card: Card) -> frozenset[str]:
    """Every word the card writes: a transcript's "a sync" is joined into async only when the card says async."""
    return frozenset(t.text for text in _card_texts(card) for t in tokenize(text))


def _embeddings_ready(fallback: str) -> bool:
    """Whether the embedding model is loaded; a missing or broken model must never stop scoring by words."""
    try:
        return semantic.preload()
    except Exception:
        log.exception("embedding model failed; %s", fallback)
        return False


def _said_misconception(
    prep: _Prepared,
    index: WordIndex,
    tokens: Sequence[Token],
    transcript: str,
    clauses: Sequence[Clause],
    phrases: Sequence[_Phrase],
    pauses: frozenset[int],
) -> _Match | None:
    """Where the answer makes this misconception: all its words (MISCONCEPTION_THRESHOLD), or most of them,
    including every word that makes it wrong, in a clause without any negation that the embedding reads as much
    closer to the misconception than to any key point ("the route keeps running after that" for "the route keeps
    running after the exception")."""
    strict: _Match | None = None
    loose: list[_Match] = []
    for phrase in phrases:
        match = _find(index, tokens, phrase, clauses, frozenset(), frozenset(), pauses, HIT_THRESHOLD)
        if match is None or match.negation is not None or match.similarity < HIT_THRESHOLD:
            continue
        if match.similarity >= MISCONCEPTION_THRESHOLD and len(match.found.matched) == len(phrase.words):
            if strict is None or match.similarity > strict.similarity:
                strict = match
        else:
            loose.append(match)
    if strict is not None or not loose:
        return strict
    if not _embeddings_ready("misconceptions by words only"):
        return None
    points = [semantic.embed_one(ph.text) for group in prep.points for ph in group]
    margin = semantic.selected().misconception_read_margin
    for match in sorted(loose, key=lambda m: -m.similarity):
        clause = match.clause
        if claims.negation_words(tokens[clause.first : clause.last + 1]):
            continue  # weaker evidence: any negation in the clause ("it won't make CPU-bound code quicker")
        vector = semantic.embed_one(transcript[tokens[clause.first].start : tokens[clause.last].end])
        to_point = max((float(vector @ v) for v in points), default=-1.0)
        if float(vector @ semantic.embed_one(match.phrase.text)) >= to_point + margin:
            return match
    return None


#: Words that open a condition: "if only a few routes need it, I'd use a dependency" claims nothing.
_CONDITIONS = frozenset({"if", "unless"})


def _misconceptions_in_other_words(
    card: Card,
    prep: _Prepared,
    tokens: Sequence[Token],
    transcript: str,
    clauses: Sequence[Clause],
    said: Sequence[MisconceptionResult],
    blocked: set[int],
) -> list[tuple[int, Clause]]:
    """Misconceptions said in other words ("Depends only takes classes"): a clause without any negation or
    condition that the embedding puts at the model's `misconception` cosine from a misconception and
    MISCONCEPTION_WORDS_MARGIN closer to it than to any key point or clause of the model answer, sharing two word
    roots with it that no key point, model sentence or the question has (the words that make it wrong), and saying
    no opposite of its words ("within one request each dependency is called once" is not "each use calls the
    dependency again")."""
    found = {m.claim for m in said}
    open_ = [i for i, m in enumerate(card.misconceptions) if m.claim not in found and prep.distinct[i]]
    plain = [
        c
        for c in clauses
        if blocked.isdisjoint(range(c.first, c.last + 1))
        and not claims.negation_words(tokens[c.first : c.last + 1])
        and not _CONDITIONS & {t.text for t in tokens[c.first : min(c.first + 2, c.last + 1)]}
    ]
    roots = {c: {stem(t.text)[:5] for t in tokens[c.first : c.last + 1]} for c in plain}

    def says_wrong_words(i: int, c: Clause) -> bool:
        return len(prep.distinct[i] & roots[c]) >= min(2, len(prep.distinct[i]))

    # Only clauses that share the words that make some misconception wrong are embedded: no other can be flagged,
    # and embedding is most of a score's cost (a 300-word answer has dozens of clauses, one in a few shares them).
    usable = [c for c in plain if any(says_wrong_words(i, c) for i in open_)]
    if not open_ or not usable or not _embeddings_ready("misconceptions by words only"):
        return []
    model = semantic.selected()
    vectors = semantic.embed([transcript[tokens[c.first].start : tokens[c.last].end] for c in usable])
    right = [semantic.embed_one(ph.text) for group in prep.points for ph in group]
    # Anything the model answer says is right, point or not: "other requests, even health checks, just wait" (its
    # own clause) is not "only that request waits", however close the two read.
    right += [semantic.embed_one(s) for s in (*prep.model_sentences, *prep.model_clauses) if s]
    to_point = np.max(vectors @ np.stack(right).T, axis=1)
    out: list[tuple[int, Clause]] = []
    taken: set[int] = set()
    for i in open_:
        wrong = card.misconceptions[i]
        texts = [wrong.claim, *wrong.aliases]
        sims = np.max(vectors @ np.stack([semantic.embed_one(t) for t in texts]).T, axis=1)
        own = [t.text for text in texts for t in tokenize(text) if t.text not in STOPWORDS]
        for k in (int(k) for k in np.argsort(-sims)):
            if sims[k] < model.misconception:
                break
            clause = usable[k]
            if k in taken or sims[k] < to_point[k] + MISCONCEPTION_WORDS_MARGIN:
                continue
            if not says_wrong_words(i, clause):
                continue
            words = {stem(t.text) for t in tokens[clause.first : clause.last + 1]}
            if any(claims.antonyms(w) & words and stem(w) not in words for w in own):
                continue
            out.append((i, clause))
            taken.add(k)
            break
    return out


def _question_words(tokens: Sequence[Token], question: frozenset[str]) -> frozenset[int]:
    """The transcript tokens that say a word of the question, alone or joined as speech recognition splits it
    ("a sync" for "async", "open API" for "OpenAPI")."""
    said: set[int] = set()
    negated = any(claims.negation_words([Token(w, 0, 0)], contrasts=False) for w in question)
    for i in range(len(tokens)):
        if negated and claims.negation_words([tokens[i]], contrasts=False):
            said.add(i)  # "no validation code" echoes "without writing any validation code"
        if str(number_word(tokens[i].text)) in question:
            said.add(i)  # "version two" echoes "version 2" (a lone "two" stays a word)
        if stem(tokens[i].text) in question:
            said.add(i)
        if tokens[i].text not in _prefixes(question):
            continue  # no question word starts with it, so no join from here makes one
        joined = tokens[i].text
        for j in range(i + 1, min(i + 3, len(tokens))):
            joined += tokens[j].text
            if stem(joined) in question:
                said.update(range(i, j + 1))
    return frozenset(said)


@functools.lru_cache(maxsize=256)
def _prefixes(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w[:k] for w in words for k in range(1, len(w) + 1))


def _lexical_result(
    point: KeyPoint,
    p: int,
    prep: _Prepared,
    index: WordIndex,
    tokens: Sequence[Token],
    transcript: str,
    clauses: Sequence[Clause],
    blocked: frozenset[int],
    pauses: frozenset[int],
    said_wrong: Sequence[MisconceptionResult],
    echo: frozenset[int] = frozenset(),
) -> PointResult | None:
    """The point found in its own words (hit or contradicted), or None."""
    best: _Match | None = None
    for phrase in prep.points[p]:
        match = _find(
            index,
            tokens,
            phrase,
            clauses,
            prep.rivals[p],
            blocked,
            pauses,
            HIT_THRESHOLD,
            prep.about[p],
            prep.entities,
            prep.compares[p] and not prep.entities,  # compared "<qualifier> <head>" things: `about` checks them
            prep.topics,
            (prep.term[p], prep.compared_terms),
            echo,
        )
        if match and (best is None or match.rank(HIT_THRESHOLD) > best.rank(HIT_THRESHOLD)):
            best = match
    if best is not None and best.similarity >= HIT_THRESHOLD:
        span = _span(tokens, best.found.first, best.found.last)
        said = transcript[span[0] : span[1]]
        if best.negation is None:
            return PointResult(point, True, best.similarity, span, how="same words", evidence=said,
                               why=f'same words as "{best.phrase.text}"')  # fmt: skip
        return PointResult(point, False, best.similarity, span, how="contradicted", evidence=said,
                           why=f'"{best.phrase.text}" {best.negation}')  # fmt: skip
    if blocked:
        # Found only in the words of a misconception: the answer claimed the opposite.
        for phrase in prep.points[p]:
            match = _find(index, tokens, phrase, clauses, prep.rivals[p], frozenset(), pauses)
            if match and match.similarity >= HIT_THRESHOLD:
                span = _span(tokens, match.found.first, match.found.last)
                wrong = next((m for m in said_wrong if m.span[0] < span[1] and span[0] < m.span[1]), None)
                if wrong is not None:
                    return PointResult(point, False, match.similarity, span, how="contradicted",
                                       evidence=wrong.said, why=f'contradicted by "{wrong.claim}"')  # fmt: skip
    return None


def _paraphrases(
    card: Card,
    prep: _Prepared,
    results: list[PointResult | None],
    tokens: Sequence[Token],
    transcript: str,
    clauses: Sequence[Clause],
    blocked: frozenset[int],
    pauses: frozenset[int],
    trace: Trace | None = None,
) -> list[PointResult | None]:
    """Points not found in their own words, credited where a clause says the same idea in other words."""
    if not _embeddings_ready("scoring by words only"):
        return results
    usable = []
    pieces = _pieces(clauses, pauses)
    for c in [*clauses, *pieces]:
        said = tokens[c.first : c.last + 1]
        new_words = {t.text for t in said if t.text not in STOPWORDS and stem(t.text) not in prep.question_stems}
        why = None
        if not blocked.isdisjoint(range(c.first, c.last + 1)):
            why = "holds a misconception"
        elif len(new_words) < PARAPHRASE_MIN_NEW_WORDS:
            why = "too few words beyond the question's"
        elif claims.hedged(tokens[pieces.get(c, c).first : pieces.get(c, c).last + 1]):  # a stretch: its clause
            why = "the speaker says they are unsure"
        if why is None:
            usable.append(c)
        elif trace is not None:
            trace.append((-1, transcript[said[0].start : said[-1].end], 0.0, why))
    if not usable:
        return results
    model = semantic.selected()
    texts = [transcript[tokens[c.first].start : tokens[c.last].end] for c in usable]
    vectors = semantic.embed(
        [_with_subject(prep, tokens, transcript, c, t) for c, t in zip(usable, texts, strict=True)]
        if model.pronoun_subject
        else texts
    )
    question = semantic.embed_one(card.question)
    # sims[p][c]: how close clause c is to point p: the best of its phrases, or of its model-answer sentence
    # less the model's model_sentence_discount (that sentence often carries a second idea the clause may be close to).
    own = np.stack(
        [
            np.max(vectors @ np.stack([semantic.embed_one(ph.text) for ph in phrases]).T, axis=1)
            for phrases in prep.points
        ]
    )
    sims = np.stack(
        [
            np.maximum(
                own[p],
                vectors @ semantic.embed_one(prep.model_sentences[p]) - model.model_sentence_discount
                if prep.model_sentences[p]
                else -1.0,
            )
            for p in range(len(prep.points))
        ]
    )
    to_question = vectors @ question
    # A clause is read as making the point it is closest to among the points still open and those it made in
    # their own words: for WordLlama, a point said in other words elsewhere does not claim it. MiniLM's vectors
    # of a vague clause sit close to a point said elsewhere ("it gives you a session" after "the database
    # session"), and through a shared model sentence close to a farther point too: there a point already made
    # claims its nearest clauses (`made_points_claim`).
    spans = [_span(tokens, c.first, c.last) for c in usable]
    claimed = np.array(
        [
            [
                r is None
                or r.how == "contradicted"
                or (r.span is not None and _overlap(r.span, span))
                or (model.made_points_claim and r.hit)
                for span in spans
            ]
            for r in results
        ]
    )
    # Closest by the points' own phrases: points that share a model-answer sentence are equally close to a
    # clause through it, which says nothing about which of them the clause makes.
    mine = np.where(claimed, own, -1.0)
    wrong = _misconception_sims(prep, vectors)
    # An answer none of whose clauses comes close to any of the card's points is about another topic: its clauses
    # earn this card's points from shared words only ("pydantic v2 does validation in Rust" is no paraphrase of
    # "validates outgoing data" in an answer about why FastAPI is fast).
    whole = [k for k, c in enumerate(usable) if c not in pieces]  # a stretch would count its clause twice
    topicality = _topicality(sims[:, whole]) if whole else _topicality(sims)
    on_topic = topicality >= model.on_topic
    # Nearer the card but not plainly about it, one shared word root is no longer enough: the clause's closeness
    # may be that one word ("validation", "pydantic"), which sibling cards share.
    topical = topicality >= model.topical
    # Every (point, clause) pair close enough to be read, closest first, over all points: a point credited by one
    # clause no longer claims the others ("it hands every route that one object" may then make a second point).
    pairs = sorted(
        (
            (float(sims[p, k]), p, k)
            for p, result in enumerate(results)
            if (result is None or result.how == "contradicted") and any(len(ph.words) >= 2 for ph in prep.points[p])
            for k in range(len(usable))
            if sims[p, k] >= model.low
        ),
        key=lambda pair: -pair[0],
    )
    out = list(results)
    credited: dict[int, int] = {}  # point -> the clause credited for it
    home = [pieces.get(c, c) for c in usable]  # the whole clause a candidate (or a stretch of it) belongs to
    contradictions: dict[int, tuple[int, str]] = {}
    for sim, p, k in pairs:
        if p in credited or contradictions.get(p, (0, ""))[1] in _REVERSED:
            continue  # the clause closest to the point said it wrongly: a vaguer one further off is no paraphrase
        result = results[p]
        clause = usable[k]
        # A point credited by another clause stops claiming this one, unless this one says it wrongly ("the sub
        # dependencies are resolved last" still belongs to "resolved first", credited elsewhere).
        elsewhere = [
            q
            for q, c in credited.items()
            if c != k and (mine[q, k] <= sim or _rejection(prep, q, tokens, clause, pauses, transcript) is None)
        ]
        closest = float(np.max(np.delete(mine[:, k], elsewhere))) if elsewhere else float(np.max(mine[:, k]))
        verdict = _verdict(prep, p, result, tokens, clause, pauses, transcript, sim, closest, to_question[k])
        if verdict is None and clause in pieces:
            if _shared_roots(prep, p, tokens, clause) < LOW_ROOTS:
                verdict = "a stretch of a clause with one word root of the point"
            else:
                verdict = _rejection(prep, p, tokens, pieces[clause], pauses, transcript)
        # A point stated negated ("not faster CPU work") sits near its misconception by its words alone.
        if (
            verdict is None
            and not any(ph.negated for ph in prep.points[p])
            and wrong[k] >= sim + model.misconception_margin
        ):
            verdict = f"closer to a misconception ({wrong[k]:.2f})"  # "fields the model doesn't declare go through"
        if verdict is None and sum(home[c] == home[k] for c in credited.values()) >= PARAPHRASE_POINTS_PER_CLAUSE:
            verdict = "its clause already makes other points"  # "you include them in the app somehow"
        if verdict is None and not on_topic:
            verdict = "the answer is about another topic"
        if verdict is None and not topical and _shared_roots(prep, p, tokens, clause) < LOW_ROOTS:
            verdict = "one word root, in an answer far from the card's topic"
        if trace is not None:
            trace.append((p, texts[k], sim, verdict or "credited"))
        if verdict in _CONTRADICTING and sim >= CONTRADICTION_THRESHOLD and result is None:
            contradictions.setdefault(p, (k, verdict))
        if verdict is not None:
            continue
        credited[p] = k
        span = _span(tokens, clause.first, clause.last)
        out[p] = PointResult(card.key_points[p], True, 100 * sim, span, how="paraphrase",
                             evidence=texts[k], why=f'paraphrase of "{card.key_points[p].text}"')  # fmt: skip
    for p, (k, verdict) in contradictions.items():
        if out[p] is None:
            # The clause closest to the point says it negated or the other way round: "the response model doesn't
            # filter anything" states "response_model filters fields" wrongly, it does not just miss it.
            span = _span(tokens, usable[k].first, usable[k].last)
            out[p] = PointResult(card.key_points[p], False, 100 * float(sims[p, k]), span, how="contradicted",
                                 evidence=texts[k], why=f'"{card.key_points[p].text}" {verdict}')  # fmt: skip
    if trace is not None:  # the closest clause below the threshold of each point still open, for the diagnosis
        for p in range(len(results)):
            below = [k for k in np.argsort(-sims[p]) if sims[p, k] < model.low]
            if out[p] is None and below:
                trace.append((p, texts[int(below[0])], float(sims[p, below[0]]), "below the threshold"))
    return out


def _pieces(clauses: Sequence[Clause], pauses: frozenset[int]) -> dict[Clause, Clause]:
    """The stretches between pauses of clauses that have some, each with its clause, as extra paraphrase
    candidates: a long run-on clause's vector is the average of its ideas, and a point made in one stretch of it
    sits far from it. A stretch is read with its whole clause's claim checks too (a negation before the pause)."""
    out: dict[Clause, Clause] = {}
    for c in clauses:
        cuts = sorted({c.first, *(i for i in pauses if c.first < i <= c.last), c.last + 1})
        if len(cuts) > 2:
            out.update((Clause(a, b - 1), c) for a, b in itertools.pairwise(cuts))
    return out


def _topicality(sims: semantic.Vectors) -> float:
    """How close the answer is to the card: the mean of its two clauses closest to any of the card's points (one
    clause when it has only one). An answer about another card's topic stays far from every point."""
    best = np.sort(np.max(sims, axis=0))[-TOPICAL_CLAUSES:]
    return float(np.mean(best))


def _with_subject(prep: _Prepared, tokens: Sequence[Token], transcript: str, clause: Clause, text: str) -> str:
    """A clause opening with a pronoun, with the compared thing the clause before names put in front of it:
    "Path parameters, and they're always required" is what "and they're always required" says there."""
    if clause.antecedent < 0:
        return text
    for i in range(clause.antecedent, clause.first - 1):
        pair = (stem(tokens[i].text), stem(tokens[i + 1].text))
        if any(pair == (e.qualifier, e.head) for e in prep.entities):
            return f"{transcript[tokens[i].start : tokens[i + 1].end]}, {text}"
    return text


def _misconception_sims(prep: _Prepared, vectors: semantic.Vectors) -> semantic.Vectors:
    """Per clause, its cosine similarity to the closest misconception of the card (-1 without any): a clause
    closer to a wrong claim than to a point is no paraphrase of the point."""
    texts = [ph.text for phrases in prep.wrong for ph in phrases]
    if not texts:
        return np.full(len(vectors), -1.0, dtype=np.float32)
    closest: semantic.Vectors = np.max(vectors @ np.stack([semantic.embed_one(t) for t in texts]).T, axis=1)
    return closest


def _verdict(
    prep: _Prepared,
    p: int,
    result: PointResult | None,
    tokens: Sequence[Token],
    clause: Clause,
    pauses: frozenset[int],
    transcript: str,
    sim: float,
    closest: float,
    to_question: float,
) -> str | None:
    """Why a clause at cosine `sim` from point p is not credited as its paraphrase, or None when it is."""
    model = semantic.selected()
    if sim < model.paraphrase and (sim < model.low or _shared_roots(prep, p, tokens, clause) < LOW_ROOTS):
        return "below the threshold"
    if sim < closest - PARAPHRASE_MARGIN:
        return "closer to another point"
    if to_question >= sim:
        return "closer to the question"
    if result is not None and result.span is not None:
        span = _span(tokens, clause.first, clause.last)
        if span[0] < result.span[1] and result.span[0] < span[1]:
            return "the clause that contradicts the point"
    return _rejection(prep, p, tokens, clause, pauses, transcript)


def _shared_roots(prep: _Prepared, p: int, tokens: Sequence[Token], clause: Clause) -> int:
    """How many word roots beyond the question's a clause shares with point p's phrases and model sentence."""
    return len(prep.roots[p] & _clause_roots(tokens, clause, prep.question_stems))


def _rejection(
    prep: _Prepared, p: int, tokens: Sequence[Token], clause: Clause, pauses: frozenset[int], transcript: str
) -> str | None:
    """Why a clause the embedding proposed does not make point p, or None when the claim checks confirm it:
    numbers, names, subject, order, and no negation or opposite the point lacks (nor its negated word said
    plainly). The reason names the check, so bench/scoring_misses.py can show why a paraphrase was missed."""
    said_tokens = tokens[clause.first : clause.last + 1]
    words = {t.text for t in said_tokens}
    said_stems = {stem(w) for w in words}
    phrases = prep.points[p]
    if not any(ph.numbers <= claims.numbers(words) and ph.names <= words for ph in phrases):
        return "a number or name the point needs is not said"
    numbers = frozenset().union(*(ph.numbers for ph in phrases))
    if numbers and claims.numbers(words) and numbers.isdisjoint(claims.numbers(words)):
        return "another number than the point's"  # "like four oh four" is not "422 is a validation error"
    names = frozenset().union(*(ph.names for ph in phrases))
    if names and names.isdisjoint(words):
        others = _names_said(transcript, tokens, clause) - prep.question_stems - names
        if others - {stem(o) for o in others if stem(o) in prep.question_stems}:
            return "another product than the point's"  # "served by Gunicorn" is not "served by Uvicorn"
    if any(ph.ordered and _reversed_in(ph, said_tokens) for ph in phrases):
        return "said the other way round"  # "from_attributes was renamed to orm_mode"
    # A word the point's own text affirms is not what an alias negates: "uvicorn" in "no long uvicorn command",
    # an alias of "replaces the uvicorn command" ("don't return the DB model" negates its own "return").
    affirmed = set() if phrases[0].negated else {stem(w) for w in phrases[0].words}
    negated_words = {stem(w) for ph in phrases if ph.negated for w in _negated_words(ph)} - affirmed
    if negated_words & said_stems and not claims.negation_words(said_tokens):
        return "what the point negates, said plainly"  # "with automatic retries" is not "no retries"
    if not _shared_roots(prep, p, tokens, clause):
        return "no word root of the point or its model sentence beyond the question"
    topic = claims.first_topic(tokens, clause, prep.topics)
    if topic is not None and prep.compares[p] and topic in prep.rivals[p]:
        return "its subject is another compared thing"
    if prep.about[p] is not None and claims.clause_entity(tokens, clause, prep.entities) not in (None, prep.about[p]):
        return "said of another compared thing"
    if _other_term(tokens, clause, prep.term[p], prep.compared_terms):
        return "said of another compared number"
    if _nearer_rival(prep, p, tokens, clause):
        return "its words are said of another compared thing"  # "slash redoc is the Swagger UI"
    if not any(ph.negated for ph in phrases) and _opposite_said(phrases, words, bool(phrases[0].order)):
        return "the opposite of the point's word"  # "the pool is unlimited" is not "limited pool size"
    if not any(ph.negated for ph in phrases) and _denied(phrases, tokens, clause, pauses):
        return "the point's words said after a negation"  # "you don't need a task queue"
    if not any(ph.negated for ph in phrases) and _negated_after_subject(prep, p, tokens, clause, pauses):
        return "negated after the point's subject"  # "tags don't work on routers" is not "tags for the docs"
    if not any(ph.negated for ph in phrases) and _denies_model_words(prep, p, tokens, clause, pauses):
        return "dismisses a word of the point or its model sentence"  # "you don't really need Celery anymore"
    ordered = any(ph.ordered for ph in phrases)
    said = claims.negations_before(tokens, clause, clause.first, clause.last, pauses, not ordered)
    if said and not any(ph.negated for ph in phrases):
        # Most of the point's own words with a negation: a negated copy ("not required"), not a paraphrase
        # ("it won't coerce an int into a string any more" still paraphrases "stricter coercion").
        for ph in phrases:
            own = [w for i, w in enumerate(ph.words) if i not in ph.roles]
            if own and sum(stem(w) in said_stems for w in own) / len(own) > 0.5:
                return "a negated copy of the point's own words"
    if claims.order_reversed(tokens, clause.first, clause.last, dict(phrases[0].order)):
        return "said in the other order"  # "the route first and the sub dependencies afterwards"
    extent = _extent(phrases)
    if extent is not None and claims.quantifier_flipped(tokens, clause.first, clause.last, extent[1], extent[0]):
        return "said of the opposite extent"  # "whatever fields you return all get sent" for "only declared ones"
    if not ordered and _mostly_set_aside(tokens, clause, pauses):
        return "most of it follows a contrast"  # "it's better than switching to an async client"
    return None


def _nearer_rival(prep: _Prepared, p: int, tokens: Sequence[Token], clause: Clause) -> bool:
    """True when most of point p's own words (beyond the compared things) sit nearer another compared thing than
    the point's own in the clause: "slash docs is ReDoc and slash redoc is the Swagger UI" pairs Swagger UI with
    /redoc, not with /docs as "Swagger UI at /docs" does."""
    stems = {stem(w) for ph in prep.points[p] for w in ph.words}
    roles, rivals = stems & prep.alternatives, prep.rivals[p] & prep.alternatives
    said = [stem(t.text) for t in tokens[clause.first : clause.last + 1]]
    own_at = [i for i, w in enumerate(said) if w in roles]
    rival_at = [  # "not 400" names no subject
        i
        for i, w in enumerate(said)
        if w in rivals and not claims.negation_words(tokens[max(clause.first, clause.first + i - 2) : clause.first + i])
    ]
    if not own_at or not rival_at:
        return False
    words = stems - roles - rivals - STOPWORDS
    votes = 0
    for i, w in enumerate(said):
        if w in words:
            to_own, to_rival = min(abs(i - j) for j in own_at), min(abs(i - j) for j in rival_at)
            votes += (to_own < to_rival) - (to_rival < to_own)
    return votes < 0


#: Negations that deny a predicate when they follow its subject: "tags do not work", "the model never does".
_VERB_NEGATIONS = frozenset({"not", "never", "cannot"})
#: A subject is at most this many content words in a row ("the response model", "path parameters").
_SUBJECT_WORDS = 3


def _negated_after_subject(
    prep: _Prepared, p: int, tokens: Sequence[Token], clause: Clause, pauses: frozenset[int]
) -> bool:
    """True when a stretch between pauses opens with point p's word as its subject and then denies what the
    subject does: "tags don't work on routers" is not "tags for the docs", "the model never does" not "the
    model declares it". A negation further on ("a schema for the user without that column", "a request that
    can't be turned into the types") negates something else and is left to the other checks."""
    own = {stem(w)[:5] for ph in prep.points[p] for w in ph.words}
    cuts = sorted({clause.first, *(i for i in pauses if clause.first < i <= clause.last), clause.last + 1})
    for start, end in itertools.pairwise(cuts):
        i = start
        while i < end and tokens[i].text in STOPWORDS:
            i += 1
        subject: list[str] = []
        while i < end and len(subject) < _SUBJECT_WORDS and tokens[i].text not in STOPWORDS:
            if claims.negation_words([tokens[i]]):
                break
            subject.append(tokens[i].text)
            i += 1
        while i < end and tokens[i].text in STOPWORDS:
            i += 1
        if (
            i + 1 < end
            and tokens[i].text in _VERB_NEGATIONS
            and not claims.widens(tokens, i)
            and any(stem(w)[:5] in own for w in subject)
        ):
            return True
    return False


#: Verbs that, negated, dismiss what follows them: "you don't need Celery", "ASGI doesn't support them".
DISMISSALS = frozenset({"need", "needs", "needed", "support", "supports", "supported", "use", "uses", "used",
                        "require", "requires", "required", "help", "helps"})  # fmt: skip


def _negated_roots(
    tokens: Sequence[Token], first: int, last: int, pauses: frozenset[int], dismissals: bool = True
) -> set[str]:
    """Word roots a negated dismissal ("don't need", "no need for") applies to, up to the next pause: "celer" in
    "you don't really need Celery anymore"; with `dismissals` False, every word after a negation."""
    out: set[str] = set()
    negation = dismissed = False
    for i in range(first, last + 1):
        if i in pauses:
            negation = dismissed = False
        text = tokens[i].text
        if claims.negation_words([tokens[i]], contrasts=False):
            negation = True
            dismissed = not dismissals
        elif negation and not dismissed and text in DISMISSALS:
            dismissed = True
        elif dismissed and text not in STOPWORDS:
            out.add(stem(text)[:5])
    return out


def _denies_model_words(
    prep: _Prepared, p: int, tokens: Sequence[Token], clause: Clause, pauses: frozenset[int]
) -> bool:
    """True when the clause dismisses a word of point p's phrases or model sentence that the model sentence does
    not negate itself: "heavy jobs are fine there, you don't really need Celery" denies "a real task queue such
    as Celery", though "heavy jobs" alone sits close to the point."""
    denied = _negated_roots(tokens, clause.first, clause.last, pauses) & prep.roots[p]
    if not denied:
        return False
    own = tokenize(prep.model_sentences[p])
    agreed = _negated_roots(own, 0, len(own) - 1, frozenset(), dismissals=False)  # what the model sentence negates
    return bool(denied - agreed)


def _mostly_set_aside(tokens: Sequence[Token], clause: Clause, pauses: frozenset[int]) -> bool:
    """True when most of a clause's content words follow "rather than", "better than" or "instead of" before
    the next pause: the clause sets that idea aside rather than claiming it."""
    content = [i for i in range(clause.first, clause.last + 1) if tokens[i].text not in STOPWORDS]
    aside = 0
    for i in range(clause.first, clause.last):
        if (tokens[i].text, tokens[i + 1].text) in claims.CONTRASTS:
            end = min((j for j in pauses if i < j <= clause.last), default=clause.last + 1)
            aside += sum(1 for j in content if i + 1 < j < end)
    return bool(content) and aside / len(content) > 0.5


#: Prefixes that turn a word into its opposite: "unlimited", "non-blocking", "invalid", "malformed".
_OPPOSITE_PREFIXES = ("un", "non", "in", "im", "dis", "mal")


def _opposite_said(phrases: Sequence[_Phrase], words: set[str], ordered: bool = False) -> bool:
    """True when the clause says the opposite of one of the point's own words ("unlimited" for "limited",
    "called twice" for "called once", "a fresh object" for "the same instance") and not the word itself. For a
    point that orders things (`ordered`), its order words are left to claims.order_reversed: "the response goes
    out first and then the task runs" says "runs after the response"."""
    own = {w for ph in phrases for i, w in enumerate(ph.words) if i not in ph.roles}
    if ordered:
        own = {w for w in own if not claims.order_words([Token(w, 0, 0)])}
    if any(prefix + w in words for w in own if len(w) >= 4 for prefix in _OPPOSITE_PREFIXES):
        return True
    said = {stem(w) for w in words}
    own_stems = {stem(w) for w in own}
    return any(claims.antonyms(w) & said - own_stems and stem(w) not in said for w in own)


def _names_said(transcript: str, tokens: Sequence[Token], clause: Clause) -> set[str]:
    """Product names in a clause ("Gunicorn"), leaving out a capital that only starts a sentence ("Define")."""
    names = set()
    for i in range(clause.first, clause.last + 1):
        word = transcript[tokens[i].start : tokens[i].end]
        starts_sentence = i == 0 or bool(re.search(r"[.?!]", transcript[tokens[i - 1].end : tokens[i].start]))
        if _NAME.fullmatch(word) and not starts_sentence:
            names.add(fold(word))
    return names


def _relation(tokens: Sequence[Token]) -> str | None:
    """Which way the first renaming word points: "old became new" is "forward", "new replaces old" or "new
    instead of old" is "backward" ("was replaced by new" is forward again, and so is "use new instead");
    None without one."""
    for i, token in enumerate(tokens):
        if i + 1 < len(tokens) and (token.text, tokens[i + 1].text) in claims.BACKWARD_PAIRS:
            return "backward"
        if token.text in claims.BACKWARD_RELATIONS:
            by = i + 1 < len(tokens) and tokens[i + 1].text == "by"
            return "forward" if by else "backward"
        if token.text in claims.FORWARD_RELATIONS:
            return "forward"
    return None


def _reversed_in(phrase: _Phrase, said: Sequence[Token]) -> bool:
    """True when the clause says an ordered phrase's first and last words the other way round, read with the
    same kind of relation: "parse obj turned into model validate" is not reversed by the alias "model validate
    replaces parse obj", but "model validate became parse obj" is."""
    direction = _relation(said)
    if direction is None or direction != _relation(tokenize(phrase.text)):
        return False
    first, last = stem(phrase.words[0]), stem(phrase.words[-1])
    places = [stem(t.text) for t in said]
    if first not in places or last not in places or first == last:
        return False
    return places.index(first) > len(places) - 1 - places[::-1].index(last)


def _negated_words(phrase: _Phrase) -> list[str]:
    """The words a negated phrase negates: "retries" in "same process, no retries"."""
    tokens = tokenize(phrase.text)
    out: list[str] = []
    for i, t in enumerate(tokens):
        if claims.negation_words([t]):
            out.extend(u.text for u in tokens[i + 1 : i + 3] if u.text not in STOPWORDS)
    return out


def _denied(phrases: Sequence[_Phrase], tokens: Sequence[Token], clause: Clause, pauses: frozenset[int]) -> bool:
    """True when the point's own words are said only after a negation, between the same pauses ("you don't
    need a task queue"); one said outside any negated stretch ("it's stricter, it won't coerce ...") is a claim."""
    own = {stem(w) for ph in phrases for i, w in enumerate(ph.words) if i not in ph.roles}
    cuts = sorted({clause.first, *(i for i in pauses if clause.first < i <= clause.last), clause.last + 1})
    denied = plain = False
    for start, end in itertools.pairwise(cuts):
        negated = False
        for token in tokens[start:end]:
            if claims.negation_words([token]):
                negated = True
            elif stem(token.text) in own:
                if negated:
                    denied = True
                elif not claims.negation_words(tokens[start:end]):
                    plain = True
    return denied and not plain
