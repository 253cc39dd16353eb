"""Checks that turn "these words are here" into "this claim was made".

Word overlap and embeddings both miss what flips a claim: a negation ("path parameters are not required"),
swapped roles ("plain def runs on the event loop and async def in the threadpool"), a wrong number, a bare
list of terms, or the question read back. These checks run on the clause where a match was found.

Roles use the question: the words a card's question shares with its key points name the things being
compared ("path" and "query" parameters, "async def" and "plain def"). A point about one of them is only
made by a clause about that one, so a point's own question words must all be said, and a clause whose subject
is another of them ("query parameters are part of the path") does not make it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trainer.normalize import NEGATIONS, STOPWORDS, Token, stem
from trainer.speechstats import FILLERS

#: Words that start a new clause when the thing talked about changes after them, and always after a pause
#: (", and", ", but", ", so"): a run-on answer strings its claims together this way.
CONJUNCTIONS = frozenset({"and", "but", "while", "whereas", "whilst", "so", "because", "though", "although"})
#: After ", and" these words go on with the same subject ("path parameters sit in the path, and are required").
CONTINUING = frozenset(
    {"is", "are", "was", "were", "has", "have", "had", "can", "must", "will", "would", "should", "may", "might"}
)
#: A comma-separated item this short before ", and" makes it a list's last item ("path, query, and body").
LIST_ITEM_WORDS = 2
_SENTENCE_END = re.compile(r"[.?!;:]")
#: A stretch of words with fewer stopwords than this share is a list of terms, not a claim ("path parameters come
#: after the question mark" has one in seven: a claim).
LIST_STOPWORD_SHARE = 0.1
LIST_MIN_WORDS = 4
#: How many words before a match a negation still applies to it.
NEGATION_REACH = 4
#: Relations whose two sides cannot swap: "dict became model_dump" is not "model_dump became dict".
ORDERED_RELATIONS = frozenset({"became", "becomes", "replaced", "replaces", "renamed", "than", "instead", "into"})
#: Relations that name the old thing first ("dict became model_dump", "parse_obj turned into model_validate")...
FORWARD_RELATIONS = frozenset({"became", "become", "becomes", "becoming", "renamed", "into", "turned"})
#: ... and those that name the new one first ("model_dump replaces dict", "model_validate rather than parse_obj").
BACKWARD_RELATIONS = frozenset({"replaced", "replaces", "replace"})
#: Two-word relations that name the new thing first: "model_validate instead of parse_obj", "rather than".
BACKWARD_PAIRS = frozenset({("instead", "of"), ("rather", "than")})


#: Words that flip a claim into its opposite, in the senses interview answers use them: a general list of
#: English opposites, not taken from any answer ("called twice" is not "called once", "a fresh object" is not
#: "the same instance", "it runs first" is not "it runs after the response"). Prefixed opposites ("unlimited",
#: "asynchronous") are found by their prefix instead.
ANTONYM_PAIRS = (
    ("once", "twice"), ("once", "again"), ("once", "repeatedly"),
    ("same", "different"), ("same", "fresh"), ("same", "separate"), ("shared", "fresh"), ("shared", "separate"),
    ("before", "after"), ("first", "last"), ("after", "first"), ("early", "late"),
    ("required", "optional"), ("mandatory", "optional"), ("always", "optional"),
    ("old", "new"), ("old", "modern"), ("older", "newer"), ("older", "modern"),
    ("strict", "loose"), ("stricter", "looser"), ("stricter", "lenient"), ("strict", "lenient"),
    ("less", "more"), ("fewer", "more"),
    ("many", "only"), ("many", "single"), ("many", "few"), ("inside", "outside"), ("internal", "external"),
    ("automatic", "manual"), ("automatically", "manually"), ("bounded", "endless"), ("limited", "endless"),
    ("limited", "infinite"), ("limit", "infinite"),
    ("success", "failure"), ("accept", "reject"), ("include", "exclude"),
    ("on", "off"), ("enable", "disable"), ("enabled", "disabled"),
    ("hide", "send"), ("hide", "sent"), ("hide", "expose"), ("hide", "leak"), ("hidden", "visible"),
    ("startup", "shutdown"), ("faster", "slower"), ("blocking", "async"), ("blocking", "awaitable"), ("sync", "async"),
    ("synchronous", "asynchronous"), ("synchronous", "async"), ("blocking", "asynchronous"),
)  # fmt: skip
_ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in ANTONYM_PAIRS:
    for _x, _y in ((_a, _b), (_b, _a)):
        _ANTONYMS[stem(_x)] = _ANTONYMS.get(stem(_x), frozenset()) | {stem(_y)}


def antonyms(word: str) -> frozenset[str]:
    """The stems of the opposites of a word ("twice", "again" for "once"); empty when none is listed."""
    return _ANTONYMS.get(stem(word), frozenset())


@dataclass(frozen=True)
class Clause:
    """Tokens first..last (inclusive) of one clause of the transcript."""

    first: int
    last: int
    #: The first token of the clause before, when this one opens with a pronoun ("and they're always required"):
    #: the pronoun is that clause's subject. -1 otherwise.
    antecedent: int = -1


def stems(words: Iterable[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in words)


def split_clauses(text: str, tokens: Sequence[Token], topics: frozenset[str]) -> list[Clause]:
    """Clauses: sentences, cut again at a pause followed by a conjunction (", and", ", but", ", so"), and where a
    comma or conjunction is followed by a new topic word.

    A claim is only looked for inside one clause, so a run-on answer ("async def on the event loop, and def runs
    in a threadpool, and await async libraries") must not leave two claims in one: the words of neighbouring
    claims would make a third ("async def runs in a threadpool"). A clause that goes on after ", and" with its
    subject left out (", and are required") or a list's last item ("path, query, and body") is not cut."""
    if not tokens:
        return []
    clauses: list[Clause] = []
    first = 0
    comma = -1  # the token after the last comma in this sentence
    capitals = capitalises(text, tokens)
    for i in range(1, len(tokens)):
        gap = text[tokens[i - 1].end : tokens[i].start]
        end = sentence_ends(text, tokens, i, capitals)
        pause = "," in gap or (not end and bool(_SENTENCE_END.search(gap)))  # "sign. and those ...": a pause
        cut = end
        if not cut and pause and tokens[i].text in CONJUNCTIONS:
            cut = not _continues(tokens, i, comma)
        if not cut and (pause or tokens[i].text in CONJUNCTIONS):
            cut = _next_content_is_topic(tokens, i, topics) and not _cut_off_subject(tokens, first, i, topics)
        if cut:
            clauses.append(Clause(first, i - 1, _antecedent(tokens, first, clauses)))
            first = i
        if cut and end:
            comma = -1
        elif pause:
            comma = i
    clauses.append(Clause(first, len(tokens) - 1, _antecedent(tokens, first, clauses)))
    return clauses


#: Words that open a clause by pointing back at the subject of the clause before: "..., and they're required".
PRONOUNS = frozenset({"they", "they're", "they've", "those", "these", "it", "them", "this", "that"})
#: Words skipped before such a pronoun: "and, um, those are optional".
_OPENERS = frozenset({"and", "but", "so", "um", "uh", "then", "also", "while", "whereas"})


#: A dotted abbreviation up to its last letter: "W.S.G.I", "e.g", "I.O".
_DOTTED = re.compile(r"(?:\b[^\W\d_]\.)+[^\W\d_]$")


def capitalises(text: str, tokens: Sequence[Token]) -> bool:
    """True when the text starts at least half its sentences (its first included) with a capital, as Whisper and
    most typists do: then a period before a word in lower case is no sentence end (see sentence_ends)."""
    starts = [text[tokens[i].start] for i in range(len(tokens)) if i == 0 or _period(text, tokens, i)]
    return sum(c.isupper() for c in starts) >= sum(c.islower() for c in starts)


def _period(text: str, tokens: Sequence[Token], i: int) -> bool:
    return text[tokens[i - 1].end : tokens[i].start].strip() == "."


def sentence_ends(text: str, tokens: Sequence[Token], i: int, capitals: bool) -> bool:
    """True when the gap before token i ends a sentence. A lone period before a word in lower case does not
    inside a code name or after a dotted abbreviation ("W.S.G.I. is synchronous"), nor before a word that goes on
    with the sentence ("and", "which": CONTINUATIONS) in a text that capitalises its sentences (`capitals`, from
    capitalises()): speech recognition ends every stretch between two pauses with a period, so a sentence said
    with a pause in it comes back as "after a question mark sign. and those you could skip", and the clause
    checks must read that as the comma a typist would write."""
    gap = text[tokens[i - 1].end : tokens[i].start]
    if not _SENTENCE_END.search(gap):
        return False
    if gap.strip() != "." or not text[tokens[i].start].islower():
        return True
    if gap == "." or _DOTTED.search(text, 0, tokens[i - 1].end):
        return False  # a dot inside a code name ("openapi.json", "app.include_router") or after "W.S.G.I"
    return not (capitals and tokens[i].text in CONTINUATIONS)


#: Words in lower case after a period that go on with the sentence before it: "sign. and those you could skip",
#: "the URL. which is", "the route. for every request". A word that may open a sentence of its own in a hurried
#: answer ("the", "a") or a content word ("pydantic. orm mode ...") leaves the period a sentence end.
CONTINUATIONS = CONJUNCTIONS | {"which", "or", "for", "with", "than", "then", "per", "instead", "like", "as", "to"}


def _antecedent(tokens: Sequence[Token], first: int, before: Sequence[Clause]) -> int:
    """The first token of the clause before when the clause starting at `first` opens with a pronoun, else -1."""
    if not before:
        return -1
    for token in tokens[first : first + 4]:
        if token.text in _OPENERS:
            continue
        return before[-1].first if token.text in PRONOUNS else -1
    return -1


def subject_entity(tokens: Sequence[Token], clause: Clause, last: int, found: Sequence[Entity]) -> Entity | None:
    """The compared thing a match before token `last` is said of: named in the clause, or, for a clause opening
    with a pronoun, the thing the clause before names first ("path parameters come after ..., and those are
    optional" is said of path parameters)."""
    named = entity_before(tokens, clause, last, found)
    if named is None and clause.antecedent >= 0:
        return first_entity(tokens, Clause(clause.antecedent, clause.first - 1), found)
    return named


def clause_entity(tokens: Sequence[Token], clause: Clause, found: Sequence[Entity]) -> Entity | None:
    """The first compared thing a clause names, or the one its opening pronoun points back to."""
    named = first_entity(tokens, clause, found)
    if named is None and clause.antecedent >= 0:
        return first_entity(tokens, Clause(clause.antecedent, clause.first - 1), found)
    return named


def _continues(tokens: Sequence[Token], i: int, comma: int) -> bool:
    """True when the conjunction at token i, after a comma, goes on with the clause before it: its subject left
    out (", and are required") or the last item of a list of short items ("path, query, and body parameters")."""
    if i + 1 < len(tokens) and tokens[i + 1].text in CONTINUING:
        return True
    return comma >= 0 and i - comma <= LIST_ITEM_WORDS


def _cut_off_subject(tokens: Sequence[Token], first: int, i: int, topics: frozenset[str]) -> bool:
    """True when the clause so far is one word naming a compared thing ("query" in "Query, parameters are part of
    the path"): speech recognition puts a comma after a word said with a pause, and cutting there would leave the
    rest of the claim without its subject."""
    return i == first + 1 and tokens[first].text not in STOPWORDS and stem(tokens[first].text) in topics


def _next_content_is_topic(tokens: Sequence[Token], i: int, topics: frozenset[str]) -> bool:
    for token in tokens[i : i + 4]:
        if token.text in CONJUNCTIONS or token.text in STOPWORDS:
            continue
        return stem(token.text) in topics
    return False


def is_word_list(text: str, tokens: Sequence[Token], clause: Clause) -> bool:
    """True for a run of terms with (almost) no words between them: "threadpool event loop async def".

    Small words inside a code name ("get" in get_db, "use" in use_cache) do not make it a sentence."""
    words = tokens[clause.first : clause.last + 1]
    if len(words) < LIST_MIN_WORDS:
        return False
    if not any(t.text in STOPWORDS for t in words):
        return True
    small = 0
    for i in range(clause.first, clause.last + 1):
        before = text[tokens[i - 1].end : tokens[i].start] if i > 0 else ""
        after = text[tokens[i].end : tokens[i + 1].start] if i + 1 < len(tokens) else ""
        glued = any(c in "_=" for c in before + after)
        small += tokens[i].text in STOPWORDS and not glued
    return small / len(words) < LIST_STOPWORD_SHARE


#: A sentence of at least this many comma-separated items, nearly all of them this short (content words), is a
#: list of terms read out ("swagger UI, slash docs, try it out, interactive, ReDoc, ..."), however many small
#: words it holds; a spoken enumeration rarely runs past five items.
LIST_ITEMS, LIST_ITEM_WORDS, LIST_SHORT_SHARE = 6, 2, 0.8
#: ... and it has few small words: a rambling spoken sentence broken by commas ("okay, so, the event loop, it's
#: single threaded, so blocking, right, freezes it") has more.
LIST_MAX_SMALL_SHARE = 0.35
#: Words said between commas that are speech, not items of a list: "okay, so, yeah, right, the event loop".
INTERJECTIONS = frozenset({"okay", "ok", "yeah", "yes", "right", "well", "sure", "alright", "hmm", "oh", "now"})


def listed_terms(text: str, tokens: Sequence[Token]) -> frozenset[int]:
    """The tokens of sentences that are comma-separated lists of short terms."""
    out: set[int] = set()
    start = 0
    capitals = capitalises(text, tokens)
    for i in range(1, len(tokens) + 1):
        if i < len(tokens) and not sentence_ends(text, tokens, i, capitals):
            continue
        gaps = [text[tokens[j].end : tokens[j + 1].start] for j in range(start, i - 1)]
        if _terse_list(tokens, start, i, gaps):
            out.update(range(start, i))
        elif sum("," in gap for gap in gaps) + 1 >= LIST_ITEMS:  # most sentences stop here
            items, size = [], 0
            fillers = _filler_tokens(tokens, start, i)
            for j in range(start, i):
                size += tokens[j].text not in STOPWORDS and j not in fillers
                if j + 1 == i or "," in gaps[j - start]:
                    if size:  # "um," "you know," between commas are speech, not items
                        items.append(size)
                    size = 0
            short = sum(n <= LIST_ITEM_WORDS for n in items)
            spoken = [t.text for j, t in enumerate(tokens[start:i], start) if j not in fillers]
            small = sum(w in STOPWORDS for w in spoken)
            if (
                len(items) >= LIST_ITEMS
                and short >= LIST_SHORT_SHARE * len(items)
                and small < LIST_MAX_SMALL_SHARE * len(spoken)
            ):
                out.update(range(start, i))
        start = i
    return frozenset(out)


#: A sentence of at least this many comma-separated pieces with hardly a small word in it (fewer than
#: LIST_STOPWORD_SHARE, fillers aside) is a list of terms read aloud, however long its pieces: speech recognition
#: puts commas into a list it hears ("Event loop, one thread blocking free, Sloop, run, and threadpool, loop free,
#: limited pool size"), and those commas cut it into clauses too short for is_word_list. Measured on the typed
#: and transcribed tuned-on answers: the only sentences of other kinds it catches are chains of "X became Y" in
#: reversed and off-topic answers, which is_word_list already dropped clause by clause.
TERSE_LIST_ITEMS = 4
#: Words that join a list's last item ("a, b and c"): separators there, not small words of a sentence.
LIST_LINKS = frozenset({"and", "or"})


def _terse_list(tokens: Sequence[Token], start: int, end: int, gaps: Sequence[str]) -> bool:
    """True when tokens start..end-1 (a sentence, `gaps` between them) are TERSE_LIST_ITEMS comma-separated pieces
    or more with fewer small words than LIST_STOPWORD_SHARE: a list of terms, whatever commas cut it."""
    commas = [j for j, gap in enumerate(gaps, start + 1) if "," in gap]  # the token after each comma
    # Only an "and" / "or" after the last comma, in place of a comma, separates the last item ("a, b, c and d");
    # "c, and d" already has its comma.
    after = range(commas[-1] + 1, end) if len(commas) >= 2 else range(0)
    links = [j for j in after if tokens[j].text in LIST_LINKS][:1]
    if len(commas) + len(links) + 1 < TERSE_LIST_ITEMS:
        return False
    fillers = _filler_tokens(tokens, start, end).union(links)
    spoken = [t.text for j, t in enumerate(tokens[start:end], start) if j not in fillers]
    return len(spoken) >= LIST_MIN_WORDS and sum(w in STOPWORDS for w in spoken) < LIST_STOPWORD_SHARE * len(spoken)


#: Filler words and phrases by their first word: ("you", ("you", "know")), ...
_FILLERS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _filler in FILLERS:
    _FILLERS_BY_FIRST.setdefault(_filler.split()[0], []).append(tuple(_filler.split()))


def _filler_tokens(tokens: Sequence[Token], start: int, end: int) -> set[int]:
    """Indices of filler words ("um", "basically", "you know") and interjections ("okay", "right") among tokens
    start..end-1."""
    out: set[int] = set()
    for j in range(start, end):
        if tokens[j].text in INTERJECTIONS:
            out.add(j)
        for words in _FILLERS_BY_FIRST.get(tokens[j].text, ()):
            if j + len(words) <= end and tuple(t.text for t in tokens[j : j + len(words)]) == words:
                out.update(range(j, j + len(words)))
    return out


def negations_before(
    tokens: Sequence[Token],
    clause: Clause,
    first: int,
    last: int,
    pauses: frozenset[int],
    contrasts: bool = True,
    used: frozenset[int] | None = None,
) -> list[str]:
    """The negations in scope of a match: among its words, or a few words before it since the last pause.

    "X is not Y" and "there's no X" negate X; "X is not true, Y is" does not negate Y, nor does "if you don't
    want that, you pass X". Given the tokens the match `used`, a negation inside the match denies it only when
    what it governs holds one of them (`governs_match`): "422, not 400" and "the test is wrong, not the framework"
    deny other words."""
    start = max(first - NEGATION_REACH, max((i for i in pauses if clause.first < i <= first), default=clause.first))
    found = negation_words(tokens[start : last + 1], contrasts)
    if used is None or not found:
        return found
    kept = [
        t.text
        for i, t in enumerate(tokens[start : last + 1], start)
        if t.text in NEGATIONS
        and not widens(tokens, i)
        and (i <= first or governs_match(tokens, i, last, pauses, used))
    ]
    return kept + found[len(negation_words(tokens[start : last + 1], contrasts=False)) :]


def governed(tokens: Sequence[Token], i: int, end: int, pauses: frozenset[int]) -> range:
    """The tokens the negation at token i governs: those after it up to the next pause (at most `end`)."""
    stop = next((j for j in range(i + 1, end + 1) if j in pauses), end + 1)
    return range(i + 1, stop)


def governs_match(tokens: Sequence[Token], i: int, last: int, pauses: frozenset[int], used: frozenset[int]) -> bool:
    """Whether the negation at token i, inside a match, denies it: what it governs holds a token of the match, or
    it governs no content word at all ("path ones aren't"), an elliptical denial of what came before."""
    scope = [j for j in governed(tokens, i, last, pauses) if tokens[j].text not in STOPWORDS]
    return not scope or any(j in used for j in scope)


#: Two words that set aside what follows them, like a negation: "raise it instead of returning it", "keep it
#: async rather than plain def", "better than switching to an async client". In a renaming they only say which
#: name is the new one ("model_validate instead of parse_obj"), so ordered phrases ignore them.
CONTRASTS = frozenset({("instead", "of"), ("rather", "than"), ("better", "than")})


#: What a speaker says when they do not know: "I'm not sure whether it keeps it", "I don't remember if there was
#: a warning", "the older one, I guess". A clause that says it claims nothing, however close its vector sits to a
#: point. (Found on blind7's partial answers, which earned paraphrase credit for such clauses.)
HEDGES: tuple[tuple[str, ...], ...] = (
    ("not", "sure"),
    ("not", "certain"),
    ("do", "not", "know"),
    ("dont", "know"),
    ("not", "remember"),
    ("no", "idea"),
    ("i", "guess"),
)
#: Words that may stand between "not" and the rest of a hedge: "not really sure", "not a hundred percent sure".
#: Only these: "you don't have to make sure the types match" says nothing about the speaker.
HEDGE_FILLERS = frozenset({"really", "quite", "fully", "entirely", "totally", "completely", "exactly", "so", "too"})
HEDGE_FILLERS |= {"that", "a", "one", "hundred", "percent", "100"}


def hedged(tokens: Sequence[Token]) -> bool:
    """True when these tokens say the speaker does not know (HEDGES), "not really sure" included."""
    words = [t.text for t in tokens]
    for i in range(len(words)):
        for hedge in HEDGES:
            if words[i] != hedge[0]:
                continue
            j = i + 1
            if hedge[0] == "not":
                while j < len(words) and words[j] in HEDGE_FILLERS:
                    j += 1
            if tuple(words[j : j + len(hedge) - 1]) == hedge[1:]:
                return True
    return False


#: Words after "not" that widen a claim instead of denying it: "not just for my editor", "not only the body".
WIDENING = frozenset({"just", "only", "merely", "simply", "solely"})


def widens(tokens: Sequence[Token], i: int) -> bool:
    """True when the "not" at token i widens the claim rather than denies it: "that annotation is not just for
    my editor" says it is for more than the editor."""
    return tokens[i].text == "not" and i + 1 < len(tokens) and tokens[i + 1].text in WIDENING


def negation_words(tokens: Sequence[Token], contrasts: bool = True) -> list[str]:
    """The negations among these tokens ("not just" widens, it does not negate), and (unless `contrasts` is
    False) the contrasts in CONTRASTS."""
    found = [t.text for i, t in enumerate(tokens) if t.text in NEGATIONS and not widens(tokens, i)]
    if contrasts:
        found += [f"{a.text} {b.text}" for a, b in itertools.pairwise(tokens) if (a.text, b.text) in CONTRASTS]
    return found


_PAUSE = re.compile(r"[,;:.!?()\u2014-]")


def pauses(text: str, tokens: Sequence[Token]) -> frozenset[int]:
    """Indices of the tokens that follow a comma, dash or similar pause in the text; a hyphen inside a word
    ("auto-reload", "sub-dependencies") joins, it does not pause."""
    return frozenset(
        i
        for i in range(1, len(tokens))
        if _PAUSE.search(text, tokens[i - 1].end, tokens[i].start) and text[tokens[i - 1].end : tokens[i].start] != "-"
    )


_NUMBER = re.compile(r"v?(\d+)")


def compared_words(question: Sequence[Token]) -> frozenset[str]:
    """The two single words a question compares: "between WSGI and ASGI", "WSGI vs ASGI"; empty otherwise."""
    words = [t.text for t in question]
    for i in range(1, len(words) - 1):
        a, link, b = words[i - 1], words[i], words[i + 1]
        between = link == "and" and i >= 2 and words[i - 2] == "between"
        if (between or link in ("vs", "versus")) and a not in STOPWORDS and b not in STOPWORDS and a != b:
            return frozenset({a, b})
    return frozenset()


def numbers(words: Iterable[str]) -> frozenset[str]:
    """The numbers among these words, versions included: "v2" is 2, so "the v1 methods" names another version
    than "Pydantic v2 APIs"."""
    return frozenset(m.group(1) for w in words if (m := _NUMBER.fullmatch(w)))


def qualified_by_rival(tokens: Sequence[Token], first: int, rivals: frozenset[str]) -> bool:
    """True when the word at `first` is preceded by another compared thing: "query parameters", "async def"."""
    if not rivals:
        return False
    before = [stem(tokens[first - 1].text)] if first >= 1 else []
    if first >= 2:
        before.append(stem(tokens[first - 2].text + tokens[first - 1].text))
    return any(b in rivals for b in before)


def first_topic(tokens: Sequence[Token], clause: Clause, topics: frozenset[str]) -> str | None:
    """The first compared thing a clause names: its subject, in the sentences people say in interviews."""
    for token in tokens[clause.first : clause.last + 1]:
        s = stem(token.text)
        if s in topics:
            return s
    return None


def topic_before(tokens: Sequence[Token], clause: Clause, first: int, topics: frozenset[str]) -> str | None:
    """The last of these topic stems named in the clause before token `first`: what a match there is said of."""
    for token in reversed(tokens[clause.first : first]):
        if stem(token.text) in topics:
            return stem(token.text)
    return None


@dataclass(frozen=True)
class Entity:
    """A thing the question compares, named by a qualifier and a head word: "path parameter", "async def"."""

    qualifier: str  # stems
    head: str


def entities(question: Sequence[Token], topics: frozenset[str]) -> tuple[Entity, ...]:
    """The question's "<qualifier> <head>" pairs whose head is a compared word and shared by another pair:
    "path parameter" and "query parameter", "async def" and "plain def"."""
    pairs = [
        Entity(stem(a.text), stem(b.text))
        for a, b in itertools.pairwise(question)
        if a.text not in STOPWORDS and b.text not in STOPWORDS and stem(b.text) in topics
    ]
    heads = [e.head for e in pairs]
    return tuple(e for e in pairs if heads.count(e.head) > 1 and e.qualifier != e.head)


def first_entity(tokens: Sequence[Token], clause: Clause, found: Sequence[Entity]) -> Entity | None:
    """The first compared thing a clause names ("... plain def runs on the loop"): what the clause is about."""
    for i in range(clause.first, clause.last):
        a, b = stem(tokens[i].text), stem(tokens[i + 1].text)
        for entity in found:
            if (a, b) == (entity.qualifier, entity.head):
                return entity
    return None


def entity_before(tokens: Sequence[Token], clause: Clause, last: int, found: Sequence[Entity]) -> Entity | None:
    """The compared thing named last before token `last` in the clause: what a match there is about, even in
    a long run-on sentence ("... a path parameter ..., query parameters or the bits after the question mark")."""
    for i in range(min(last, clause.last - 1), clause.first - 1, -1):
        a, b = stem(tokens[i].text), stem(tokens[i + 1].text)
        for entity in found:
            if (a, b) == (entity.qualifier, entity.head):
                return entity
    return None


#: Adverbs that place what they are said of early or late in a sequence: "sub-dependencies are resolved first",
#: "the route runs first and the sub dependencies afterwards". +1 early, -1 late.
ORDER_ADVERBS = {
    **dict.fromkeys(("first", "firstly", "earlier", "initially", "beforehand", "upfront"), 1),
    **dict.fromkeys(("last", "lastly", "afterwards", "afterward", "later", "finally"), -1),
}
#: Words that order the thing said before them against the thing after them: "X runs before Y" puts X early and
#: Y late, and so does "X, then Y"; "X runs after Y" the other way round.
ORDER_PREPOSITIONS = {"before": 1, "after": -1, "prior": 1, "following": -1, "then": 1}
#: How many content words after an order preposition its object reaches: "after the sub dependencies" (not
#: "cleanup" in "after the yield runs as cleanup"); "then" opens a clause: "then calls its sub dependencies".
ORDER_OBJECT_WORDS = {"then": 3}
ORDER_OBJECT_WORDS_DEFAULT = 2


#: "once" followed by one of these opens a time clause, like "after": "once the response has been sent" (not
#: "once per request" or "called once").
_ONCE_OPENS = frozenset({"the", "a", "an", "you", "it", "its", "it's", "we", "they", "your", "their", "that", "this"})


def _order_text(tokens: Sequence[Token], i: int) -> str:
    """The order word token i says: itself, or "after" for "once" opening a time clause."""
    text = tokens[i].text
    if text == "once" and i + 1 < len(tokens) and tokens[i + 1].text in _ONCE_OPENS:
        return "after"
    return text


def _order_word(text: str) -> bool:
    return text in ORDER_ADVERBS or text in ORDER_PREPOSITIONS


def _is_order(tokens: Sequence[Token], i: int) -> bool:
    return _order_word(_order_text(tokens, i))


def order_words(tokens: Sequence[Token]) -> int:
    """How many words order things among these tokens: "first", "after", "then", "once the ..."."""
    return sum(_is_order(tokens, i) for i in range(len(tokens)))


def order_of(tokens: Sequence[Token], first: int, last: int) -> dict[int, int]:
    """Where tokens first..last place each of their content words in a sequence: +1 early, -1 late (words no
    order word reaches are left out). A word after "before", "after", "once" or "then" is its object ("after the
    response": the response comes first); any other word takes the sense of the nearest order word after it, or
    of the nearest adverb ("the route first and the sub dependencies afterwards")."""
    said = [_order_text(tokens, i) for i in range(len(tokens))]
    marks = [(i, ORDER_ADVERBS.get(said[i]) or ORDER_PREPOSITIONS.get(said[i], 0)) for i in range(first, last + 1)]
    # A "then" opening the clause follows something said before it, so it orders nothing inside the clause:
    # "Then the response is sent and the task runs after that".
    marks = [(i, s) for i, s in marks if s and not (said[i] == "then" and _opens(said, first, i))]
    if not marks:
        return {}
    out: dict[int, int] = {}
    for j in range(first, last + 1):
        if said[j] in STOPWORDS or _order_word(said[j]):
            continue
        objects = [
            s
            for i, s in marks
            if said[i] in ORDER_PREPOSITIONS
            and i < j
            and sum(said[k] not in STOPWORDS for k in range(i + 1, j))
            < ORDER_OBJECT_WORDS.get(said[i], ORDER_OBJECT_WORDS_DEFAULT)
            and not any(_order_word(said[k]) for k in range(i + 1, j))
        ]
        if objects:
            # The middle of a chain ("the path, then a question mark, then the query") comes after one thing and
            # before another: it is neither early nor late.
            goes_on = last + 1 < len(said) and said[last + 1] == "then"
            if not goes_on and not any(i > j and said[i] in ORDER_PREPOSITIONS and s > 0 for i, s in marks):
                out[j] = -objects[-1]
            continue
        near = [(abs(i - j), i, s) for i, s in marks if i > j or said[i] in ORDER_ADVERBS]
        if near:
            _, i, sense = min(near)
            # "the response is sent and the task runs after that": "after that" orders the task against what came
            # before the conjunction, which is therefore on the other side.
            pronoun = said[i] in ORDER_PREPOSITIONS and i + 1 <= last and said[i + 1] in PRONOUN_OBJECTS
            if pronoun and any(said[k] in CONJUNCTIONS for k in range(j + 1, i)):
                sense = -sense
            out[j] = sense
    return out


#: Words after "before" / "after" that stand for something said earlier: "runs after that".
PRONOUN_OBJECTS = frozenset({"that", "this", "it", "which", "those", "these"})


def _opens(said: Sequence[str], first: int, i: int) -> bool:
    """True when no content word comes before token i in its clause (from `first`)."""
    return all(w in STOPWORDS or w in CONJUNCTIONS for w in said[first:i])


def order_senses(phrases: Sequence[Sequence[Token]]) -> dict[str, int]:
    """Where a point's phrases place their words (stems): +1 early, -1 late; empty when none of them orders
    things, or one orders them both ways ("before and after yield", whose alias "code before yield" is only half
    of it). A word the phrases place both ways is left out."""
    if any(order_words(ph) > 1 for ph in phrases):
        return {}
    senses: dict[str, int] = {}
    mixed: set[str] = set()
    for ph in phrases:
        for j, s in order_of(ph, 0, len(ph) - 1).items():
            word = stem(ph[j].text)
            if senses.setdefault(word, s) != s:
                mixed.add(word)
    return {w: s for w, s in senses.items() if w not in mixed}


def order_reversed(said: Sequence[Token], first: int, last: int, senses: Mapping[str, int]) -> str | None:
    """The order word by which tokens first..last put a point's words (`order_senses`) in the other order than
    its phrases do, by a majority of the words placed: "the route first and the sub dependencies afterwards" for
    "sub-dependencies resolved first", "the task runs before the response" for "runs after the response"."""
    if not senses:
        return None
    placed = order_of(said, first, last)
    votes = [(1 if senses[w] == s else -1, j) for j, s in placed.items() if (w := stem(said[j].text)) in senses]
    if sum(v for v, _ in votes) >= 0:
        return None
    wrong = next(j for v, j in votes if v < 0)
    marks = [i for i in range(first, last + 1) if _is_order(said, i)]
    return said[min(marks, key=lambda i: abs(i - wrong))].text


#: Words that limit a claim to some of a thing ("keeps only declared fields", "enforced only by browsers")...
RESTRICTIVE = frozenset({"only", "solely", "exclusively", "merely"})
#: ... and words that extend it to all of it ("whatever fields you return all get sent"). "just" is a filler as
#: often as it restricts, so it only keeps a clause from reading as universal.
UNIVERSAL = frozenset(
    {"all", "every", "everything", "everyone", "everybody", "whatever", "any", "anything", "each", "whole", "entire"}
)
#: How many words after a universal word the thing it quantifies is found: "all the fields", "whatever fields".
QUANTIFIED_WORDS = 3


def quantifier_flipped(
    said: Sequence[Token], first: int, last: int, own: frozenset[str], restrictive: bool
) -> str | None:
    """The quantifier by which tokens first..last claim the opposite extent of a point that has one: "whatever
    fields you return" for "keeps only declared fields" (a restrictive point said of all), "only for the routes
    you attach it to" for "wraps every request" (a universal point said of some). `own` holds the stems of the
    point's words. A negation turns a universal word around ("anything not in the model is dropped"), and a
    universal word said of another thing ("all the extra fields") is no claim about the point's."""
    words = said[first : last + 1]
    if negation_words(words, contrasts=False):
        return None
    # "not only the caller" widens: its "only" restricts nothing.
    texts = {t.text for i, t in enumerate(words) if not (i and words[i - 1].text == "not" and t.text in WIDENING)}
    if restrictive:
        if texts & (RESTRICTIVE | {"just"}):
            return None
        for i in range(first, last + 1):
            if said[i].text not in UNIVERSAL:
                continue
            after = [t for t in said[i + 1 : min(i + 1 + QUANTIFIED_WORDS, last + 1)] if t.text not in STOPWORDS]
            if after and stem(after[0].text) in own:
                return f"{said[i].text} {after[0].text}"
        return None
    if texts & UNIVERSAL:
        return None
    # "only once", "only one thread" count how often or how many: no extent ("there's only one thread" for
    # "blocks the whole event loop").
    return next(
        (t.text for i, t in enumerate(said[first : last + 1], first) if t.text in RESTRICTIVE and not counts(said, i)),
        None,
    )


#: Words after "only" that count how often or how many, not which: "only once per request", "only one thread".
COUNT_WORDS = frozenset({"once", "twice", "one", "single", "two", "a", "1"})


def counts(said: Sequence[Token], i: int) -> bool:
    """True when the "only" at token i counts ("only once", "only one thread", "only a single time") rather than
    limits which things a claim is about: a frequency is no extent."""
    return said[i].text in RESTRICTIVE and i + 1 < len(said) and said[i + 1].text in COUNT_WORDS
