"""Text normalisation that survives speech recognition output.

Whisper writes "fast API" for FastAPI, "four twenty two" for 422, "Pydantic's" and "use_cache" in many shapes.
Scoring and statistics compare words, not characters, so everything here works on tokens that remember where
they came from in the original text (for highlighting the span that matched).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Letters and digits; apostrophes inside a word keep it whole ("don't"), everything else separates
# (hyphens, underscores, dots, slashes: "use_cache" -> "use cache", "v1->v2" -> "v1 v2").
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Token:
    """A normalised word and the character span it came from in the original text."""

    text: str
    start: int
    end: int


_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORDS = {**_UNITS, **_TEENS, **_TENS, **_SCALES}


def number_word(word: str) -> int | None:
    """The value of a lone number word ("two" -> 2), which tokenize() keeps as a word; None for others."""
    return _NUMBER_WORDS.get(word)


@functools.lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without accents or typographic apostrophes: 'Café’s' -> "cafe's"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


_CONTRACTIONS = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "is"}


def _words(text: str) -> list[Token]:
    """Folded words; "doesn't" becomes "does" + "not" so a negation is a word of its own."""
    tokens: list[Token] = []
    for match in _WORD.finditer(text):
        word = _strip_possessive(fold(match.group()))
        if word.endswith("n't"):
            tokens.append(Token(_CONTRACTIONS.get(word, word[:-3]), match.start(), match.end()))
            tokens.append(Token("not", match.start(), match.end()))
        else:
            tokens.append(Token(word, match.start(), match.end()))
    return tokens


def tokenize(text: str) -> list[Token]:
    """Normalised tokens with their spans; runs of number words become one digit token ('four twenty two')."""
    return _join_numbers(_words(text))


#: The most pieces speech recognition splits one acronym into: "A-S-G-I", "W. S. G. I.".
ACRONYM_PIECES = 5
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]+s?\b")
_GLUED = re.compile(r"[-.]")  # "W-SGI", "W.S.G.I"
_SPELLED = re.compile(r"\.?\s+")  # "W S G I", "W. S. G. I."


def acronyms(*texts: str) -> frozenset[str]:
    """The acronyms written in capitals in these texts ("WSGI", "JSON", "ORMs"), folded: the terms that
    join_acronyms() puts back together."""
    return frozenset(fold(m.group()) for text in texts for m in _ACRONYM.finditer(text) if len(m.group()) >= 3)


def join_acronyms(text: str, tokens: list[Token], known: frozenset[str]) -> list[Token]:
    """The tokens with a known acronym that speech recognition spelled out or hyphenated joined back into one:
    "W-SGI" and "W S G I" are WSGI. Pieces glued by a hyphen or a dot are joined, and single letters apart;
    the joined word must be one of `known` exactly, so "model-dump" or "a sync" are left alone.

    Claims are read word by word ("WSGI is synchronous" is said of WSGI), so a split acronym would hide the
    thing a clause is about."""
    if not known:
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        end, joined = i, tokens[i].text
        for j in range(i + 1, min(i + ACRONYM_PIECES, len(tokens))):
            gap = text[tokens[j - 1].end : tokens[j].start]
            letters = len(tokens[j - 1].text) == 1 and len(tokens[j].text) == 1
            if not (_GLUED.fullmatch(gap) or (letters and _SPELLED.fullmatch(gap))):
                break
            joined += tokens[j].text
            if joined in known:
                end = j
        if end == i:
            out.append(tokens[i])
            i += 1
        else:
            out.append(Token("".join(t.text for t in tokens[i : end + 1]), tokens[i].start, tokens[end].end))
            i = end + 1
    return out


_NUMBER_DOT = re.compile(r"\.")  # "4.22" for four twenty-two
_NUMBER_TENS = re.compile(r"-|,? ")  # "420-2", "420, 2" for four twenty-two


def join_split_numbers(text: str, tokens: list[Token], known: frozenset[str]) -> list[Token]:
    """The tokens with a known number that speech recognition wrote in two pieces joined back: "4.22", and
    "420-2" or "420, 2" (four hundred and twenty, then two) are 422 when 422 is in `known`. Other numbers are
    left alone: "2.0" stays a version."""
    if not known:
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (joined := _split_number(text, tokens[i], tokens[i + 1])) in known:
            out.append(Token(joined, tokens[i].start, tokens[i + 1].end))
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def _split_number(text: str, a: Token, b: Token) -> str | None:
    if not (a.text.isdigit() and b.text.isdigit()):
        return None
    gap = text[a.end : b.start]
    if len(a.text) == 1 and _NUMBER_DOT.fullmatch(gap):
        return a.text + b.text
    # "420-2", "420, 2": a whole number of tens (not of hundreds: "400 4 fields" is no 404).
    if len(b.text) == 1 and a.text.endswith("0") and a.text[-2:] != "00" and _NUMBER_TENS.fullmatch(gap):
        return str(int(a.text) + int(b.text))
    return None


#: How close (rapidfuzz ratio) a misheard first word of a two-word term must be to the card's: "playing def"
#: for "plain def" is 83.
TERM_WORD_THRESHOLD = 80.0
#: The shortest word a misheard word is mended to, or joined into: shorter words are too alike to guess.
TERM_MIN_LETTERS = 4


def term_pairs(text: str) -> frozenset[tuple[str, str]]:
    """The two-word terms a text writes: adjacent words, neither a small word ("plain def", "async def", "path
    parameters" in "a plain def route with async def and path parameters")."""
    words = [t.text for t in tokenize(text)]
    return frozenset((a, b) for a, b in itertools.pairwise(words) if a not in STOPWORDS and b not in STOPWORDS)


def mend_terms(text: str, tokens: list[Token], terms: frozenset[tuple[str, str]], words: frozenset[str]) -> list[Token]:
    """The tokens with the card's terms that speech recognition split or misheard put back, as join_acronyms does
    for acronyms. Whisper writes words it knows: "a sync" for async, "playing def" for plain def. Two rules, both
    bound to what the card writes (`terms`: its two-word terms, `words`: its words):

    - "a" and the next word are joined when together they are a word of the card ("a sync" -> async, "a
      synchronous" -> asynchronous) and an article cannot stand there: nothing follows in the sentence, or a
      plural ("a sync libraries"), or the head of the card's term ("a sync def"). "a sync driver" keeps its
      article: it may well mean a synchronous driver; so does "a synchronous, blocking interface", and "a sync
      def" when the card writes "sync def" too.
    - The first word of a two-word term is put back when the second is said as the card writes it and the first
      is close in letters to the card's but is no word of the card ("playing def" -> plain def; "sync def" stays,
      the word is the card's own, and an opposite by its prefix never counts: "sync" is not "async")."""
    if not words:
        return tokens
    heads: dict[str, list[str]] = {}
    for first, head in terms:
        heads.setdefault(head, []).append(first)
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if i + 1 < len(tokens) and token.text == "a" and _article_joined(text, tokens, i, terms, words):
            out.append(Token("a" + tokens[i + 1].text, token.start, tokens[i + 1].end))
            i += 2
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        mended = _mended_first_word(text, token, nxt, heads, words) if nxt is not None else None
        out.append(Token(mended, token.start, token.end) if mended else token)
        i += 1
    return out


def _article_joined(
    text: str, tokens: list[Token], i: int, terms: frozenset[tuple[str, str]], words: frozenset[str]
) -> bool:
    """Whether "a" at token i and the word after it are one word of the card said in two ("a sync")."""
    piece = tokens[i + 1]
    joined = "a" + piece.text
    if joined not in words or joined in STOPWORDS or not text[tokens[i].end : piece.start].isspace():
        return False
    if i + 2 == len(tokens):
        return True
    between = text[piece.end : tokens[i + 2].start]
    if not between.isspace():
        # "ASGI is a synchronous.": no noun for an article. A comma may stand between adjectives ("WSGI is a
        # synchronous, blocking interface"), so the article stays.
        return bool(_SENTENCE_END.search(between))
    after = tokens[i + 2].text
    if (piece.text, after) in terms:
        return False  # the card writes "sync def" too: "a sync def route" may well be one
    return (joined, after) in terms or _plural(after)


_SENTENCE_END = re.compile(r"[.!?]")


def _plural(word: str) -> bool:
    return (
        len(word) > TERM_MIN_LETTERS
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is"))
        and (word not in STOPWORDS)
    )


def _mended_first_word(
    text: str, token: Token, nxt: Token, heads: dict[str, list[str]], words: frozenset[str]
) -> str | None:
    """The card's first word of a two-word term that this token, followed by the term's second word, mishears."""
    firsts = heads.get(nxt.text)
    if not firsts or token.text in words or token.text in STOPWORDS or not text[token.end : nxt.start].isspace():
        return None
    if len(token.text) < TERM_MIN_LETTERS:
        return None
    close = [
        (fuzz.ratio(token.text, first), first)
        for first in firsts
        # One word the end of the other is its opposite by a prefix ("sync" / "async"), not a mishearing.
        if len(first) >= TERM_MIN_LETTERS and not (first.endswith(token.text) or token.text.endswith(first))
    ]
    best = max(close, default=(0.0, ""))
    return best[1] if best[0] >= TERM_WORD_THRESHOLD else None


def normalize_phrase(text: str) -> str:
    """The tokens of a phrase joined by single spaces: the form used to compare phrases for equality."""
    return " ".join(t.text for t in tokenize(text))


def _join_numbers(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        j = i
        words: list[str] = []
        while j < len(tokens):
            word = tokens[j].text
            if word in _NUMBER_WORDS and not (word == "oh" and not words):
                words.append(word)
                j += 1
            elif word == "and" and words and j + 1 < len(tokens) and tokens[j + 1].text in _NUMBER_WORDS:
                j += 1  # "four hundred and twenty"
            else:
                break
        value = _number_value(words) if words else None
        if value is None:
            out.append(tokens[i])
            i += 1
        else:
            out.append(Token(value, tokens[i].start, tokens[j - 1].end))
            i = j
    return out


def _number_value(words: list[str]) -> str | None:
    """Digits for a run of number words, or None when it is a lone word better kept as a word ('one')."""
    if len(words) == 1 and words[0] in _UNITS | _SCALES:
        # "one", "two": usually not numbers in speech ("one request", "the two of them"); keep the word.
        return None
    if any(w in _SCALES for w in words):
        total, current = 0, 0
        for w in words:
            if w in _SCALES:
                scale = _SCALES[w]
                current = max(current, 1) * scale
                if scale >= 1000:
                    total, current = total + current, 0
            else:
                current += _NUMBER_WORDS[w]
        return str(total + current)
    # Said digit by digit or in pairs: "four oh four" -> 404, "four twenty two" -> 422, "nineteen ninety".
    chunks: list[str] = []
    k = 0
    while k < len(words):
        w = words[k]
        if w in _TENS and k + 1 < len(words) and words[k + 1] in _UNITS and words[k + 1] not in ("zero", "oh"):
            chunks.append(str(_TENS[w] + _UNITS[words[k + 1]]))
            k += 2
        else:
            chunks.append(str(_NUMBER_WORDS[w]))
            k += 1
    return "".join(chunks)


_SUFFIXES = ("ational", "ations", "ation", "ings", "ing", "edly", "ied", "ies", "ed", "es", "s", "ly", "e")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem so 'validation', 'validated' and 'validates' compare close ('valid', 'validat')."""
    if word.isdigit() or len(word) <= 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            if suffix == "es" and not word.endswith(("sses", "xes", "ches", "shes", "zes")):
                continue
            if suffix in ("ies", "ied"):
                return word[: -len(suffix)] + "y"
            return word[: -len(suffix)]
    return word


#: Words that turn a point into its opposite: a point with one is not made by a sentence without it. "none" is not
#: one: in an answer about Python it is mostly the value ("a default of None makes it optional").
NEGATIONS = frozenset({"not", "no", "never", "without", "cannot", "nothing", "nobody", "neither", "nor"})

#: Words that carry no idea of their own; a key point is matched on the rest. Negations are never here.
_STOPWORD_TEXT = """
    a an the and or but if then so than that this these those there here of to in on at by for from with
    into onto out up down over under about as is are was were be been being am do does did doing
    done have has had having it its it's they them their theirs you your yours we our us i me my he she
    his her him which who whom whose what when where why how all any each both either some such
    own too very can will just should would could may might must shall also via etc like
    get gets got make makes made use uses used using thing things way instead equals equal true
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split()) - NEGATIONS
