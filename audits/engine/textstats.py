"""Cheap text measures on UTF-8 bytes: words, sentences, Flesch reading ease, statistics and
quoted passages.

A regular expression scanning 20 KB of text costs about as much as the whole rest of the
content signals, so these work with `bytes.translate` and `bytes.count`/`find` (C loops) and
only look closer (an anchored match) at the few places that can matter, such as each number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: Numbers examined per page; a page listing thousands of figures has shown enough by then.
MAX_NUMBERS = 300
#: Statistics counted per page: the count means "at least" here, and stopping early keeps
#: figure-rich pages cheap (the checks only ask whether there is any).
MAX_STATISTICS = 10
MAX_QUOTES = 50
#: A quoted passage counts from this many bytes between the quote marks.
MIN_QUOTE_BYTES = 40
MAX_QUOTE_BYTES = 600


_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
#: Byte classes for the vectorised counts.
SPACE, CONSONANT, VOWEL, E, STOP, OTHER, JOIN = range(7)
#: Paragraphs are joined with this byte: it ends a sentence and a word, and is never text.
JOINER = b"\x01"


def _classes() -> bytes:
    table = bytearray([OTHER]) * 256
    for char in b" \t\n\r\x0b\x0c":
        table[char] = SPACE
    for char in _LETTERS:
        table[char] = CONSONANT
    for char in b"aiouyAIOUY":
        table[char] = VOWEL
    for char in b"eE":
        table[char] = E
    for char in b".!?":
        table[char] = STOP
    for char in range(128, 256):  # UTF-8 bytes of non-ASCII letters: part of a word
        table[char] = CONSONANT
    table[JOINER[0]] = JOIN
    return bytes(table)


_CLASSES = _classes()
#: Digits -> 1; bytes that glue a following number to a word, version or date -> 2.
_DIGIT_CLASSES = bytes(1 if 48 <= c <= 57 else 2 if c in _LETTERS + b"-/.,_" else 0
                       for c in range(256))
#: A number, then (after at most one space) a symbol or the word that follows it.
_NUMBER_AND_TAIL = re.compile(
    rb"(\d+(?:[.,]\d+)*) ?(%|\xe2\x80\xb0|\$|\xe2\x82\xac|\xc2[\xa3\xa5\xb0]|"
    rb"[A-Za-z\x80-\xff/\xb2-]+)?")
_SEPARATOR = re.compile(rb"[.,]")
#: Words after a number that make it a statistic: percent, scale words, currencies, units,
#: counts of people (lower-case, ASCII or UTF-8).
_AFTER_WORDS = frozenset(word.encode() for word in (
    "percent", "per-cent", "per", "por", "pour", "percentage", "pct", "por-ciento", "pour-cent",
    "prozent", "pp", "x", "times", "veces", "fold", "thousand", "million", "millions", "billion",
    "billions", "trillion", "mil", "millon", "millón", "millones", "billones", "milliard",
    "milliards", "milliarde", "milliarden", "mio", "mrd", "bn", "k", "m", "usd", "eur", "gbp",
    "euro", "euros", "dollar", "dollars", "dólares", "dolares", "pesos", "km", "kg", "mg", "g",
    "ml", "l", "cm", "mm", "m2", "m²", "gb", "mb", "tb", "kb", "ghz", "mhz", "kwh", "kw", "mw",
    "mph", "lb", "lbs", "oz", "ft", "mi", "ms", "hour", "hours", "minute", "minutes", "second",
    "seconds", "day", "days", "week", "weeks", "month", "months", "year", "years", "hora", "horas",
    "minuto", "minutos", "segundo", "segundos", "día", "días", "dia", "dias", "semana", "semanas",
    "mes", "meses", "año", "años", "people", "users", "customers", "patients", "respondents",
    "employees", "companies", "personas", "usuarios", "clientes", "pacientes", "empresas",
))
#: Symbols right after a number: %, per mille, currencies, degrees.
_AFTER_SYMBOLS = (b"%", b"\xe2\x80\xb0", b"$", b"\xe2\x82\xac", b"\xc2\xa3", b"\xc2\xa5",
                  b"\xc2\xb0")
#: "1 in 5", "3 out of 4", "2 de cada 3".
_RATIO = re.compile(rb"(?:in|out of|of every|de cada) \d{1,3}(?![\d.,])", re.IGNORECASE)
#: Currency written before the number.
_CURRENCY_BEFORE = (b"$", b"\xe2\x82\xac", b"\xc2\xa3", b"\xc2\xa5", b"\xe2\x82\xb9", b"USD",
                    b"EUR", b"GBP", b"US$")
_NOT_QUOTE_BYTES = bytes(c for c in range(256) if c not in b'"\x9c\xab\x9e')
_QUOTE_PAIRS = ((b"\xe2\x80\x9c", b"\xe2\x80\x9d"), (b"\xc2\xab", b"\xc2\xbb"),
                (b"\xe2\x80\x9e", b"\xe2\x80\x9c"), (b'"', b'"'))


@dataclass(frozen=True, slots=True)
class TextStats:
    words: int
    sentences: int
    avg_sentence_words: float
    #: Flesch reading ease with an English syllable estimate (meaningful for English only).
    flesch: float | None


def text_stats(text: bytes, paragraphs: int) -> TextStats:
    """Words, sentences and Flesch reading ease (206.835 - 1.015 words/sentence - 84.6
    syllables/word) of paragraphs joined with JOINER (a paragraph end always ends a sentence).

    Counted on a byte-class array with numpy (a few microseconds for 20 KB; bytes.count of
    many short patterns cost ten times more): a word starts after a space or paragraph end,
    a sentence ends at . ! ? followed by a space, and English syllables are vowel groups minus
    a silent final "e" after a consonant that follows a vowel ("make", "these"; "the",
    "table" and "people" keep theirs). About 90% of words get the right syllable count; the
    error averages out over a page."""
    if not text:
        return TextStats(0, 0, 0.0, None)
    cls = np.frombuffer((text + JOINER).translate(_CLASSES), dtype=np.uint8)
    prev, nxt = cls[:-1], cls[1:]
    breaks = (prev == SPACE) | (prev == JOIN)
    wordish = (nxt != SPACE) & (nxt != JOIN)
    words = int(np.count_nonzero(breaks & wordish)) + int(cls[0] not in (SPACE, JOIN))
    if not words:
        return TextStats(0, 0, 0.0, None)
    sentences = max(1, int(np.count_nonzero((prev == STOP) & (nxt == SPACE))) + paragraphs)
    per_sentence = words / sentences
    flesch = 206.835 - 1.015 * per_sentence - 84.6 * (max(_syllables(cls), words) / words)
    return TextStats(words, sentences, round(per_sentence, 1), round(flesch, 1))


def _syllables(cls: np.ndarray) -> int:
    vowel = (cls == VOWEL) | (cls == E)
    groups = int(np.count_nonzero(~vowel[:-1] & vowel[1:])) + int(vowel[0])
    end = cls[3:]
    silent = int(np.count_nonzero(vowel[:-3] & (cls[1:-2] == CONSONANT) & (cls[2:-1] == E)
                                  & ((end == SPACE) | (end == STOP) | (end == OTHER)
                                     | (end == JOIN))))
    return groups - silent


def syllable_count(text: bytes) -> int:
    """English syllables of `text` as text_stats estimates them (at least 1 per word)."""
    cls = np.frombuffer((b" " + text + JOINER).translate(_CLASSES), dtype=np.uint8)
    return max(_syllables(cls), 1 if text.strip() else 0)


def count_statistics(text: bytes) -> tuple[int, tuple[str, ...]]:
    """Numbers used as statistics: percentages, currency amounts, numbers with a scale word
    or unit, ratios ("3 out of 4"), and numbers with decimals or thousands separators.
    Plain integers (years, list numbering, "5 tips") and numbers glued to words ("COVID-19",
    "mp3") do not count. Returns (count, up to 3 examples)."""
    classes = b"\0" + text.translate(_DIGIT_CLASSES)
    if b"\x01" not in classes:
        return 0, ()
    codes = np.frombuffer(classes, dtype=np.uint8)
    # Where a run of digits starts after a byte that does not glue it to something else.
    starts = np.flatnonzero((codes[1:] == 1) & (codes[:-1] == 0))
    found = 0
    examples: list[str] = []
    for pos in starts[:MAX_NUMBERS].tolist():
        # One anchored match gives the number and the word or symbol after it.
        match = _NUMBER_AND_TAIL.match(text, pos)
        if match is None:
            continue
        number, tail = match.group(1), match.group(2)
        end = match.end(1)
        if not text[max(0, pos - 4):pos].rstrip().endswith(_CURRENCY_BEFORE):
            if len(number) == 4 and number[:2] in (b"18", b"19", b"20"):
                continue  # a plain year ("in 2023 people...") is a date, not a figure
            if not (_separated(number) if (b"." in number or b"," in number)
                    else _unit_after(text, end, tail)):
                continue
        found += 1
        if len(examples) < 3:
            examples.append(text[max(0, pos - 30):end + 30].decode("utf-8", "replace")
                            .replace(JOINER.decode(), " ").strip())
        if found >= MAX_STATISTICS:
            break
    return found, tuple(examples)


def _unit_after(text: bytes, end: int, tail: bytes | None) -> bool:
    """The number ending at `end` is followed (after at most one space) by a unit, scale
    word, currency symbol or ratio; `tail` is that word or symbol (None when there is none)."""
    if not tail:
        return False
    if tail.startswith(_AFTER_SYMBOLS):
        return True
    lowered = tail.lower().rstrip(b"-/")
    return lowered in _AFTER_WORDS or (lowered in (b"in", b"out", b"of", b"de")
                                       and _RATIO.match(text, end + 1) is not None)


def _separated(number: bytes) -> bool:
    """3.5 / 1,200 / 1,200,000 / 12.000, but not a date or version (1.2.3, 01.02.2024)."""
    parts = _SEPARATOR.split(number)
    return len(parts) == 2 or (len(parts) > 2 and all(len(part) == 3 for part in parts[1:]))


def count_quoted(text: bytes) -> int:
    """Quoted passages of MIN_QUOTE_BYTES..MAX_QUOTE_BYTES bytes between matching quote marks
    (“…”, «…», „…“, "…"). Short scare quotes do not count."""
    # The last byte of each opening mark, kept by one C pass: most pages use one kind or none.
    marks = text.translate(None, _NOT_QUOTE_BYTES)
    found = 0
    for opening, closing in _QUOTE_PAIRS:
        if opening[-1:] not in marks:
            continue
        pos = text.find(opening)
        while pos >= 0 and found < MAX_QUOTES:
            close = text.find(closing, pos + len(opening))
            if close < 0:
                break
            if MIN_QUOTE_BYTES <= close - pos - len(opening) <= MAX_QUOTE_BYTES \
                    and b"\n" not in text[pos:close]:
                found += 1
            pos = text.find(opening, close + len(closing))
    return found
