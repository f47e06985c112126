"""The commands on tasks: add, show, edit, done, undone, rm, undo, history."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from store import (
    Due,
    EventKind,
    EventRecord,
    NotFoundError,
    Priority,
    TaskRecord,
    TaskStore,
    ValidationError,
    clean_tag,
    clean_tags,
    formats,
    parse_due,
    parse_quick_add,
)
from tui.cli.output import (
    EXIT_OK,
    EXIT_USAGE,
    SHORT_ID,
    Output,
    Style,
    fail,
    human,
    local_time,
    print_json,
    zone_name,
)
from tui.cli.store_access import now_local, opened, read_text_argument, task_views
from tui.text import clip, visible


def cmd_add(args: argparse.Namespace) -> int:
    description = read_text_argument(args.description) or ""
    now = now_local(args)
    title, planned = _understood(args, " ".join(args.title), now)
    assert title is not None  # a title was given, so one was understood
    tags = planned.pop("tags", ())
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
    summary = _planning_summary(task, now.date(), paths, new_project)
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
    that cannot be read."""
    changes: dict[str, Any] = {}
    title = None
    quick_tags: tuple[str, ...] = ()
    quick_project: str | None = None
    if text is not None and _NOT_ONE_LINE.search(text):
        title = text  # a line break or a tab: the store refuses it in its own words
    elif text is not None:
        quick = parse_quick_add(text, now)
        title, quick_tags, quick_project = quick.title, quick.tags, quick.project
        if quick.due is not None:
            changes["due"] = quick.due
        if quick.priority is not None:
            changes["priority"] = quick.priority
    if args.due is not None:
        try:
            changes["due"] = parse_due(args.due, now)
        except ValueError as error:
            raise ValidationError("due", str(error)) from None
    if getattr(args, "no_due", False):
        changes["due"] = None
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


def _planning_summary(
    task: TaskRecord, today: date, paths: dict[str, str], new_project: bool = False
) -> str:
    """'in Home (new project) · due Sat 21 Nov 2026, 09:00 (tomorrow) · !!! high ·
    #bills #home', or ''."""
    parts = []
    if task.project_id is not None:
        new = " (new project)" if new_project else ""
        parts.append(f"in {visible(paths.get(task.project_id, '?'))}{new}")
    if task.due is not None:
        parts.append(f"due {task.due.long(today)}")
    if task.priority is not Priority.NONE:
        parts.append(f"{task.priority.marks} {task.priority.label}")
    if task.tags:
        parts.append(visible(" ".join(f"#{tag}" for tag in task.tags)))
    return " · ".join(parts)


def cmd_show(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        task = _resolve_live(store, args.id)
        paths = store.project_paths()
        view = task_views(store, [task], paths)
        structure = _structure_rows(store, task)
    if args.json:
        print_json(view(task))
        return EXIT_OK
    out = human()
    if task.unreadable:
        _show_unreadable(out, task)
        return EXIT_OK
    done = out.paint("done", Style.DONE) if task.completed else "open"
    today = now_local(args).date()
    rows = [
        ("Id", out.paint(task.id, Style.ID)),
        ("Title", out.paint(visible(task.title), Style.BOLD)),
        ("Status", done),
        ("Due", task.due.long(today) if task.due is not None else "none"),
        (
            "Priority",
            f"{task.priority.marks} {task.priority.label}".strip(),
        ),
        ("Tags", visible(" ".join(f"#{tag}" for tag in task.tags)) if task.tags else "none"),
        ("Project", visible(paths.get(task.project_id, "?")) if task.project_id else "Inbox"),
        *structure,
        ("Created", f"{local_time(task.created_at)} ({zone_name()})"),
        ("Updated", f"{local_time(task.updated_at)} ({zone_name()})"),
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
}


def cmd_edit(args: argparse.Namespace) -> int:
    if all(getattr(args, name) in (None, False, []) for name in _EDIT_OPTIONS):
        return fail(
            "give at least one of --title, --description, --due, --no-due, --priority, "
            "--tag, --untag, --project, --no-project, --parent, --no-parent, --blocked-by, "
            "--unblock (see 'taskflow edit --help')",
            EXIT_USAGE,
        )
    description = read_text_argument(args.description)
    now = now_local(args)
    with opened(args, existing=True) as store, store.one_change():
        current = _resolve_live(store, args.id)
        title, changes = _understood(args, args.title, now, current=current)
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
        )
        if getattr(current, name) != getattr(task, name)
    ]
    words = [_FIELD_WORDS.get(name, name) for name in changed]
    listed = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
    what = f"Edited {listed} of" if changed else "Nothing to change in"
    out.line(f"{what} {out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}")
    if {"due", "priority", "tags", "project_id"} & set(changed):
        summary = _planning_summary(task, now.date(), paths, new_project)
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
        for task in chosen:
            if args.with_subtasks:
                subtree = store.subtasks(task.id, deep=True)
                marked_below[task.id] = sum(sub.completed != completed for sub in subtree)
            fresh = store.get(task.id)
            tasks.append(
                store.set_completed(
                    task.id,
                    completed,
                    expected_version=fresh.version,
                    with_subtasks=args.with_subtasks,
                )
            )
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
    for event in events:
        summary = event.summary.ljust(summary_width)
        detail = visible(_event_detail(event, today, paths))
        out.line(f"{local_time(event.at)}  {summary}  {detail}".rstrip())
    return EXIT_OK


NOTES_SHOWN = 30  # columns of a description shown in history, old and new each


def _event_detail(event: EventRecord, today: date, paths: dict[str, str]) -> str:
    """What changed, with the values: 'title “A” → “B”; due none → Fri 27 Nov;
    priority low → high; tags +work -home'. Other events name the task's title."""
    before, after = event.before, event.after
    if event.kind is EventKind.EDITED and before is not None and after is not None:
        changes = [
            _field_change(name, getattr(before, name), getattr(after, name), today, paths)
            for name in event.changed_fields
            if name != "position"  # the summary says 'moved'; the numbers mean nothing
        ]
        if changes:
            return "; ".join(changes)
    seen = after or before
    return f"“{seen.title}”" if seen is not None else ""


def _field_change(name: str, old: Any, new: Any, today: date, paths: dict[str, str]) -> str:
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
    label = {"completed": "status"}.get(name, name)
    return f"{label} {_field_value(name, old, today)} → {_field_value(name, new, today)}"


def _short_or_none(task_id: str | None) -> str:
    return "none" if task_id is None else task_id[:SHORT_ID]


def _project_words(project_id: str | None, paths: dict[str, str]) -> str:
    if project_id is None:
        return "Inbox"
    return paths.get(project_id, "a deleted project")


def _field_value(name: str, value: Any, today: date) -> str:
    if name == "title":
        return f"“{value}”"
    if name == "description":
        return f"“{clip(' '.join(value.split()), NOTES_SHOWN)}”" if value else "none"
    if name == "completed":
        return "done" if value else "open"
    if name == "due":
        return _due_words(value, today)
    if name == "priority":
        return Priority(value).label
    return str(value)


def _due_words(due: Due | None, today: date) -> str:
    """'none', 'Fri 27 Nov', 'Fri 27 Nov 09:00', 'Mon 4 Jan 2027': a record, so
    absolute, with the year when it is not this year."""
    if due is None:
        return "none"
    text = f"{due.day:%a} {due.day.day} {due.day:%b}"
    if due.day.year != today.year:
        text += f" {due.day.year}"
    return text + (f" {due.at:%H:%M}" if due.at is not None else "")
