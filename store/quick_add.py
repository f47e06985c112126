"""Quick add: one line in plain words becomes a title, a due date, a repeat, a priority,
tags and a project: "Pay rent every month on the 1st !high #home +Flat".

The words are read with store.planning (dates, tags, priorities, projects) and
store.repeat_phrases (repeats); this module decides which words of a title they take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from store.planning import (
    MONDAY,
    PRIORITY_WORDS,
    WORD,
    Due,
    Priority,
    Token,
    check_week_start,
    clean_tag,
    clean_tags,
    match_due,
    project_word,
    take_due,
    token_words,
    tokenise,
)
from store.repeat_phrases import (
    ADVERBS,
    HEAD_WORDS,
    RepeatPhrase,
    match_repeat,
    read_repeat,
    refused_at,
)


@dataclass(frozen=True)
class QuickAdd:
    """What a line of quick add was understood as."""

    title: str
    due: Due | None = None
    priority: Priority | None = None  # None: not given (leave as it is)
    tags: tuple[str, ...] = ()
    project: str | None = None  # a path, 'Work/Q4' (None: not given)
    repeat: RepeatPhrase | None = None  # the task repeats from ``due`` (None: it does not)
    recognised: tuple[str, ...] = field(default=(), compare=False)  # the words taken out


def parse_quick_add(line: str, now: datetime, *, week_start: int = MONDAY) -> QuickAdd:
    """Split one line into title, due date, repeat, priority and tags.

    `#tag` adds a tag; `!high`, `!h`, `!1` set the priority; `+Work/Q4` or
    `project:Work.Q4` names the project (the last one); a repeat phrase ("every
    monday", "every! 3 days", "weekly": see store.repeat_phrases) makes the task
    repeat; a date phrase (the last one, if there are several) sets the due date. A
    word after a backslash, or words in double quotes, stay in the title as they are:
    `Buy \\#1 fan`, `"Friday" club`. If nothing would be left of the title, the line
    is kept whole as the title.

    ``now`` is the user's local time: it says what today is, and which hour a bare
    "at 1" means. The rules for words that are dates or repeats only sometimes:

    * A bare hour, 1 to 12 after "at" without am/pm, is its next occurrence within
      12 hours when no day is given ("Lunch at 1" at 10:00 is 13:00; at 14:00 it is
      01:00 tomorrow); with "today", the first of the two still to come today (else
      the afternoon one, already past); with "tonight", the evening (at 12 midnight,
      1 to 5 the small hours after it);
      with any other day, a working day's guess: 7 to 11 in the morning, 12 noon,
      1 to 6 in the afternoon ("Dentist fri at 3" is 15:00). "at 13", "14:00" and
      "9pm" mean what they say.
    * A weekday's full name is a date anywhere. An abbreviation (mon, tue, tues, wed,
      weds, thu, thur, thurs, fri, sat, sun), and "may" or "march" with a day number
      but no year, only when it follows on/by/due/until (or next/this), or when a time
      comes right after it or nothing but tags and priorities does, and never right
      after the/a/my/... ("Call mum fri", "Pay rent on sat 9am" are dates; "Sun
      cream", "Fix the sat solver", "Print 3 march posters" are titles).
    * Days already past (yesterday, last friday) are for a due field (``parse_due``);
      in a title they stay words: "Send notes from last friday" has no due date.
    * A repeat phrase is taken only when nothing follows it but tags, a priority, a
      project or a date phrase: "Standup every weekday 8:30am #work" repeats, "Every
      Monday Blues" and "Weekly report" are titles (and a phrase left in the title
      is not read as a date either). With a date phrase too ("Report every friday due
      dec 12"), the task is due then and repeats from there (at the repeat's time of
      day if the date gives none); without one, it is due on the repeat's first date.

    ``week_start`` (MONDAY or SUNDAY) is the first day of the user's week: it says
    which days "next week", "end of week" and "next friday" are (see
    ``store.planning.match_day``).
    """
    check_week_start(week_start)
    tokens = tokenise(line)
    tags: list[str] = []
    priority: Priority | None = None
    project: str | None = None
    projects: list[Token] = []  # a task is in one: the last word wins, the rest stay
    recognised: list[str] = []
    for token in tokens:
        if token.literal:
            continue
        if token.text.startswith("#") and len(token.text) > 1:
            try:
                tags.append(clean_tag(token.text))
            except ValueError:
                continue
            token.used = True
            recognised.append(token.text)
        elif token.text.startswith("!") and token.text[1:].lower() in PRIORITY_WORDS:
            priority = PRIORITY_WORDS[token.text[1:].lower()]
            token.used = True
            recognised.append(token.text)
        elif project_word(token.text) is not None:
            projects.append(token)
    if projects:
        projects[-1].used = True
        project = project_word(projects[-1].text)
        recognised.append(projects[-1].text)
    repeat = _take_repeat(tokens, now, recognised, week_start=week_start)
    due = take_due(tokens, now, recognised, week_start=week_start)
    title = " ".join(token.text for token in tokens if not token.used)
    if not title.strip():
        return QuickAdd(title=_unescape(line).strip())
    if repeat is not None:
        if due is None:
            due = repeat.first
        elif due.at is None and repeat.at is not None:
            due = Due(due.day, repeat.at)
    return QuickAdd(
        title=title,
        due=due,
        priority=priority,
        tags=clean_tags(tags) if tags else (),
        project=project,
        repeat=repeat,
        recognised=tuple(recognised),
    )


def quick_add_text(title: str, now: datetime, *, week_start: int = MONDAY) -> str:
    """``title`` written so that quick add reads it back as exactly that title and
    nothing more: the words it would take as a tag, a priority, a date or the start
    of a repeat get a backslash (``Buy #1 fan`` becomes ``Buy \\#1 fan``, ``Pay rent
    every month`` becomes ``Pay rent \\every month``), and so does a word that starts
    with one. For an editor that shows a saved title to be changed: without this,
    editing one word would turn the title's other words into a due date or tags.
    ``week_start`` as in ``parse_quick_add``, which will read the text back.
    """
    check_week_start(week_start)
    raws = [match.group(0) for match in WORD.finditer(title)]
    tokens = tokenise(title)
    if len(raws) != len(tokens):  # an empty pair of quotes: nothing to protect there
        return title
    escape = [raw.startswith("\\") and len(raw) > 1 for raw in raws]
    for number, token in enumerate(tokens):
        if token.literal:
            continue
        if _is_tag(token.text) or _is_priority(token.text) or project_word(token.text):
            token.literal = escape[number] = True
    # Each round takes a repeat phrase, else the last date phrase, still there; protects
    # it (a repeat by its first word, the rest left to be looked at again) and goes on.
    while True:
        if _take_repeat(tokens, now, [], week_start=week_start) is not None:
            taken = [n for n, token in enumerate(tokens) if token.used and not token.literal]
            tokens[taken[0]].literal = escape[taken[0]] = True
            for number in taken:
                tokens[number].used = False
            continue
        if take_due(tokens, now, [], week_start=week_start) is None:
            break
        for number, token in enumerate(tokens):
            if token.used and not token.literal:
                token.literal = escape[number] = True
    protected = ("\\" + raw if protect else raw for raw, protect in zip(raws, escape, strict=True))
    return " ".join(protected)


def _take_repeat(
    tokens: list[Token], now: datetime, recognised: list[str], *, week_start: int
) -> RepeatPhrase | None:
    """The first repeat phrase followed by nothing but words already taken or a date
    phrase: its words are taken. A phrase with other words after it stays in the
    title, and its words are not read as a date ("Every Monday Blues")."""
    for start, token in enumerate(tokens):
        word = token_words([token])[0]
        if word is None or (word not in HEAD_WORDS and word not in ADVERBS):
            continue
        end = read_repeat(tokens, start, now, week_start=week_start)
        if end is None:
            if word in HEAD_WORDS and refused_at(tokens, start, now, week_start=week_start):
                # A phrase that says two things ("every second tuesday"): kept whole in
                # the title, none of its words read as a date either.
                for word_in_title in tokens[start:]:
                    word_in_title.literal = word_in_title.literal or not word_in_title.used
            continue
        found = (
            match_repeat(tokens, start, now, week_start=week_start)
            if _only_due_after(tokens, end, now, week_start=week_start)
            else None
        )
        if found is None:
            for word_in_title in tokens[start:end]:
                word_in_title.literal = True
            continue
        for taken in tokens[start:end]:
            taken.used = True
        recognised.append(found[1].words)
        return found[1]
    return None


def _only_due_after(tokens: list[Token], end: int, now: datetime, *, week_start: int) -> bool:
    """Whether the words from ``end`` are all taken, or a date phrase and taken words."""
    rest = end
    if not all(token.used for token in tokens[rest:]):
        found = match_due(tokens, end, now, past=False, week_start=week_start)
        if found is None:
            return False
        rest = found[0]
    return all(token.used for token in tokens[rest:])


def _is_tag(word: str) -> bool:
    if not word.startswith("#") or len(word) < 2:
        return False
    try:
        clean_tag(word)
    except ValueError:
        return False
    return True


def _is_priority(word: str) -> bool:
    return word.startswith("!") and word[1:].lower() in PRIORITY_WORDS


def _unescape(line: str) -> str:
    return " ".join(token.text for token in tokenise(line))
