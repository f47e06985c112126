"""taskflow list: the rows, their columns, the header and the count."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from store import (
    Sort,
    Status,
    TaskQuery,
    TaskRecord,
    TaskStore,
    ValidationError,
    clean_tag,
    day_heading,
    due_label,
)
from tui.cli.output import (
    EXIT_OK,
    EXIT_USAGE,
    REPEATS,
    SHORT_ID,
    Style,
    fail,
    human,
    local_time,
    print_json,
)
from tui.cli.settings_access import date_style, list_columns, list_sort
from tui.cli.store_access import now_local, opened, task_views
from tui.text import clip, display_width, visible

UPCOMING_DAYS = 7  # list --upcoming: today and the six days after it, as the app's view


def cmd_list(args: argparse.Namespace) -> int:
    status = Status.ALL if args.all else Status.DONE if args.done else Status.OPEN
    now = now_local(args)
    today = now.date()
    by_due = args.today or args.upcoming or args.overdue
    due_until = None
    if args.today or args.overdue:
        due_until = today
    elif args.upcoming:
        due_until = today + timedelta(days=UPCOMING_DAYS - 1)
    try:
        tag = clean_tag(args.tag) if args.tag is not None else None
    except ValueError as error:
        raise ValidationError("tag", str(error)) from None
    if args.tree and args.sort and args.sort != Sort.MANUAL.value:
        return fail("--tree lists in your own order: leave out --sort", EXIT_USAGE)
    # Without --sort: due for the views by date, else the config file's cli.list_sort.
    sort = Sort(args.sort) if args.sort else Sort.DUE if by_due else Sort(list_sort(args))
    if args.tree:
        sort = Sort.MANUAL
    query = TaskQuery(
        status=status,
        search=args.search,
        sort=sort,
        due_until=due_until,
        tag=tag,
        ready=args.ready,
    )
    with opened(args, existing=True) as store:
        paths = store.project_paths()
        place = None
        if args.project is not None:
            place = _project_place(store, args.project)
            query = replace(query, projects=place[1])
        tasks = store.list_tasks(query)
        if args.overdue:
            # Today's tasks whose time has passed are overdue too: finer than a day.
            tasks = [task for task in tasks if task.due is not None and task.due.is_overdue(now)]
        width = store.unique_prefix_length(SHORT_ID) if tasks and not args.json else SHORT_ID
        if args.json:
            view = task_views(store, tasks, paths)
            print_json([view(task) for task in tasks])
            return EXIT_OK
        counts = store.subtask_counts([task.id for task in tasks])
    depths: dict[str, int] = {}
    if args.tree:
        tasks, depths = as_tree(tasks)
    where = place[0] if place is not None else None
    out = human()
    if not tasks:
        out.line(_listed(args, status, tag, 0, where))
        return EXIT_OK
    style = date_style(args)
    shown = set(list_columns(args))
    headings = _day_headings(tasks, now) if args.upcoming and sort is Sort.DUE else {}
    columns = out.width()
    id_width = width if "id" in shown else 0
    pri_width = max(len(task.priority.marks) for task in tasks) if "priority" in shown else 0
    labels = [
        due_label(task.due, now, style=style) if task.due is not None and "due" in shown else ""
        for task in tasks
    ]
    due_width = max(len(label) for label in labels)
    created = [local_time(task.created_at, style) if not task.unreadable else "?" for task in tasks]
    # As narrow as its values (a 12-hour time is 16 to 18 wide), as the other columns.
    created_width = max(len(text) for text in created) if "created" in shown else 0
    if out.is_terminal:
        # Room for the column names; in a pipe the columns stay as narrow as their values.
        pri_width = max(pri_width, len(_HEADER_PRIORITY)) if pri_width else 0
        due_width = max(due_width, len(_HEADER_DUE)) if due_width else 0
        header = _list_header(id_width, pri_width, due_width, created_width)
        out.line(out.paint(clip(header, columns) if columns else header, Style.BOLD))
    # ↻ after the title of a task that repeats, as the app marks it.
    repeats = out.symbol(REPEATS, "(repeats)")
    rows: list[str] = []
    for task, label, when in zip(tasks, labels, created, strict=True):
        if task.id in headings:
            rows.append(out.paint(headings[task.id], Style.HEADING))
        mark = out.paint("[x]", Style.DONE) if task.completed else "[ ]"
        if task.unreadable:
            mark = out.paint("[?]", Style.BAD)
        cells = [out.paint(task.id[:width].ljust(width), Style.ID)] if id_width else []
        cells.append(mark)
        if pri_width:
            cells.append(out.paint(task.priority.marks.ljust(pri_width), Style.WARN))
        if due_width:
            late = task.due is not None and not task.completed and task.due.is_overdue(now)
            cells.append(out.paint(label.rjust(due_width), Style.BAD if late else Style.DIM))
        if created_width:
            # A row that cannot be read is listed all the same, its id and why, never a
            # traceback that hides the others; its placeholder times are not shown.
            cells.append(when.ljust(created_width))
        title = visible(task.title) if not task.unreadable else _unreadable_title(task)
        title = TREE_INDENT * depths.get(task.id, 0) + title
        if task.repeat is not None:
            title += f" {repeats}"
        counted = counts.get(task.id)
        if counted is not None:
            title += f"  [{counted.done}/{counted.total}]"
        if task.blocked:
            title += "  (blocked)"
        tags = ""
        if "tags" in shown:
            tags = visible(" ".join(f"#{tag}" for tag in task.tags))
            if task.project_id is not None:
                # As quick add writes it: '+Work/Q4' reads back as the same project.
                project = visible("+" + paths.get(task.project_id, "?"))
                tags = f"{project} {tags}" if tags else project
        if columns is not None:
            used = sum(cell + 2 for cell in (id_width, pri_width, due_width, created_width) if cell)
            room = columns - used - 3 - 2
            title = clip(title, room)
            tags = clip(tags, room - display_width(title) - 2) if tags else ""
        if task.completed:
            title = out.paint(title, Style.DIM)
        cells.append(title + (f"  {out.paint(tags, Style.DIM)}" if tags else ""))
        rows.append("  ".join(cells))
    out.lines(rows)
    if out.is_terminal:
        out.line(out.paint(_listed(args, status, tag, len(tasks), where), Style.DIM))
    return EXIT_OK


_HEADER_PRIORITY = "Pri"
_HEADER_DUE = "Due"


def _unreadable_title(task: TaskRecord) -> str:
    """What list shows for a stored row that cannot be read: what title it has, and why."""
    title = f"{task.title} " if task.title else ""
    return visible(f"{title}(cannot be read: {task.unreadable})")


def _list_header(id_width: int, pri_width: int, due_width: int, created_width: int) -> str:
    """The column names over list's rows, aligned as the rows are (see cmd_list); a
    width of 0 is a column not shown."""
    cells = ["Id".ljust(id_width)] if id_width else []
    cells.append("   ")  # the [ ]/[x] column needs no name
    if pri_width:
        cells.append(_HEADER_PRIORITY.ljust(pri_width))
    if due_width:
        cells.append(_HEADER_DUE.rjust(due_width))
    if created_width:
        cells.append("Created".ljust(created_width))
    cells.append("Title")
    return "  ".join(cells)


TREE_INDENT = "  "  # per level of subtasks in list --tree


def as_tree(tasks: Sequence[TaskRecord]) -> tuple[list[TaskRecord], dict[str, int]]:
    """The tasks with each one's subtasks right after it (in the order given), and how
    deep each is. A task whose parent is not among them (done, say, when open tasks
    are listed) starts a tree of its own."""
    listed = {task.id for task in tasks}
    children: dict[str | None, list[TaskRecord]] = {}
    for task in tasks:
        parent = task.parent_id if task.parent_id in listed else None
        children.setdefault(parent, []).append(task)
    ordered: list[TaskRecord] = []
    depths: dict[str, int] = {}
    stack = [(task, 0) for task in reversed(children.get(None, []))]
    while stack:
        task, depth = stack.pop()
        if task.id in depths:
            continue
        ordered.append(task)
        depths[task.id] = depth
        stack.extend((child, depth + 1) for child in reversed(children.get(task.id, [])))
    return ordered, depths


def _project_place(store: TaskStore, path: str) -> tuple[str, frozenset[str | None]]:
    """What ``list --project PATH`` lists: its words ('in Work', 'in the Inbox') and
    the projects of the tasks it shows (the project and those under it)."""
    if not path.strip():
        return "in the Inbox", frozenset({None})
    project = store.project(path)
    return f"in {project.path}", frozenset(store.project_scope(project.id))


def _listed(
    args: argparse.Namespace, status: Status, tag: str | None, count: int, where: str | None
) -> str:
    """What was listed, filters and all: 'No open tasks.', '3 done tasks tagged #work.',
    '1 open task in Work due today or overdue matching 'milk'.'"""
    noun = {Status.ALL: "task", Status.DONE: "done task", Status.OPEN: "open task"}[status]
    what = f"{count if count else 'No'} {noun}{'' if count == 1 else 's'}"
    if where is not None:
        what += f" {visible(where)}"
    if args.today:
        what += " due today or overdue"
    elif args.upcoming:
        what += f" due in the next {UPCOMING_DAYS} days or overdue"
    elif args.overdue:
        what += " overdue"
    if tag is not None:
        what += f" tagged #{visible(tag)}"
    return what + (f" matching {visible(args.search)!r}." if args.search else ".")


def _day_headings(tasks: Sequence[TaskRecord], now: datetime) -> dict[str, str]:
    """The heading to print before a task where a new day starts, as the app's
    Upcoming view groups them: 'Overdue', 'Today · Fri 20 Nov', 'Mon 23 Nov'.

    Overdue is what ``list --overdue`` lists, today's times already past included
    (``now`` in local time); in the due order those tasks all come first."""
    today = now.date()
    headings: dict[str, str] = {}
    last: str | None = None
    for task in tasks:
        if task.due is None:
            continue
        overdue = task.due.is_overdue(now)
        heading = "Overdue" if overdue else day_heading(task.due.day, today)
        if heading != last:
            headings[task.id] = heading
            last = heading
    return headings
