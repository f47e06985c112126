"""The commands on tasks: add, show, edit, done, undone, skip, rm, undo, history."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from store import (
    MONDAY,
    DateStyle,
    Due,
    EventKind,
    EventRecord,
    NotFoundError,
    Priority,
    QuickAdd,
    Repeat,
    RepeatMode,
    RepeatPhrase,
    TaskRecord,
    TaskStore,
    ValidationError,
    clean_tag,
    clean_tags,
    dates_ahead,
    describe,
    formats,
    parse_due,
    parse_quick_add,
    parse_repeat,
    start_due,
)
from tui.cli.output import (
    EXIT_OK,
    EXIT_USAGE,
    REPEATS,
    SHORT_ID,
    Output,
    Style,
    fail,
    human,
    local_time,
    local_time_width,
    print_json,
    zone_name,
)
from tui.cli.settings_access import date_style, week_start
from tui.cli.store_access import now_local, opened, read_text_argument, task_views
from tui.text import clip, visible


def cmd_add(args: argparse.Namespace) -> int:
    description = read_text_argument(args.description) or ""
    now = now_local(args)
    title, planned = _understood(args, " ".join(args.title), now)
    assert title is not None  # a title was given, so one was understood
    tags = planned.pop("tags", ())
    _with_repeat(planned, now)
    # The task and a project it names that is new are one change: one undo takes both.
    with opened(args) as store, store.one_change():
        new_project = _place(store, planned)
        if args.parent is not None:
            planned["parent_id"] = _resolve_live(store, args.parent).id
        blockers = [task.id for task in _resolve_each(store, args.blocked_by)]
        task = store.create(title, description, tags=tags, blocked_by=blockers, **planned)
        paths = store.project_paths() if task.project_id is not None else {}
        view = task_views(store, [task]) if args.json else None
    if view is not None:
        print_json(view(task))
        return EXIT_OK
    out = human()
    out.line(f"Added {out.paint(task.id, Style.ID)}  {visible(task.title)}")
    summary = _planning_summary(
        task, now.date(), paths, new_project, out=out, style=date_style(args)
    )
    if summary:
        out.line(f"  {summary}")
    return EXIT_OK


def _place(store: TaskStore, changes: dict[str, Any]) -> bool:
    """Turn the project path that ``changes`` names into the project's id, making the
    project (and any level above it) if there is none yet; whether it was made."""
    if "project" not in changes:
        return False
    path = changes.pop("project")
    if path is None:
        changes["project_id"] = None
        return False
    project, made = store.ensure_project(path)
    changes["project_id"] = project.id
    return made


# Quick add reads one line, and would quietly join lines that the store refuses.
_NOT_ONE_LINE = re.compile(r"[^\S ]")


def _understood(
    args: argparse.Namespace,
    text: str | None,
    now: datetime,
    *,
    current: TaskRecord | None = None,
) -> tuple[str | None, dict[str, Any]]:
    """The title and the due/priority/tags changes that a title in plain words and
    the options ask for (a project as its path, "project": None for the Inbox),
    the way the app's editor reads them (``now`` in local time:
    "at 1" is the next 1 o'clock). The options win over words in the title: a script
    that says --due means that date. Only what was given is in the dict (an edit
    leaves the rest alone). ValidationError (exit 1) for a date, priority or tag
    that cannot be read.

    A repeat (the title's words or --repeat, which wins) is "repeat" as the phrase
    read (``_with_repeat`` settles the due it goes with), or None for --no-repeat;
    "due" is then only a date given besides it (the title's or --due)."""
    changes: dict[str, Any] = {}
    title = None
    quick_tags: tuple[str, ...] = ()
    quick_project: str | None = None
    phrase: RepeatPhrase | None = None
    if text is not None and _NOT_ONE_LINE.search(text):
        title = text  # a line break or a tab: the store refuses it in its own words
    elif text is not None:
        quick = parse_quick_add(text, now, week_start=week_start(args))
        title, quick_tags, quick_project = quick.title, quick.tags, quick.project
        phrase = quick.repeat
        due = _date_of_its_own(quick)
        if due is not None:
            changes["due"] = due
        if quick.priority is not None:
            changes["priority"] = quick.priority
    if getattr(args, "repeat", None) is not None:
        phrase = read_repeat_option(args.repeat, now, week_start=week_start(args))
    if args.due is not None:
        try:
            changes["due"] = parse_due(args.due, now, week_start=week_start(args))
        except ValueError as error:
            raise ValidationError("due", str(error)) from None
    if getattr(args, "no_due", False):
        changes["due"] = None
    if getattr(args, "no_repeat", False):
        changes["repeat"] = None
    elif phrase is not None:
        changes["repeat"] = phrase
    if args.priority is not None:
        try:
            changes["priority"] = Priority.parse(args.priority)
        except ValueError as error:
            raise ValidationError("priority", str(error)) from None
    project = quick_project
    if getattr(args, "project", None) is not None:
        project = args.project if args.project.strip() else None  # '': the Inbox
        changes["project"] = project
    elif getattr(args, "no_project", False):
        changes["project"] = None
    elif project is not None:
        changes["project"] = project
    try:
        added = clean_tags([*quick_tags, *args.tag])
        removed = {clean_tag(tag).casefold() for tag in getattr(args, "untag", [])}
    except ValueError as error:
        raise ValidationError("tags", str(error)) from None
    if added or removed:
        base = current.tags if current is not None else ()
        kept = [tag for tag in (*base, *added) if tag.casefold() not in removed]
        changes["tags"] = clean_tags(kept)
    return title, changes


def _date_of_its_own(quick: QuickAdd) -> Due | None:
    """The due date quick add read from a date phrase in the title, without a time it
    took from the title's repeat; None when it gave none, or only the repeat's first
    date (the repeat that wins sets the due: see ``_with_repeat``)."""
    due, phrase = quick.due, quick.repeat
    if due is None or phrase is None:
        return due
    # Quick add lists the words it took in order: a date phrase, if any, comes last.
    if not quick.recognised or quick.recognised[-1] == phrase.words:
        return None
    return Due(due.day) if phrase.at is not None and due.at == phrase.at else due


# A repeat phrase is a few words: "every 2 weeks on monday and thursday at 9am until dec 31".
MAX_REPEAT_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def read_repeat_option(text: str, now: datetime, *, week_start: int = MONDAY) -> RepeatPhrase:
    """The repeat that --repeat TEXT says (``now`` local, weeks starting on
    ``week_start``); ValidationError (exit 1) in one line for text that is none, too
    long, or holds a control character."""
    if not text.strip():
        raise ValidationError(
            "repeat", "--repeat needs a rule, such as 'every monday' (--no-repeat stops one)."
        )
    if len(text) > MAX_REPEAT_LENGTH:
        raise ValidationError(
            "repeat",
            f"--repeat takes a phrase of at most {MAX_REPEAT_LENGTH} characters, "
            f"not {len(text):,} (try 'every monday' or 'every 2 weeks').",
        )
    control = _CONTROL.search(text)
    if control is not None:
        raise ValidationError(
            "repeat",
            f"--repeat contains a control character (U+{ord(control.group()):04X}): "
            "a repeat is words on one line, such as 'every monday'.",
        )
    try:
        return parse_repeat(text, now, week_start=week_start)
    except ValueError as error:
        raise ValidationError("repeat", str(error)) from None


def _with_repeat(changes: dict[str, Any], now: datetime, current: TaskRecord | None = None) -> None:
    """Turn the phrase in ``changes["repeat"]`` into the store's repeat, and settle the
    due it goes with. A date given too (--due, the title's) is kept, at the phrase's
    time if it has none. Else a new task is due on the phrase's first date; a task
    being edited keeps its due if that is one of the rule's days, else moves to the
    rule's first date from today; either way at the phrase's time, if it gives one."""
    phrase = changes.get("repeat")
    if not isinstance(phrase, RepeatPhrase):
        return  # none, or None: stop repeating
    repeat = phrase.repeat()
    given = changes.get("due")
    if given is not None:
        if given.at is None and phrase.at is not None:
            changes["due"] = Due(given.day, phrase.at)
    elif "due" not in changes:
        changes["due"] = _first_due(phrase, repeat, current, now)
    elif current is None:  # --due none: (on an edit, the store refuses in its own words)
        raise ValidationError(
            "due",
            "A repeating task has a due date: leave --due out (it falls due on the rule's "
            "first date) or give one.",
        )
    changes["repeat"] = repeat


def _first_due(
    phrase: RepeatPhrase, repeat: Repeat, current: TaskRecord | None, now: datetime
) -> Due:
    """The due a rule gives: its phrase's first date for a task without one; else as
    the store decides it (recurrence.start_due: its due if the rule has that day, else
    the rule's first from its due or today, the later), at the phrase's time if any."""
    if current is None or current.due is None:
        return phrase.first
    try:
        kept = start_due(repeat, current.due, now.date(), now=now.time())
    except ValueError as error:
        raise ValidationError("repeat", str(error)) from None
    return Due(kept.day, phrase.at if phrase.at is not None else kept.at)


def _planning_summary(
    task: TaskRecord,
    today: date,
    paths: dict[str, str],
    new_project: bool = False,
    *,
    out: Output,
    style: DateStyle,
) -> str:
    """'in Home (new project) · due Sat 21 Nov 2026, 09:00 (tomorrow) · ↻ every
    Saturday at 09:00 · then Sat 28 Nov, Sat 5 Dec, Sat 12 Dec · !!! high ·
    #bills #home', or ''."""
    parts = []
    if task.project_id is not None:
        new = " (new project)" if new_project else ""
        parts.append(f"in {visible(paths.get(task.project_id, '?'))}{new}")
    if task.due is not None:
        parts.append(f"due {task.due.long(today, style=style)}")
    if task.repeat is not None:
        parts.extend(_repeat_summary(task, task.repeat, today, out, style))
    if task.priority is not Priority.NONE:
        parts.append(f"{task.priority.marks} {task.priority.label}")
    if task.tags:
        parts.append(visible(" ".join(f"#{tag}" for tag in task.tags)))
    return out.symbol(" · ", " - ").join(parts)


def _repeat_summary(
    task: TaskRecord, repeat: Repeat, today: date, out: Output, style: DateStyle
) -> list[str]:
    """'↻ every weekday at 09:00' and 'then Wed 9 Dec, Thu 10 Dec, Fri 11 Dec'."""
    at = task.due.at if task.due is not None else None
    mark = out.symbol(REPEATS, "repeats")
    parts = [f"{mark} {describe(repeat, at, style=style)}"]
    coming = dates_ahead(repeat, task.due, 3) if task.due is not None else []
    if not coming:
        parts.append("the last one: its rule ends here")
    elif repeat.mode is RepeatMode.COMPLETION:
        parts.append(f"then, if each is done on its date, {_days_words(coming, today)}")
    else:
        parts.append(f"then {_days_words(coming, today)}")
    return parts


def _days_words(dues: Sequence[Due], today: date) -> str:
    """'Wed 9 Dec, Thu 10 Dec, Fri 1 Jan 2027'."""
    return ", ".join(_day_words(due.day, today) for due in dues)


def _day_words(day: date, today: date) -> str:
    """'Wed 9 Dec', with the year when it is not this year."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def _full_date(due: Due, style: DateStyle) -> str:
    """'Wed 9 Dec 2026, 09:00' or 'Wed 9 Dec 2026' (or, on a 12-hour clock, '9am')."""
    text = f"{due.day:%a} {due.day.day} {due.day:%b %Y}"
    return text if due.at is None else f"{text}, {style.time(due.at)}"


def cmd_show(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        task = _resolve_live(store, args.id)
        paths = store.project_paths()
        view = task_views(store, [task], paths)
        structure = _structure_rows(store, task)
        in_series = task.series_id is not None and not args.json
        # The series' last few, and those just before this one: a daily series holds a
        # task a day, and show reads what it shows, not the years behind it.
        latest = store.series(task.id, last=SERIES_SHOWN) if in_series else []
        before = store.series(task.id, last=SERIES_SHOWN, before_it=True) if in_series else []
        counts = store.series_counts(task.id) if in_series else (1, 0)
    if args.json:
        print_json(view(task))
        return EXIT_OK
    out = human()
    if task.unreadable:
        _show_unreadable(out, task)
        return EXIT_OK
    done = out.paint("done", Style.DONE) if task.completed else "open"
    today = now_local(args).date()
    style = date_style(args)
    rows = [
        ("Id", out.paint(task.id, Style.ID)),
        ("Title", out.paint(visible(task.title), Style.BOLD)),
        ("Status", done),
        ("Due", task.due.long(today, style=style) if task.due is not None else "none"),
        *_repeat_rows(task, latest, before, counts, today, style),
        (
            "Priority",
            f"{task.priority.marks} {task.priority.label}".strip(),
        ),
        ("Tags", visible(" ".join(f"#{tag}" for tag in task.tags)) if task.tags else "none"),
        ("Project", visible(paths.get(task.project_id, "?")) if task.project_id else "Inbox"),
        *structure,
        ("Created", f"{local_time(task.created_at, style)} ({zone_name()})"),
        ("Updated", f"{local_time(task.updated_at, style)} ({zone_name()})"),
        ("Version", str(task.version)),
    ]
    width = max(10, *(len(label) + 2 for label, _ in rows))  # 'Blocked by:' is the longest
    for label, value in rows:
        out.line(f"{label + ':' if label else '':<{width}}{value}")
    if task.description:
        out.line()
        out.line(visible(task.description, keep_lines=True))
    return EXIT_OK


def _structure_rows(store: TaskStore, task: TaskRecord) -> list[tuple[str, str]]:
    """show's lines for the task's parent, subtasks and blockers (those it has)."""
    rows: list[tuple[str, str]] = []
    if task.parent_id is not None:
        for parent in store.get_many([task.parent_id]):
            rows.append(("Parent", f"{parent.id[:SHORT_ID]}  {visible(parent.title)}"))
    below = store.subtasks(task.id)
    if below:
        done = sum(1 for sub in below if sub.completed)
        rows.append(("Subtasks", f"{done}/{len(below)} done"))
        rows.extend(
            ("", f"{'[x]' if sub.completed else '[ ]'} {sub.id[:SHORT_ID]}  {visible(sub.title)}")
            for sub in below
        )
    for number, blocker in enumerate(store.get_many(task.blocked_by)):
        state = "done" if blocker.completed else "open"
        label = "Blocked by" if number == 0 else ""
        rows.append((label, f"{blocker.id[:SHORT_ID]}  {visible(blocker.title)} ({state})"))
    return rows


SERIES_SHOWN = 5  # past occurrences show lists, newest first


def _repeat_rows(
    task: TaskRecord,
    latest: Sequence[TaskRecord],
    before: Sequence[TaskRecord],
    counts: tuple[int, int],
    today: date,
    style: DateStyle,
) -> list[tuple[str, str]]:
    """show's lines for a task that repeats or belongs to a series: the rule in words,
    its mode, the next dates, and the occurrences done before it (or, for a past or
    stopped occurrence, that it no longer repeats)."""
    rows: list[tuple[str, str]] = []
    repeat = task.repeat
    if repeat is not None:
        at = task.due.at if task.due is not None else None
        rows.append(("Repeats", describe(repeat, at, style=style)))
        if repeat.mode is RepeatMode.COMPLETION:
            rows.append(("Mode", "after completion: each date counted from the day it is done"))
        else:
            rows.append(("Mode", "on schedule: each date follows the one before"))
        coming = dates_ahead(repeat, task.due, 3) if task.due is not None else []
        if not coming:
            rows.append(("Next", "none: its rule ends with this one"))
        else:
            rows.append(("Next", _days_words(coming, today)))
            if repeat.mode is RepeatMode.COMPLETION:
                rows.append(("", "(if each is done on its date)"))
    elif task.series_id is not None:
        still_open = [each for each in latest if each.repeat is not None and not each.completed]
        if still_open:
            carrier = still_open[-1]
            due = f", due {_full_date(carrier.due, style)}" if carrier.due is not None else ""
            words = f"no: a past occurrence; the open one is {carrier.id[:SHORT_ID]}{due}"
        elif task.completed:
            words = "no longer: a past occurrence, and its series has ended or was stopped"
        else:
            words = "no longer: its repeat was stopped (no occurrence follows it)"
        rows.append(("Repeats", words))
    if task.series_id is None:
        return rows
    number = task.occurrence or 1
    total, done_before = counts
    past = [each for each in before if each.completed]
    summary = f"occurrence {number} of {total}" if total > 1 else "the first occurrence"
    if done_before:
        summary += f"; {done_before} done before it"
    rows.append(("Series", summary))
    for each in past[::-1]:
        due = _full_date(each.due, style) if each.due is not None else "no due date"
        rows.append(("", f"[x] {each.id[:SHORT_ID]}  {due}"))
    if done_before > len(past):
        rows.append(("", f"and {done_before - len(past)} before them"))
    return rows


def _show_unreadable(out: Output, task: TaskRecord) -> None:
    """A stored row that cannot be read: what of it can be, why not the rest, and the way
    out (its placeholder values are not shown as if they were the task's)."""
    rows = [
        ("Id", out.paint(task.id, Style.ID)),
        ("Title", out.paint(visible(task.title), Style.BOLD) if task.title else "(none)"),
        ("Problem", out.paint(visible(f"cannot be read: {task.unreadable}"), Style.BAD)),
        ("Status", "done" if task.completed else "open"),
    ]
    for label, value in rows:
        out.line(f"{label + ':':<10}{value}")
    out.line(f"It can be shown and deleted ('taskflow rm {task.id}'), not changed or exported.")
    if task.description:
        out.line()
        out.line(visible(task.description, keep_lines=True))


def _resolve_live(store: TaskStore, prefix: str) -> TaskRecord:
    """The live task an id prefix names; for a deleted task, say so and where to look."""
    try:
        return store.resolve_id(prefix)
    except NotFoundError:
        task_id = store.resolve_any_id(prefix)  # NotFoundError again if it never existed
        events = store.history(task_id)
        # The deletion itself: a skipped undo logged after it holds no state.
        deletions = [e for e in events if e.kind is EventKind.DELETED and not e.skipped]
        last = deletions[-1] if deletions else events[-1]
        seen = last.before or last.after
        title = f" “{seen.title}”" if seen is not None else ""
        when = f" on {local_time(last.at)}" if not last.unreadable else ""
        raise NotFoundError(
            f"The task {task_id[:SHORT_ID]}{title} was deleted{when}; "
            f"'taskflow history {task_id[:SHORT_ID]}' shows its history."
        ) from None


_EDIT_OPTIONS = (
    "title",
    "description",
    "due",
    "no_due",
    "repeat",
    "no_repeat",
    "priority",
    "tag",
    "untag",
    "project",
    "no_project",
    "parent",
    "no_parent",
    "blocked_by",
    "unblock",
)
_FIELD_WORDS = {
    "due": "due date",
    "project_id": "project",
    "parent_id": "parent task",
    "blocked_by": "blocked-by",
    "repeat": "repeat",
}


def cmd_edit(args: argparse.Namespace) -> int:
    if all(getattr(args, name) in (None, False, []) for name in _EDIT_OPTIONS):
        return fail(
            "give at least one of --title, --description, --due, --no-due, --priority, "
            "--tag, --untag, --project, --no-project, --parent, --no-parent, --blocked-by, "
            "--unblock, --repeat, --no-repeat (see 'taskflow edit --help')",
            EXIT_USAGE,
        )
    description = read_text_argument(args.description)
    now = now_local(args)
    with opened(args, existing=True) as store, store.one_change():
        current = _resolve_live(store, args.id)
        title, changes = _understood(args, args.title, now, current=current)
        _with_repeat(changes, now, current)
        new_project = _place(store, changes)
        changes.update(_structure_changes(store, args, current))
        # A fresh read, then a write that refuses if anyone changed the task in between.
        task = store.update(
            current.id,
            expected_version=current.version,
            title=title,
            description=description,
            **changes,
        )
        paths = store.project_paths()
        view = task_views(store, [task], paths)
    if args.json:
        print_json(view(task))
        return EXIT_OK
    out = human()
    changed = [
        name
        for name in (
            "title",
            "description",
            "due",
            "priority",
            "tags",
            "project_id",
            "parent_id",
            "blocked_by",
            "repeat",
        )
        if getattr(current, name) != getattr(task, name)
    ]
    words = [_FIELD_WORDS.get(name, name) for name in changed]
    listed = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
    what = f"Edited {listed} of" if changed else "Nothing to change in"
    out.line(f"{what} {out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}")
    if args.no_repeat and current.repeat is None:
        out.line("  it does not repeat")
    elif "repeat" in changed and task.repeat is None:
        out.line("  no longer repeats: no occurrence follows this one")
    if {"due", "priority", "tags", "project_id", "repeat"} & set(changed):
        summary = _planning_summary(
            task, now.date(), paths, new_project, out=out, style=date_style(args)
        )
        if summary or "repeat" not in changed:
            out.line(f"  {summary or 'in the Inbox, no due date, priority or tags'}")
    return EXIT_OK


def _structure_changes(
    store: TaskStore, args: argparse.Namespace, current: TaskRecord
) -> dict[str, Any]:
    """The parent and blocked-by changes edit's options ask for (ids resolved)."""
    changes: dict[str, Any] = {}
    if args.parent is not None:
        changes["parent_id"] = _resolve_live(store, args.parent).id
    elif args.no_parent:
        changes["parent_id"] = None
    if args.blocked_by or args.unblock:
        added = [task.id for task in _resolve_each(store, args.blocked_by)]
        removed = {store.resolve_any_id(prefix) for prefix in args.unblock}
        kept = [blocker for blocker in (*current.blocked_by, *added) if blocker not in removed]
        changes["blocked_by"] = kept
    return changes


def cmd_done(args: argparse.Namespace) -> int:
    return _set_done(args, True)


def cmd_undone(args: argparse.Namespace) -> int:
    return _set_done(args, False)


def _set_done(args: argparse.Namespace, completed: bool) -> int:
    # One change: the ids are read and every task written, or (a conflict with another
    # writer, a full disk) none of them is; one undo takes all of it back.
    with opened(args, existing=True) as store, store.one_change():
        chosen = _resolve_each(store, args.ids)
        # Each read again: marking one with its subtasks may have marked a later one,
        # all inside this one write.
        tasks: list[TaskRecord] = []
        marked_below: dict[str, int] = {}
        # A repeating task marked done: the occurrence that made (None: the series ended).
        following: dict[str, TaskRecord | None] = {}
        taken_back: set[str] = set()
        for task in chosen:
            if args.with_subtasks:
                subtree = store.subtasks(task.id, deep=True)
                marked_below[task.id] = sum(sub.completed != completed for sub in subtree)
            fresh = store.get(task.id)
            marked = store.set_completed(
                task.id,
                completed,
                expected_version=fresh.version,
                with_subtasks=args.with_subtasks,
            )
            tasks.append(marked)
            if completed and fresh.repeat is not None and not fresh.completed and not args.json:
                following[marked.id] = store.next_in_series(marked)
            elif not completed and fresh.completed and marked.repeat is not None:
                taken_back.add(marked.id)  # its next occurrence, untouched, went
        view = task_views(store, tasks) if args.json else None
        counts = store.subtask_counts([task.id for task in tasks]) if not args.json else {}
    if view is not None:
        _print_tasks_json(args, tasks, view)
        return EXIT_OK
    out = human()
    state = "done" if completed else "open"
    for before, task in zip(chosen, tasks, strict=True):
        verb = f"Marked {state}" if task.version != before.version else f"Already {state}:"
        below = marked_below.get(task.id, 0)
        more = f" (and marked {below} subtask{'s' if below != 1 else ''} {state})" if below else ""
        out.line(f"{verb} {out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}{more}")
        if task.id in following:
            out.line(f"  {_next_words(out, following[task.id], date_style(args))}")
        if task.id in taken_back:
            out.line("  it repeats again: the next occurrence its completion made was removed")
        counted = counts.get(task.id)
        other = counted.open if counted and completed else counted.done if counted else 0
        if other and not args.with_subtasks:
            word = "open" if completed else "done"
            out.line(
                f"  {other} of its subtasks {'is' if other == 1 else 'are'} still {word} "
                f"('taskflow {args.command} --with-subtasks {task.id[:SHORT_ID]}' "
                "marks them too)"
            )
    return EXIT_OK


def _next_words(out: Output, following: TaskRecord | None, style: DateStyle) -> str:
    """'next: 5e6f7a8b  Wed 9 Dec 2026, 09:00', or that the series ends."""
    if following is None:
        return "its series ends here"
    due = f"  {_full_date(following.due, style)}" if following.due is not None else ""
    return f"next: {out.paint(following.id[:SHORT_ID], Style.ID)}{due}"


def cmd_skip(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        current = _resolve_live(store, args.id)
        task = store.skip_occurrence(current.id, expected_version=current.version)
        view = task_views(store, [task]) if args.json else None
    if view is not None:
        print_json(view(task))
        return EXIT_OK
    out = human()
    today = now_local(args).date()
    named = f"{out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}"
    out.line(f"Skipped {named}")
    if task.due is not None:
        style = date_style(args)
        was = f"; it was due {_full_date(current.due, style)}" if current.due is not None else ""
        out.line(f"  now due {task.due.long(today, style=style)}{was}")
    return EXIT_OK


def cmd_rm(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store, store.one_change():
        chosen = _resolve_each(store, args.ids)
        view = task_views(store, chosen) if args.json else None
        below = {task.id: len(store.subtasks(task.id, deep=True)) for task in chosen}
        tasks: list[TaskRecord] = []
        for task in chosen:
            # Read again: deleting one before it may have taken it along (a subtask) or
            # unblocked it, all inside this one write.
            still = store.get_many([task.id])
            if still:
                tasks.append(store.delete(task.id, expected_version=still[0].version))
    if view is not None:
        _print_tasks_json(args, tasks, view)
        return EXIT_OK
    out = human()
    for task in tasks:
        subtasks = below[task.id]
        more = f" and its {subtasks} subtask{'s' if subtasks != 1 else ''}" if subtasks else ""
        out.line(f"Deleted {out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}{more}")
    total = len(tasks) + sum(below[task.id] for task in tasks)
    them = "it" if total == 1 else f"all {total}"
    out.line(f"'taskflow undo' brings {them} back.")
    return EXIT_OK


def _resolve_each(store: TaskStore, prefixes: Sequence[str]) -> list[TaskRecord]:
    """The live tasks the ids name, in the order given, every one found before anything
    is written: one unknown, ambiguous or deleted id fails the command (naming it) and
    nothing changes. A task named twice (even by two starts of its id) counts once."""
    found: dict[str, TaskRecord] = {}
    for prefix in prefixes:
        task = _resolve_live(store, prefix)
        found.setdefault(task.id, task)
    return list(found.values())


def _print_tasks_json(
    args: argparse.Namespace, tasks: Sequence[TaskRecord], view: Callable[[TaskRecord], Any]
) -> None:
    """One ID given: the task. Several: an array, even when they named one task, so
    that the shape depends only on the command a script wrote."""
    if len(args.ids) == 1:
        print_json(view(tasks[0]))
    else:
        print_json([view(task) for task in tasks])


def cmd_undo(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        result = store.skip_undo() if args.skip else store.undo()
        shown = [r.task for r in (result, *result.together) if r.task is not None]
        view = task_views(store, shown) if args.json else None
    if args.json:
        print_json(
            {
                "message": result.message,
                "undone": {"kind": result.undone.kind.value, "task_id": result.task_id},
                "task": None if result.task is None or view is None else view(result.task),
                "skipped": result.skipped,
                # The rest of a change of several tasks, taken back (or skipped) with it.
                "together": [
                    {
                        "undone": {"kind": other.undone.kind.value, "task_id": other.task_id},
                        "task": None if other.task is None or view is None else view(other.task),
                    }
                    for other in result.together
                ],
            }
        )
        return EXIT_OK
    out = human()
    out.line(visible(result.message) + ".")
    if result.skipped:
        out.line("'taskflow undo' now reaches the change before it.")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        task_id = store.resolve_any_id(args.id)
        events = store.history(task_id)
        paths = store.project_paths()
    if args.json:
        # As in an export: an undo skipped here is left out (events_json does so).
        kept = [event for event in events if not event.skipped]
        items = formats.events_json(kept, structure=True)
        for item, event in zip(items, kept, strict=True):
            item["summary"] = event.summary
        print_json(items)
        return EXIT_OK
    out = human()
    out.line(f"History of {out.paint(task_id, Style.ID)} ({zone_name()})")
    if not events:
        out.line("No changes recorded (a task adopted from an older database).")
        return EXIT_OK
    summary_width = max(len(event.summary) for event in events)
    today = now_local(args).date()
    style = date_style(args)
    at_width = local_time_width(style)
    for event in events:
        summary = event.summary.ljust(summary_width)
        detail = visible(_event_detail(event, today, paths, style))
        at = local_time(event.at, style).ljust(at_width)
        out.line(f"{at}  {summary}  {detail}".rstrip())
    return EXIT_OK


NOTES_SHOWN = 30  # columns of a description shown in history, old and new each


def _event_detail(event: EventRecord, today: date, paths: dict[str, str], style: DateStyle) -> str:
    """What changed, with the values: 'title “A” → “B”; due none → Fri 27 Nov;
    priority low → high; tags +work -home'. Other events name the task's title."""
    before, after = event.before, event.after
    if event.kind is EventKind.EDITED and before is not None and after is not None:
        changes = [
            _field_change(name, getattr(before, name), getattr(after, name), today, paths, style)
            for name in event.changed_fields
            # The summary says 'moved'; the numbers mean nothing. A place in a series
            # changes with the repeat, which says it.
            if name not in ("position", "series_id", "occurrence")
        ]
        if changes:
            return "; ".join(changes)
    seen = after or before
    return f"“{seen.title}”" if seen is not None else ""


def _field_change(
    name: str, old: Any, new: Any, today: date, paths: dict[str, str], style: DateStyle
) -> str:
    if name == "tags":
        added = [f"+{tag}" for tag in new if tag not in old]
        removed = [f"-{tag}" for tag in old if tag not in new]
        return "tags " + " ".join([*added, *removed])
    if name == "project_id":
        return f"project {_project_words(old, paths)} → {_project_words(new, paths)}"
    if name == "parent_id":
        return f"parent task {_short_or_none(old)} → {_short_or_none(new)}"
    if name == "blocked_by":
        added = [f"+{blocker[:SHORT_ID]}" for blocker in new if blocker not in old]
        removed = [f"-{blocker[:SHORT_ID]}" for blocker in old if blocker not in new]
        return "blocked by " + " ".join([*added, *removed])
    if name == "repeat":
        before, after = _repeat_words(old), _repeat_words(new)
        if before == after and old is not None and new is not None:  # counted from another day
            before += f" (from {_day_words(old.start, today)})"
            after += f" (from {_day_words(new.start, today)})"
        return f"repeat {before} → {after}"
    label = {"completed": "status"}.get(name, name)
    before, after = _field_value(name, old, today, style), _field_value(name, new, today, style)
    return f"{label} {before} → {after}"


def _repeat_words(repeat: Repeat | None) -> str:
    return "none" if repeat is None else describe(repeat)


def _short_or_none(task_id: str | None) -> str:
    return "none" if task_id is None else task_id[:SHORT_ID]


def _project_words(project_id: str | None, paths: dict[str, str]) -> str:
    if project_id is None:
        return "Inbox"
    return paths.get(project_id, "a deleted project")


def _field_value(name: str, value: Any, today: date, style: DateStyle) -> str:
    if name == "title":
        return f"“{value}”"
    if name == "description":
        return f"“{clip(' '.join(value.split()), NOTES_SHOWN)}”" if value else "none"
    if name == "completed":
        return "done" if value else "open"
    if name == "due":
        return _due_words(value, today, style)
    if name == "priority":
        return Priority(value).label
    return str(value)


def _due_words(due: Due | None, today: date, style: DateStyle) -> str:
    """'none', 'Fri 27 Nov', 'Fri 27 Nov 09:00', 'Mon 4 Jan 2027': a record, so
    absolute, with the year when it is not this year; the time as ``style`` writes it."""
    if due is None:
        return "none"
    text = f"{due.day:%a} {due.day.day} {due.day:%b}"
    if due.day.year != today.year:
        text += f" {due.day.year}"
    return text + (f" {style.time(due.at)}" if due.at is not None else "")
