"""One text policy for both front ends: tui/text.py, its table, and who uses it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tui.cli
import tui.formatting
from tui import text
from tui.text import clip, display_width, visible

REPO = Path(__file__).resolve().parents[1]

FAMILY = "👨\u200d👩\u200d👧"  # man, ZWJ, woman, ZWJ, girl: one glyph
E_ACUTE = "e\u0301"  # e + COMBINING ACUTE ACCENT, not the precomposed é
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a ZWNJ
ARABIC = "\u0645\u0631\u062d\u0628\u0627"  # "hello"
BIDI = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
BIDI += ["\u200e", "\u200f", "\u061c"]  # LRM, RLM, ALM

# (what is stored, shown on one line, shown with keep_lines)
TABLE: dict[str, tuple[str, str, str]] = {
    "plain": ("Buy oat milk", "Buy oat milk", "Buy oat milk"),
    "NUL and unit separator": ("a\x00b\x1fc", "a␀b␟c", "a␀b␟c"),
    "BEL": ("ring\x07", "ring␇", "ring␇"),
    "DEL": ("rub\x7fout", "rub␡out", "rub␡out"),
    "CSI colour": ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m", "␛[31mred␛[0m"),
    "clear screen": ("evil\x1b[2J", "evil␛[2J", "evil␛[2J"),
    "OSC 52 clipboard write": (
        "x\x1b]52;c;cm0gLXJmIH4=\x1b\\y",
        "x␛]52;c;cm0gLXJmIH4=␛\\y",
        "x␛]52;c;cm0gLXJmIH4=␛\\y",
    ),
    "OSC 8 link": (
        "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
        "␛]8;;https://evil.example␇click␛]8;;␇",
        "␛]8;;https://evil.example␇click␛]8;;␇",
    ),
    "C1 CSI (8-bit)": ("\x9b31mred", "<U+009B>31mred", "<U+009B>31mred"),
    "C1 OSC and NEL": (
        "\x9d8;;x\x9c\x85",
        "<U+009D>8;;x<U+009C><U+0085>",
        "<U+009D>8;;x<U+009C><U+0085>",
    ),
    "RLO turning a name around": (
        "invoice\u202efdp.exe",
        "invoice<U+202E>fdp.exe",
        "invoice<U+202E>fdp.exe",
    ),
    "isolates": ("a\u2066b\u2069c", "a<U+2066>b<U+2069>c", "a<U+2066>b<U+2069>c"),
    "marks": (
        "\u200eL\u200fR\u061cA",
        "<U+200E>L<U+200F>R<U+061C>A",
        "<U+200E>L<U+200F>R<U+061C>A",
    ),
    "ZWJ family": (f"Picnic {FAMILY}", f"Picnic {FAMILY}", f"Picnic {FAMILY}"),
    "skin tone and VS16": ("👍🏽 ❤️", "👍🏽 ❤️", "👍🏽 ❤️"),
    "ZWNJ in Persian": (PERSIAN, PERSIAN, PERSIAN),
    "combining mark": (f"caf{E_ACUTE}", f"caf{E_ACUTE}", f"caf{E_ACUTE}"),
    "right-to-left letters": (f"שלום {ARABIC}", f"שלום {ARABIC}", f"שלום {ARABIC}"),
    "markup-like text": ("[bold red]x[/]", "[bold red]x[/]", "[bold red]x[/]"),
    "tab": ("a\tb", "a␉b", "a\tb"),
    "newline": ("line one\nline two", "line one␊line two", "line one\nline two"),
    "carriage return": ("over\rwrite", "over␍write", "over␍write"),
    "CRLF": ("a\r\nb", "a␍␊b", "a␍\nb"),
    "unpaired surrogate": ("bad\udcffbyte", "bad<U+DCFF>byte", "bad<U+DCFF>byte"),
}


@pytest.mark.parametrize("case", TABLE, ids=list(TABLE))
def test_the_table(case: str) -> None:
    stored, one_line, lines_kept = TABLE[case]
    assert visible(stored) == one_line
    assert visible(stored, keep_lines=True) == lines_kept


# Nothing that acts on a terminal or turns text around may survive, in either mode.
ACTING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("keep_lines", [False, True])
def test_every_control_and_bidi_character_is_shown_not_obeyed(keep_lines: bool) -> None:
    everything = "".join(chr(code) for code in range(0xA0)) + "".join(BIDI)
    shown = visible(everything, keep_lines=keep_lines)
    assert ACTING.search(shown) is None
    assert ("\n" in shown and "\t" in shown) is keep_lines
    shown.encode("utf-8")  # printable everywhere: no surrogate left either


def test_each_bidi_character_is_named_by_its_code() -> None:
    for char in BIDI:
        assert visible(char) == f"<U+{ord(char):04X}>"


def test_joined_emoji_and_combining_marks_survive_intact() -> None:
    assert visible(FAMILY) == FAMILY and len(visible(FAMILY)) == 5
    assert visible(E_ACUTE) == E_ACUTE and len(visible(E_ACUTE)) == 2  # not normalised


def test_the_rule_is_written_down_in_the_module() -> None:
    doc = text.__doc__ or ""
    for words in ("control pictures", "<U+009B>", "U+202A to U+202E", "U+2066 to U+2069", "␉"):
        assert words in doc


# -- one function for both front ends ------------------------------------------------------


def test_the_app_and_the_command_line_use_the_same_function() -> None:
    assert tui.formatting.visible is visible
    assert tui.cli.visible is visible
    assert tui.cli.clip is clip and tui.cli.display_width is display_width


def test_the_app_draws_a_bidi_override_as_the_command_line_prints_it() -> None:
    drawn = tui.formatting.literal("invoice\u202efdp.exe\x1b[2J").plain
    assert drawn == "invoice<U+202E>fdp.exe␛[2J"


def test_the_text_module_imports_neither_textual_nor_rich() -> None:
    script = "import sys, tui.text; print(sorted({'textual', 'rich'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "[]", result.stderr


# -- widths ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "columns"),
    [("abc", 3), ("日本語", 6), (E_ACUTE, 1), ("<U+202E>", 8), ("", 0)],
)
def test_display_width(shown: str, columns: int) -> None:
    assert display_width(shown) == columns


@pytest.mark.parametrize(
    ("shown", "columns", "cut"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("a longer title", 8, "a longe…"),
        ("日本語テキスト", 7, "日本語…"),  # never half a wide character
        (f"caf{E_ACUTE} au lait", 5, f"caf{E_ACUTE}…"),  # the mark stays with its letter
        (f"ab{FAMILY}xyz", 5, "ab👨…"),  # no dangling joiner
        ("anything", 0, ""),
    ],
)
def test_clip(shown: str, columns: int, cut: str) -> None:
    assert clip(shown, columns) == cut
    assert display_width(clip(shown, columns)) <= columns
