"""What a title and a description may hold. Refusals name the field and say what to do."""

from __future__ import annotations

import re

from store.errors import ValidationError

MAX_TITLE_LENGTH = 500
# Long notes are welcome; a pasted log file of megabytes is not a task description.
MAX_DESCRIPTION_LENGTH = 100_000

# C0 and C1 control characters, DEL, and lone surrogates (which no encoding can store).
# Newline and tab are allowed where a field may hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_EXCEPT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_title(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError("title", "The title must be text.")
    title = raw.strip()
    if not title:
        raise ValidationError("title", "A task needs a title.")
    if "\n" in title or "\r" in title:
        raise ValidationError("title", "A title is one line; put the rest in the description.")
    if "\t" in title:
        raise ValidationError("title", "A title cannot contain tabs.")
    _refuse_control("title", title, _CONTROL)
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError(
            "title",
            f"A title is at most {MAX_TITLE_LENGTH} characters (this one has {len(title)}); "
            "put the rest in the description.",
        )
    return title


def clean_description(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError("description", "The description must be text.")
    # Line endings pasted from other systems become plain newlines; indentation at
    # the start is kept (Markdown gives it meaning), blank edges are not.
    description = raw.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
    _refuse_control("description", description, _CONTROL_EXCEPT_NEWLINE)
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            "description",
            f"A description is at most {MAX_DESCRIPTION_LENGTH:,} characters "
            f"(this one has {len(description):,}).",
        )
    return description


def _refuse_control(field: str, text: str, pattern: re.Pattern[str]) -> None:
    match = pattern.search(text)
    if match is None:
        return
    code = ord(match.group())
    kind = "an unpaired surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    raise ValidationError(
        field,
        f"The {field} contains {kind} (U+{code:04X} at position {match.start() + 1}); remove it.",
    )
