"""User text made safe to show, the same way in the app and on the command line.

Pure Python (no textual, no rich): the command line imports this, and a scripted
``taskflow add`` must not pay for the app's libraries.

The rule, for every title, tag, description, path or message that came from a user
or a file:

- Characters that would *act* on the terminal are shown, never obeyed:

  - C0 controls and DEL become their Unicode control pictures: ESC is ``␛``, BEL
    ``␇``, DEL ``␡``. An escape sequence (a colour, an OSC 52 clipboard write, an
    OSC 8 link) is therefore printed as harmless text, ``␛]52;c;…␛\\``.
  - C1 controls (U+0080 to U+009F, which some terminals obey as 8-bit escapes) have
    no picture and are shown as their code, ``<U+009B>``.
  - Bidirectional formatting characters, which could make a line read as something
    it is not (an RLO turning ``exe.txt`` around), are shown as their code too:
    the embeddings and overrides U+202A to U+202E, the isolates U+2066 to U+2069,
    and the marks LRM (U+200E), RLM (U+200F) and ALM (U+061C).
  - Unpaired surrogates (how Python carries bytes that are not UTF-8) cannot be
    written at all, and are shown as their code: ``<U+DCFF>``.

- Everything else is kept exactly: letters of every script, emoji, and the
  invisible characters that writing needs, such as the zero-width joiner inside
  👨‍👩‍👧, variation selectors, and combining marks (``e`` + U+0301 stays é).

- Line breaks and tabs: on one line (``keep_lines=False``: a title, a list row, a
  message) a newline is ``␊`` and a tab ``␉``, so a row can never be broken or
  pushed out of its columns and the user still sees that the character is there.
  With ``keep_lines=True`` (multi-line notes) newlines and tabs are kept as they
  are; a carriage return is still ``␍``, since it would send the cursor back over
  the line (the store turns pasted CRLF into plain newlines anyway).

``display_width`` and ``clip`` measure and cut text in terminal columns.
"""

from __future__ import annotations

import re
import unicodedata

# Shown as their code: C1 controls, bidirectional formatting, unpaired surrogates.
_CODED = r"\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# Every C0 control and DEL (pictured), and the coded ones.
_ONE_LINE = re.compile(rf"[\x00-\x1f\x7f{_CODED}]")
# The same, but newline (\x0a) and tab (\x09) pass.
_KEEP_LINES = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f{_CODED}]")

_CONTROL_PICTURES = 0x2400  # U+2400 SYMBOL FOR NULL; U+2400 + n pictures control n
_DELETE_PICTURE = "\u2421"  # ␡
_ZERO_WIDTH_JOINER = "\u200d"


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(_CONTROL_PICTURES + code)
    if code == 0x7F:
        return _DELETE_PICTURE
    return f"<U+{code:04X}>"


def visible(text: str, *, keep_lines: bool = False) -> str:
    """``text`` safe to print or draw: controls and bidi formatting shown, not obeyed.

    With ``keep_lines``, newlines and tabs stay as they are (for multi-line notes).
    See the module's docstring for the whole rule.
    """
    return (_KEEP_LINES if keep_lines else _ONE_LINE).sub(_shown, text)


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: wide East Asian characters take two, marks none."""
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def clip(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` terminal columns, with an ellipsis when cut.

    A cut never leaves a character's combining marks behind (they take no column, so
    they stay with it) nor a dangling zero-width joiner.
    """
    if columns <= 0:
        return ""
    if display_width(text) <= columns:
        return text
    kept: list[str] = []
    used = 0
    for ch in text:
        width = _char_width(ch)
        if used + width > columns - 1:
            break
        kept.append(ch)
        used += width
    while kept and kept[-1] == _ZERO_WIDTH_JOINER:
        kept.pop()
    return "".join(kept) + "…"
