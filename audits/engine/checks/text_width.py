"""Rendered width of text in Arial, the font of Google's desktop result titles and snippets.

Search results cut titles and descriptions by pixel width, not by characters; this measures
text with Arial's advance widths (no kerning), which is what audit tools compare against.
"""

from __future__ import annotations

import unicodedata

#: Advance widths of Arial at 20 px (the desktop title font of Google results), in pixels:
#: Arial's metrics (identical to Helvetica's, 1000 units per em) scaled to 20 px.
ARIAL_20PX: dict[str, float] = {
    " ": 5.56, "!": 5.56, '"': 7.1, "#": 11.12, "$": 11.12, "%": 17.78, "&": 13.34, "'": 3.82,
    "(": 6.66, ")": 6.66, "*": 7.78, "+": 11.68, ",": 5.56, "-": 6.66, ".": 5.56, "/": 5.56,
    "0": 11.12, "1": 11.12, "2": 11.12, "3": 11.12, "4": 11.12, "5": 11.12, "6": 11.12,
    "7": 11.12, "8": 11.12, "9": 11.12, ":": 5.56, ";": 5.56, "<": 11.68, "=": 11.68,
    ">": 11.68, "?": 11.12, "@": 20.3, "A": 13.34, "B": 13.34, "C": 14.44, "D": 14.44,
    "E": 13.34, "F": 12.22, "G": 15.56, "H": 14.44, "I": 5.56, "J": 10.0, "K": 13.34,
    "L": 11.12, "M": 16.66, "N": 14.44, "O": 15.56, "P": 13.34, "Q": 15.56, "R": 14.44,
    "S": 13.34, "T": 12.22, "U": 14.44, "V": 13.34, "W": 18.88, "X": 13.34, "Y": 13.34,
    "Z": 12.22, "[": 5.56, "\\": 5.56, "]": 5.56, "^": 9.38, "_": 11.12, "`": 6.66, "a": 11.12,
    "b": 11.12, "c": 10.0, "d": 11.12, "e": 11.12, "f": 5.56, "g": 11.12, "h": 11.12, "i": 4.44,
    "j": 4.44, "k": 10.0, "l": 4.44, "m": 16.66, "n": 11.12, "o": 11.12, "p": 11.12, "q": 11.12,
    "r": 6.66, "s": 10.0, "t": 5.56, "u": 11.12, "v": 10.0, "w": 14.44, "x": 10.0, "y": 10.0,
    "z": 10.0, "{": 6.68, "|": 5.2, "}": 6.68, "~": 11.68, "\xa0": 5.56, "\xa3": 11.12,
    "\xa6": 5.2, "\xa9": 14.74, "\xab": 11.12, "\xae": 14.74, "\xb0": 8.0, "\xb7": 5.56,
    "\xbb": 11.12, "\xd7": 11.68, "\u2013": 11.12, "\u2014": 20.0, "\u2018": 4.44,
    "\u2019": 4.44, "\u201c": 6.66, "\u201d": 6.66, "\u2022": 7.0, "\u2026": 20.0,
    "\u20ac": 11.12, "\u2122": 20.0, "\u2192": 20.0,
}
#: Other letters (Cyrillic, Greek, ...): the average width of Arial's lower-case a-z.
ARIAL_20PX_AVERAGE = 9.79
#: CJK and other East Asian wide characters are one em wide.
ARIAL_20PX_WIDE = 20.0


def _char_width(char: str) -> float:
    """Width of one character in 20 px Arial: accented letters take their base letter's
    width, East Asian wide characters one em, anything else unknown the average letter."""
    width = ARIAL_20PX.get(char)
    if width is not None:
        return width
    base = unicodedata.normalize("NFD", char)[:1]
    width = ARIAL_20PX.get(base)
    if width is not None:
        return width
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0  # combining marks and invisible format characters take no space
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return ARIAL_20PX_WIDE
    return ARIAL_20PX_AVERAGE


def text_width_px(text: str, font_px: float = 20) -> float:
    """Rendered width of `text` in Arial at `font_px`, in pixels (no kerning)."""
    return sum(_char_width(char) for char in text) * font_px / 20
