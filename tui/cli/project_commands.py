"""The commands on projects: projects (the tree), project add, rename, move and rm."""

from __future__ import annotations

import argparse

from store import PATH_SEPARATOR, ProjectRecord, formats
from tui.cli.output import EXIT_OK, Output, Style, human, print_json
from tui.cli.store_access import opened
from tui.text import clip, display_width, visible

INDENT = "  "  # per level of the tree


def cmd_projects(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        projects = store.projects()
        inbox = store.inbox_counts()
    if args.json:
        print_json([formats.project_json(project) for project in projects])
        return EXIT_OK
    out = human()
    rows = [("Inbox", inbox.open, inbox.done, Style.BOLD)]
    rows += [(INDENT * p.depth + p.name, p.open, p.done, "") for p in projects]
    columns = out.width()
    widest = max(display_width(visible(name)) for name, *_ in rows)
    name_width = min(widest, columns - 14) if columns else widest
    name_width = max(name_width, len("Project"))
    if out.is_terminal:
        out.line(out.paint(f"{'Project'.ljust(name_width)}  {'Open':>4}  {'Done':>4}", Style.BOLD))
    lines = []
    for name, opened_count, done, style in rows:
        shown = clip(visible(name), name_width)
        padded = shown + " " * (name_width - display_width(shown))
        lines.append(
            f"{out.paint(padded, style) if style else padded}  {opened_count:>4}  {done:>4}"
        )
    out.lines(lines)
    if not projects:
        out.line(
            out.paint(
                "No projects yet: 'taskflow project add Work' makes one, and so does "
                "+Work in a new task's title.",
                Style.DIM,
            )
        )
    return EXIT_OK


def cmd_project_add(args: argparse.Namespace) -> int:
    with opened(args) as store:
        project = store.create_project(args.path)
    return _report(args, project, f"Made project {_named(human(), project.path)}")


def cmd_project_rename(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        before = store.project(args.path)
        project = store.rename_project(before.id, args.name)
    out = human()
    if project.version == before.version:
        return _report(args, project, f"Project {_named(out, project.path)} already has that name")
    words = f"Renamed project {_named(out, before.path)} to {_named(out, project.path)}"
    return _report(args, project, words)


def cmd_project_move(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        before = store.project(args.path)
        top = args.to.strip() in ("", PATH_SEPARATOR)
        parent_id = None if top else store.project(args.to).id
        project = store.move_project(before.id, parent_id)
    out = human()
    if project.version == before.version:
        where = "at the top" if top else f"in {_named(out, args.to.strip())}"
        return _report(args, project, f"Project {_named(out, project.path)} is already {where}")
    words = f"Moved project {_named(out, before.path)} to {_named(out, project.path)}"
    return _report(args, project, words)


def cmd_project_rm(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        project = store.project(args.path)
        parent = store.project_by_id(project.parent_id) if project.parent_id else None
        removal = store.delete_project(project.id, with_tasks=args.with_tasks)
    if args.json:
        print_json(
            {
                "project": formats.project_json(removal.project),
                "tasks": removal.tasks,
                "projects": removal.projects,
                "moved_to": None if not removal.moved else parent.path if parent else "",
            }
        )
        return EXIT_OK
    out = human()
    what = _counted(removal.tasks, "task", removal.projects, "project")
    if removal.moved:
        if parent is not None:
            where = f"up to {_named(out, parent.path)}"
        elif removal.projects and removal.tasks:
            where = "to the Inbox and the top level"
        elif removal.projects:
            where = "to the top level"
        else:
            where = "to the Inbox"
        held = f"; its {what} moved {where}" if what else ""
    else:
        held = f" with its {what} under it" if what else ""
    out.line(f"Deleted project {_named(out, project.path)}{held}  ('taskflow undo' brings it back)")
    return EXIT_OK


def _counted(tasks: int, task_noun: str, projects: int, project_noun: str) -> str:
    """'3 tasks and 1 project', '1 task', '' (nothing)."""
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((tasks, task_noun), (projects, project_noun))
        if count
    ]
    return " and ".join(parts)


def _named(out: Output, path: str) -> str:
    return out.paint(visible(path), Style.BOLD)


def _report(args: argparse.Namespace, project: ProjectRecord, words: str) -> int:
    if args.json:
        print_json(formats.project_json(project))
        return EXIT_OK
    human().line(words + ".")
    return EXIT_OK
