"""The argument parser: every command, its options, and its help (texts in tui.cli.help)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from store import DB_ENV_VAR, LATEST_VERSION, USER_ENV_VAR, Sort, formats
from tui.cli.help import (
    ADD_HELP,
    BACKUP_HELP,
    CONFIG_EDIT_HELP,
    CONFIG_HELP,
    CONFIG_PATH_HELP,
    CONFIG_SHOW_HELP,
    DB_HELP,
    EDIT_HELP,
    EXPORT_HELP,
    HISTORY_HELP,
    IMPORT_HELP,
    LIST_HELP,
    MAIN_EPILOG,
    MIGRATE_HELP,
    PROJECT_MOVE_HELP,
    PROJECT_RM_HELP,
    PROJECTS_HELP,
    SHOW_HELP,
    SKIP_HELP,
    SYNC_HELP,
    UNDO_HELP,
    ids_help,
)
from tui.cli.list_command import UPCOMING_DAYS
from tui.cli.output import EXIT_OK, EXIT_USAGE
from tui.cli.settings_access import CONFIG_ENV_VAR


@dataclass(frozen=True)
class Command:
    """A command's function, imported when the command runs: `taskflow add` loads add's
    module, not the file formats export and import need or the database commands."""

    module: str  # in tui.cli
    function: str

    def __call__(self, args: argparse.Namespace) -> int:
        handler: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module(f"tui.cli.{self.module}"), self.function
        )
        return handler(args)


def package_version() -> str:
    # Imported here: reading package metadata costs more than the rest of a scripted
    # command's start, and only --version needs it.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("taskflow")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


class VersionAction(argparse.Action):
    """--version, looking the version up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"taskflow {package_version()}")
        parser.exit(EXIT_OK)


# -- the parser -----------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line, as every other failure is."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"taskflow: {message} (see '{self.prog} --help')\n")


def build_parser() -> Parser:
    parser = Parser(
        prog="taskflow",
        description="A keyboard-driven task manager for the terminal. "
        "Without a command, opens the full-screen app (in a terminal); with one, scripts it.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_global_options(parser)
    parser.add_argument("--version", action=VersionAction)
    parser.set_defaults(handler=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    add = _command(commands, "add", Command("task_commands", "cmd_add"), "add a task", ADD_HELP)
    add.add_argument(
        "title",
        nargs="+",
        metavar="TITLE",
        help="the title, with any due date, !priority and #tags in it (words are joined)",
    )
    add.add_argument(
        "-d", "--description", metavar="TEXT", help="notes (Markdown); '-' reads standard input"
    )
    _planning_options(add)
    _repeat_options(add)
    add.add_argument(
        "--project",
        metavar="PATH",
        help="put it in this project ('Work/Q4'; made if there is none yet); wins over +Work",
    )
    _structure_options(add)
    _json_option(add, "print the new task as JSON")

    listing = _command(
        commands,
        "list",
        Command("list_command", "cmd_list"),
        "list tasks (open ones unless told)",
        LIST_HELP,
    )
    which = listing.add_mutually_exclusive_group()
    which.add_argument("-a", "--all", action="store_true", help="open and done tasks")
    which.add_argument("--done", action="store_true", help="only done tasks")
    when = listing.add_mutually_exclusive_group()
    when.add_argument("--today", action="store_true", help="only tasks due today, and overdue")
    when.add_argument(
        "--upcoming",
        action="store_true",
        help=f"only tasks due in the next {UPCOMING_DAYS} days (and overdue), by day",
    )
    when.add_argument(
        "--overdue", action="store_true", help="only tasks past their due date (or time)"
    )
    listing.add_argument("--tag", metavar="TAG", help="only tasks with this tag (any case)")
    listing.add_argument(
        "--project",
        metavar="PATH",
        help="only tasks in this project and the projects under it ('' for the Inbox)",
    )
    listing.add_argument("--ready", action="store_true", help="only tasks no open task blocks")
    listing.add_argument(
        "--tree",
        action="store_true",
        help="subtasks indented under their parent task, in your own order",
    )
    listing.add_argument(
        "-s", "--search", metavar="TEXT", default="", help="only tasks with every word of TEXT"
    )
    listing.add_argument(
        "--sort",
        choices=[sort.value for sort in Sort],
        help="order (default: the config file's cli.list_sort, else created, oldest first; "
        "due with --today, --upcoming, --overdue)",
    )
    _json_option(listing, "print a JSON array of tasks")

    show = _command(
        commands, "show", Command("task_commands", "cmd_show"), "show one task in full", SHOW_HELP
    )
    _id_argument(show)
    _json_option(show, "print the task as JSON")

    edit = _command(
        commands, "edit", Command("task_commands", "cmd_edit"), "change a task", EDIT_HELP
    )
    _id_argument(edit)
    edit.add_argument(
        "-t",
        "--title",
        metavar="TEXT",
        help="the new title, with any due date, !priority and #tags in it",
    )
    edit.add_argument(
        "-d",
        "--description",
        metavar="TEXT",
        help="the new description ('' clears it; '-' reads standard input)",
    )
    _planning_options(edit, editing=True)
    _repeat_options(edit, editing=True)
    where = edit.add_mutually_exclusive_group()
    where.add_argument(
        "--project", metavar="PATH", help="move it to this project (made if there is none yet)"
    )
    where.add_argument(
        "--no-project", action="store_true", help="take it out of its project (to the Inbox)"
    )
    _structure_options(edit, editing=True)
    _json_option(edit, "print the task as JSON")

    for name, handler, summary in (
        ("done", Command("task_commands", "cmd_done"), "mark tasks done"),
        ("undone", Command("task_commands", "cmd_undone"), "mark tasks open again"),
        ("rm", Command("task_commands", "cmd_rm"), "delete tasks (taskflow undo brings them back)"),
    ):
        sub = _command(commands, name, handler, summary, ids_help(name))
        sub.add_argument(
            "ids", nargs="+", metavar="ID", help="tasks: an id or any unique start of one each"
        )
        if name in ("done", "undone"):
            sub.add_argument(
                "--with-subtasks",
                action="store_true",
                help=f"mark every task under each one {name} too (default: only the task)",
            )
        _json_option(sub, "print the task as JSON; with several ids, an array of them")

    skip = _command(
        commands,
        "skip",
        Command("task_commands", "cmd_skip"),
        "move a repeating task on to its next date without doing it",
        SKIP_HELP,
    )
    _id_argument(skip)
    _json_option(skip, "print the task as JSON")

    undo = _command(
        commands,
        "undo",
        Command("task_commands", "cmd_undo"),
        "undo your most recent change",
        UNDO_HELP,
    )
    undo.add_argument(
        "--skip",
        action="store_true",
        help="pass over your most recent change without undoing it (one that cannot be undone)",
    )
    _json_option(undo, "print what was undone as JSON")

    history = _command(
        commands,
        "history",
        Command("task_commands", "cmd_history"),
        "a task's changes",
        HISTORY_HELP,
    )
    _id_argument(history, deleted_too=True)
    _json_option(history, "print a JSON array of events")

    projects = _command(
        commands,
        "projects",
        Command("project_commands", "cmd_projects"),
        "list the projects, with their open and done tasks",
        PROJECTS_HELP,
    )
    _json_option(projects, "print a JSON array of projects")
    _project_commands(commands)

    export = _command(
        commands,
        "export",
        Command("transfer_commands", "cmd_export"),
        "write tasks to a file",
        EXPORT_HELP,
    )
    export.add_argument(
        "-f",
        "--format",
        choices=[f.value for f in formats.EXPORT_FORMATS],
        help="file format (default: from the -o extension, else json)",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE, atomically (default: stdout)"
    )
    export.add_argument(
        "--events", action="store_true", help="json only: include each task's history"
    )
    export.add_argument(
        "--project",
        metavar="PATH",
        help="only tasks in this project and the projects under it ('' for the Inbox)",
    )

    importer = _command(
        commands,
        "import",
        Command("transfer_commands", "cmd_import"),
        "read tasks from a file",
        IMPORT_HELP,
    )
    importer.add_argument("file", metavar="FILE", help="the file to read; '-' reads stdin")
    importer.add_argument(
        "-f",
        "--format",
        choices=[f.value for f in formats.IMPORT_FORMATS],
        help="file format (default: from the extension and contents)",
    )
    importer.add_argument(
        "-n", "--dry-run", action="store_true", help="check and report, write nothing"
    )
    _json_option(importer, "print the outcome as JSON")

    sync = _command(
        commands,
        "sync",
        Command("sync_commands", "cmd_sync"),
        "sync with CalDAV task lists (Nextcloud, Fastmail, iCloud, Radicale...)",
        SYNC_HELP,
    )
    _json_option(sync, "print what was done as JSON")
    sync_commands = sync.add_subparsers(
        title="sync commands", metavar="SYNC_COMMAND", dest="sync_command", required=False
    )
    setup = _command(
        sync_commands,
        "setup",
        Command("sync_commands", "cmd_sync_setup"),
        "check a CalDAV account and link its task lists to projects",
    )
    setup.add_argument("url", metavar="URL", help="the server's CalDAV address")
    setup.add_argument("--username", required=True, metavar="NAME", help="the account's user")
    setup.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else TASKFLOW_SYNC_PASSWORD, else a prompt)",
    )
    setup.add_argument(
        "--inbox",
        default="Inbox",
        metavar="LIST",
        help="the server list the Inbox syncs with (default: Inbox; made if missing)",
    )
    sync_status = _command(
        sync_commands,
        "status",
        Command("sync_commands", "cmd_sync_status"),
        "the accounts, their lists, the last sync",
    )
    _json_option(sync_status, "print the status as JSON")
    forget = _command(
        sync_commands,
        "forget",
        Command("sync_commands", "cmd_sync_forget"),
        "stop syncing an account (its tasks stay) and drop its password",
    )
    forget.add_argument("account", metavar="ACCOUNT", help="its URL or user name")

    db = _command(commands, "db", None, "look after the database file", DB_HELP)
    db_commands = db.add_subparsers(
        title="database commands", metavar="DB_COMMAND", dest="db_command", required=True
    )
    status = _command(
        db_commands,
        "status",
        Command("db_commands", "cmd_db_status"),
        "where it is, versions, sizes",
    )
    _json_option(status, "print the status as JSON")
    migrate = _command(
        db_commands,
        "migrate",
        Command("db_commands", "cmd_db_migrate"),
        "change the schema version",
        MIGRATE_HELP,
    )
    migrate.add_argument(
        "--to",
        type=int,
        metavar="N",
        help=f"target version, up or down (default: the latest, {LATEST_VERSION})",
    )
    migrate.add_argument(
        "--yes",
        action="store_true",
        help="go down even where that drops data, without asking (what is dropped is "
        "printed); without it a terminal is asked, a script refused",
    )
    _json_option(migrate, "print the outcome as JSON")
    check = _command(
        db_commands, "check", Command("db_commands", "cmd_db_check"), "health and integrity check"
    )
    _json_option(check, "print the report as JSON")
    backup = _command(
        db_commands,
        "backup",
        Command("db_commands", "cmd_db_backup"),
        "copy the live database",
        BACKUP_HELP,
    )
    backup.add_argument("path", nargs="?", metavar="PATH", help="where (a file or a folder)")
    _json_option(backup, "print the outcome as JSON")
    _config_commands(commands)
    return parser


def _config_commands(commands: Any) -> None:
    """taskflow config path|show|edit."""
    config = _command(
        commands, "config", None, "the config file: where, what it says, edit it", CONFIG_HELP
    )
    actions = config.add_subparsers(
        title="config commands", metavar="CONFIG_COMMAND", dest="config_command", required=True
    )
    _command(
        actions,
        "path",
        Command("config_commands", "cmd_config_path"),
        "print where the config file is (whether or not it exists)",
        CONFIG_PATH_HELP,
    )
    show = _command(
        actions,
        "show",
        Command("config_commands", "cmd_config_show"),
        "every setting's value and where it came from",
        CONFIG_SHOW_HELP,
    )
    _json_option(show, "print the settings as JSON")
    _command(
        actions,
        "edit",
        Command("config_commands", "cmd_config_edit"),
        "open the config file in your editor, then check it",
        CONFIG_EDIT_HELP,
    )


def _project_commands(commands: Any) -> None:
    """taskflow project add|rename|move|rm."""
    project = _command(commands, "project", None, "make, rename, move or delete a project")
    actions = project.add_subparsers(
        title="project commands", metavar="PROJECT_COMMAND", dest="project_command", required=True
    )
    made = _command(
        actions,
        "add",
        Command("project_commands", "cmd_project_add"),
        "make a project (and any level above it that is missing)",
    )
    made.add_argument("path", metavar="PATH", help="its path: 'Work' or 'Work/Q4'")
    _json_option(made, "print the project as JSON")
    rename = _command(
        actions,
        "rename",
        Command("project_commands", "cmd_project_rename"),
        "give a project a new name (what it holds stays in it)",
    )
    rename.add_argument("path", metavar="PATH", help="the project: 'Work/Q4'")
    rename.add_argument("name", metavar="NAME", help="its new name (one level: no '/')")
    _json_option(rename, "print the project as JSON")
    move = _command(
        actions,
        "move",
        Command("project_commands", "cmd_project_move"),
        "put a project, with all it holds, under another one",
        PROJECT_MOVE_HELP,
    )
    move.add_argument("path", metavar="PATH", help="the project: 'Work/Launch'")
    move.add_argument("to", metavar="TO", help="the project to go under ('' for the top level)")
    _json_option(move, "print the project as JSON")
    remove = _command(
        actions,
        "rm",
        Command("project_commands", "cmd_project_rm"),
        "delete a project (taskflow undo brings it back)",
        PROJECT_RM_HELP,
    )
    remove.add_argument("path", metavar="PATH", help="the project: 'Work/Q4'")
    remove.add_argument(
        "--with-tasks",
        action="store_true",
        help="delete its tasks and every project under it too (default: they move up a level)",
    )
    _json_option(remove, "print what was deleted as JSON")


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """--db, --user and --config, accepted before or after a command.

    On a command's own parser they default to SUPPRESS, so that a value given before
    the command is not overwritten by the command parser's default.
    """
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help=f"database file or sqlite:/// URL (default: ${DB_ENV_VAR}, the config file's "
        "database, or the user data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=f"owner of the tasks (default: ${USER_ENV_VAR}, the config file's user, "
        "or your login name)",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help=f"the config file (default: ${CONFIG_ENV_VAR}, else "
        "~/.config/taskflow/config.toml); see 'taskflow config --help'",
    )


def _command(
    commands: Any,
    name: str,
    handler: Command | None,
    summary: str,
    epilog: str | None = None,
) -> Parser:
    sub: Parser = commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_global_options(sub, suppress=True)
    if handler is not None:
        sub.set_defaults(handler=handler)
    return sub


def _id_argument(parser: argparse.ArgumentParser, *, deleted_too: bool = False) -> None:
    which = "a task, live or deleted" if deleted_too else "a task"
    parser.add_argument("id", metavar="ID", help=f"{which}: its id or any unique start of it")


def _planning_options(parser: argparse.ArgumentParser, *, editing: bool = False) -> None:
    """--due, --priority and --tag (and for edit --no-due and --untag).

    Values are checked by the command, not by argparse: a date or priority that
    cannot be read is invalid input (exit 1), like a bad title, not wrong usage.
    """
    group = parser.add_argument_group(
        "due date, priority and tags (--due and --priority win over the title's words)"
    )
    due = group.add_mutually_exclusive_group() if editing else group
    due.add_argument(
        "--due",
        metavar="TEXT",
        help="in plain words: 'tomorrow 9am', 'fri', 'in 3 days', '2026-12-01'"
        + (" ('none' removes it)" if editing else ""),
    )
    if editing:
        due.add_argument("--no-due", action="store_true", help="remove the due date")
    group.add_argument(
        "-p",
        "--priority",
        metavar="LEVEL",
        help="none, low, medium or high (also l, m, h; or 3, 2, 1 with 1 the highest; 0 none)",
    )
    group.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="add a tag (repeat for more)"
    )
    if editing:
        group.add_argument(
            "--untag",
            action="append",
            default=[],
            metavar="TAG",
            help="remove a tag, in any case (repeat for more)",
        )


def _repeat_options(parser: argparse.ArgumentParser, *, editing: bool = False) -> None:
    """--repeat (and for edit --no-repeat). Read by the command, as --due is: a phrase
    that cannot be read is invalid input (exit 1), not wrong usage."""
    group = parser.add_argument_group(
        "repeating (--repeat wins over a repeat in the title's words)"
    )
    repeat = group.add_mutually_exclusive_group() if editing else group
    repeat.add_argument(
        "--repeat",
        metavar="TEXT",
        help=("a new rule, from this occurrence on: " if editing else "repeat it: ")
        + "'every monday', 'every weekday 9am', 'every 2 weeks', 'every month on the "
        "last friday', 'every! 3 days' (counted from each completion), with 'until "
        "dec 31' or 'for 10 times'",
    )
    if editing:
        repeat.add_argument(
            "--no-repeat",
            action="store_true",
            help="stop repeating: the task stays, no occurrence follows it",
        )


def _structure_options(parser: argparse.ArgumentParser, *, editing: bool = False) -> None:
    """--parent and --blocked-by (and for edit --no-parent and --unblock)."""
    group = parser.add_argument_group("subtasks and blocks")
    parent = group.add_mutually_exclusive_group() if editing else group
    parent.add_argument(
        "--parent",
        metavar="ID",
        help="make it a subtask of this task (it goes into that task's project)",
    )
    if editing:
        parent.add_argument(
            "--no-parent", action="store_true", help="make it a top-level task again"
        )
    group.add_argument(
        "--blocked-by",
        action="extend",
        nargs="+",
        default=[],
        metavar="ID",
        help="tasks it waits for (list --ready hides it until they are done)",
    )
    if editing:
        group.add_argument(
            "--unblock",
            action="extend",
            nargs="+",
            default=[],
            metavar="ID",
            help="tasks it no longer waits for",
        )


def _json_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--json", action="store_true", help=text + " (see the README)")
