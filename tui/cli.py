"""The `taskflow` command: no sub-command opens the full-screen app; sub-commands script it.

Nothing here imports textual or rich: a scripted `taskflow add` must cost little
more than Python's own start, so the app is imported only when it runs, and the
sub-commands write plain text (with ANSI colour of their own on a terminal).

Every failure is one line on stderr, ``taskflow: <message>``, never a traceback.
Exit codes: 0 success, 1 a user-level failure (not found, ambiguous, conflict,
invalid input, bad file, any StoreError), 2 a usage error (argparse, or the app
without a terminal), 74 the output could not be written (a change it reports was
saved all the same), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from store import (
    DB_ENV_VAR,
    LATEST_VERSION,
    USER_ENV_VAR,
    DatabaseLocation,
    DataLoss,
    DataLossError,
    Due,
    EventKind,
    EventRecord,
    LocationError,
    NotFoundError,
    Priority,
    Sort,
    Source,
    Status,
    StoreError,
    TaskQuery,
    TaskRecord,
    TaskStore,
    ValidationError,
    clean_tag,
    clean_tags,
    day_heading,
    due_label,
    local_now,
    open_store,
    parse_due,
    parse_quick_add,
    resolve_location,
    resolve_user,
    transfer,
    utc_now,
)
from tui.text import clip, display_width, visible

EXIT_OK = 0
EXIT_FAILURE = 1  # a user-level failure: not found, conflict, validation, bad file
EXIT_USAGE = 2
# The command did its work (a change it made is saved) but standard output could not
# be written: full, closed, or failing. 74 is EX_IOERR in sysexits.h. A script that
# retries on failure must not retry on this one, or it adds the task twice.
EXIT_OUTPUT = 74
EXIT_INTERRUPTED = 130

SHORT_ID = 8  # ids are shown at least this long, longer where needed to stay unique
UPCOMING_DAYS = 7  # list --upcoming: today and the six days after it, as the app's view
LISTED_PER_KIND = 50  # import lists at most this many tasks of each kind, then counts


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


# -- output: plain text, ANSI colour only on a terminal -------------------------------------


class Style:
    """ANSI styles, used only when colour is on (see ``colour_wanted``)."""

    ID = "33"  # yellow, as git shows hashes
    DONE = "32"  # green
    DIM = "2"
    BOLD = "1"
    HEADING = "1;36"
    WARN = "33"
    BAD = "31"


def colour_wanted(stream: TextIO) -> bool:
    """Colour on a terminal only; NO_COLOR (https://no-color.org) always wins.

    FORCE_COLOR asks for colour even into a pipe (for ``| less -R``).
    """
    if os.environ.get("NO_COLOR", ""):
        return False
    if os.environ.get("FORCE_COLOR", ""):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def has_terminal() -> bool:
    """Both ends a full-screen app needs: keys from a terminal, and a screen to draw on.

    Without them (``taskflow < /dev/null > out``, cron, a pipe) the app would draw
    into a file and wait for keys that never come.
    """
    return all(_is_terminal(stream) for stream in (sys.stdin, sys.stdout))


def _is_terminal(stream: TextIO | None) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


class Output:
    """Where a command writes, and whether it may use colour there."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.colour = colour_wanted(self.stream)
        # What only a person reads (list's header and count) goes to a terminal only:
        # a script reading a pipe gets the rows alone.
        self.is_terminal = _is_terminal(self.stream)

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{style}m{text}\x1b[0m" if self.colour and text else text

    def line(self, text: str = "") -> None:
        if self.stream is None:  # started with standard output closed (`>&-`)
            raise OutputError(STDOUT_CLOSED)
        with _output_errors():
            self.stream.write(text + "\n")

    def width(self) -> int | None:
        """The terminal's width when writing to one; None means do not cut lines."""
        if not self.is_terminal:
            return None
        with contextlib.suppress(ValueError):
            columns = int(os.environ.get("COLUMNS", "0"))  # the user's word beats the tty's
            if columns > 0:
                return columns
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            return None
        return columns if columns > 0 else None  # an unsized terminal reports 0


def local_time(moment: datetime) -> str:
    """Times are stored in UTC and shown in the local zone."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def zone_name() -> str:
    offset = datetime.now().astimezone().strftime("%z")
    return "UTC" if offset in ("", "+0000") else f"UTC{offset[:3]}:{offset[3:]}"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover (the loop always returns)


def print_json(value: Any) -> None:
    _utf8_stdout()
    stream = _standard_output()
    text = transfer.dumps(value) + "\n"
    if _is_terminal(stream):  # as an export to a terminal: C1 and bidi as \u escapes
        text = _json_escaped(text)
    with _output_errors():
        stream.write(text)


# -- output that cannot be written ----------------------------------------------------------

STDOUT_CLOSED = "standard output is closed"


class OutputError(Exception):
    """Standard output could not be written (full, closed, an I/O error); not a broken
    pipe, which ends a command quietly. ``main`` says so in one line, and whether the
    command's change was saved all the same."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _standard_output() -> TextIO:
    """sys.stdout, which Python leaves as None when the command started without one."""
    if sys.stdout is None:
        raise OutputError(STDOUT_CLOSED)
    return sys.stdout


@contextlib.contextmanager
def _output_errors() -> Iterator[None]:
    """A failed write to standard output as an OutputError; a broken pipe passes as it is."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _output_error(error) from None
    except ValueError:  # "I/O operation on closed file"
        raise OutputError(STDOUT_CLOSED) from None


def _output_error(error: OSError) -> OSError | OutputError:
    if isinstance(error, BrokenPipeError):
        return error
    if error.errno == errno.EBADF:
        return OutputError(STDOUT_CLOSED)
    return OutputError(_reason(error))


def _utf8_stdout() -> None:
    """Machine output is UTF-8 whatever the locale says, so that nothing is lost."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]


def _forgiving_stdout() -> None:
    """Human output never fails on a character the terminal cannot show."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]


def fail(message: str, code: int = EXIT_FAILURE) -> int:
    """One line on stderr, never a traceback."""
    print(f"taskflow: {visible(' '.join(message.split()))}", file=sys.stderr)
    return code


def warn(message: str) -> None:
    print(f"taskflow: warning: {visible(message)}", file=sys.stderr)


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
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_global_options(parser)
    parser.add_argument("--version", action=VersionAction)
    parser.set_defaults(handler=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    add = _command(commands, "add", cmd_add, "add a task", _ADD_HELP)
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
    _json_option(add, "print the new task as JSON")

    listing = _command(commands, "list", cmd_list, "list tasks (open ones unless told)", _LIST_HELP)
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
        "-s", "--search", metavar="TEXT", default="", help="only tasks with every word of TEXT"
    )
    listing.add_argument(
        "--sort",
        choices=[sort.value for sort in Sort],
        help="order (default: created, oldest first; due with --today, --upcoming, --overdue)",
    )
    _json_option(listing, "print a JSON array of tasks")

    show = _command(commands, "show", cmd_show, "show one task in full", _SHOW_HELP)
    _id_argument(show)
    _json_option(show, "print the task as JSON")

    edit = _command(commands, "edit", cmd_edit, "change a task", _EDIT_HELP)
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
    _json_option(edit, "print the task as JSON")

    for name, handler, summary in (
        ("done", cmd_done, "mark tasks done"),
        ("undone", cmd_undone, "mark tasks open again"),
        ("rm", cmd_rm, "delete tasks (taskflow undo brings them back)"),
    ):
        sub = _command(commands, name, handler, summary, _ids_help(name))
        sub.add_argument(
            "ids", nargs="+", metavar="ID", help="tasks: an id or any unique start of one each"
        )
        _json_option(sub, "print the task as JSON; with several ids, an array of them")

    undo = _command(commands, "undo", cmd_undo, "undo your most recent change", _UNDO_HELP)
    undo.add_argument(
        "--skip",
        action="store_true",
        help="pass over your most recent change without undoing it (one that cannot be undone)",
    )
    _json_option(undo, "print what was undone as JSON")

    history = _command(commands, "history", cmd_history, "a task's changes", _HISTORY_HELP)
    _id_argument(history, deleted_too=True)
    _json_option(history, "print a JSON array of events")

    export = _command(commands, "export", cmd_export, "write tasks to a file", _EXPORT_HELP)
    export.add_argument(
        "-f",
        "--format",
        choices=[f.value for f in transfer.EXPORT_FORMATS],
        help="file format (default: from the -o extension, else json)",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE, atomically (default: stdout)"
    )
    export.add_argument(
        "--events", action="store_true", help="json only: include each task's history"
    )

    importer = _command(commands, "import", cmd_import, "read tasks from a file", _IMPORT_HELP)
    importer.add_argument("file", metavar="FILE", help="the file to read; '-' reads stdin")
    importer.add_argument(
        "-f",
        "--format",
        choices=[f.value for f in transfer.IMPORT_FORMATS],
        help="file format (default: from the extension and contents)",
    )
    importer.add_argument(
        "-n", "--dry-run", action="store_true", help="check and report, write nothing"
    )
    _json_option(importer, "print the outcome as JSON")

    db = _command(commands, "db", None, "look after the database file", _DB_HELP)
    db_commands = db.add_subparsers(
        title="database commands", metavar="DB_COMMAND", dest="db_command", required=True
    )
    status = _command(db_commands, "status", cmd_db_status, "where it is, versions, sizes")
    _json_option(status, "print the status as JSON")
    migrate = _command(
        db_commands, "migrate", cmd_db_migrate, "change the schema version", _MIGRATE_HELP
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
    check = _command(db_commands, "check", cmd_db_check, "health and integrity check")
    _json_option(check, "print the report as JSON")
    backup = _command(db_commands, "backup", cmd_db_backup, "copy the live database", _BACKUP_HELP)
    backup.add_argument("path", nargs="?", metavar="PATH", help="where (a file or a folder)")
    _json_option(backup, "print the outcome as JSON")
    return parser


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """--db and --user, accepted before or after a command.

    On a command's own parser they default to SUPPRESS, so that a value given before
    the command is not overwritten by the command parser's default.
    """
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help=f"database file or sqlite:/// URL (default: ${DB_ENV_VAR} or the user data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=f"owner of the tasks (default: ${USER_ENV_VAR} or your login name)",
    )


def _command(
    commands: Any,
    name: str,
    handler: Callable[[argparse.Namespace], int] | None,
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


def _json_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--json", action="store_true", help=text + " (see the README)")


_MAIN_EPILOG = f"""\
Every command takes --db and --user (before or after the command name).
Database: --db, else ${DB_ENV_VAR}, else the user data folder. A command that
          only reads fails on a --db or ${DB_ENV_VAR} file that does not exist
          (a typo, most likely); one that writes creates it.
Owner:    --user, else ${USER_ENV_VAR}, else your login name.
An ID is a task's id or any unique start of it, as git takes hashes.

Exit status: 0 success, 1 failure (not found, ambiguous id, conflict, invalid
input, bad file, database error), 2 wrong usage. Errors are one line on stderr.
Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR on.

examples:
  taskflow add Buy oat milk -d "the barista kind"
  taskflow add 'Pay rent tomorrow 9am !high #home #bills'
  taskflow list --all --search milk
  taskflow list --today
  taskflow done 3f2a
  taskflow export -o tasks.json && taskflow import tasks.json
  taskflow COMMAND --help        (all about one command)
"""

_QUICK_ADD_HELP = """\
The title is read as the app's quick add reads it: a date phrase (today,
tomorrow, fri, next friday, in 3 weeks, end of month, 2026-12-01, dec 12,
with a time such as 9am, 14:30 or noon) sets the due date, !high, !h or !1
(and !medium/!m/!2, !low/!l/!3) the priority, and #word adds a tag. Put a
backslash before a word (\\#1, \\friday) or quote words ('"Friday" club') to
keep them in the title. A bare hour ('at 1') is the next such hour within 12
hours; an abbreviated weekday ('sat', 'sun') is a date only after on/by/due,
before a time or at the end ('Sun cream' stays a title). --due and --priority
win over the title's words; --tag adds to its #tags; --due also takes
'yesterday' and 'last friday'.
"""

_ADD_HELP = f"""\
{_QUICK_ADD_HELP}
Prints the new task's full id and what was understood (with --json, the task).

examples:
  taskflow add Call the plumber
  taskflow add 'Pay rent tomorrow 9am !high #home #bills'   (quoted: # and ! mean
                                                  something to the shell)
  taskflow add Renew passport --due "in 3 weeks" --priority low --tag admin
  taskflow add 'Buy \\#1 fan mug'
  taskflow add "Write report" --description $'- intro\\n- numbers'
                       ($'...' is bash and zsh quoting: there \\n is a line break)
  printf '%s\\n' '- intro' '- numbers' | taskflow add "Write report" --description -
  git log -1 --format=%B | taskflow add "Review commit" --description -
"""

_LIST_HELP = f"""\
Shows open tasks, oldest first: id, [ ] or [x], priority (! low to !!! high),
due (today, tmrw 09:00, Mon, in 12d, 2d overdue), created (local time), title
and #tags; the priority and due columns only when a listed task has one.
Ids are shown as long as needed to tell every task apart (at least 8 characters).
Search ignores case and matches each word in the title or the description.
On a terminal, a header names the columns and a last line counts the tasks
listed (in a pipe and with --json: the rows only).

--today is what is due today and overdue; --upcoming what is due in the next
{UPCOMING_DAYS} days (overdue first), under a heading for each day; --overdue what
is past its due date or time. These show open tasks and sort by due date
unless --all, --done or --sort say otherwise. "Today" is the local date.

examples:
  taskflow list --today
  taskflow list --upcoming --tag work
  taskflow list --all --sort priority --json
"""

_SHOW_HELP = """\
Shows the due date (local), priority and tags too.
A deleted task is not shown: its history is (taskflow history ID).
"""

_EDIT_HELP = f"""\
Give at least one of --title, --description, --due, --no-due, --priority,
--tag, --untag. The task is read, then written only if nothing else changed
it in between. Tags are added to the task's own (--untag removes them).

{_QUICK_ADD_HELP}
examples:
  taskflow edit 3f2a --title "Call the plumber"
  taskflow edit 3f2a --due "fri 5pm" --priority high
  taskflow edit 3f2a --tag work --untag home --no-due
  taskflow edit 3f2a --description ''
"""


def _ids_help(command: str) -> str:
    return f"""\
Several ids may be given. Every id is looked up before anything is written: one
that matches no task, several tasks or a deleted task fails the command and
nothing changes. A task named twice is changed once. Each task is a change of its
own, logged and undone on its own: taskflow undo reverts the last one, and
repeated, the others in turn.

examples:
  taskflow {command} 3f2a
  taskflow {command} 3f2a 9c1b 77e0 --json     (several ids: a JSON array)
"""


_UNDO_HELP = """\
Each undo reverts your most recent change not yet undone (in the app or here);
repeat to go further back.

A change that cannot be undone is refused in one line that says why, and nothing
changes: the task changed since, its id is now another task's, it would put back
text that is refused (a terminal escape in an imported history), or it cannot be
read. 'taskflow undo --skip' passes over that change without undoing it (the skip
is kept, and shows in the task's history); the next undo reaches the one before.
"""

_HISTORY_HELP = """\
Every change to the task, oldest first, in local time, with the values an edit
changed (title "A" -> "B"; due none -> Fri 27 Nov; tags +work -home). Works for
deleted tasks, by their full id or any unique start of it.
"""

_EXPORT_HELP = """\
formats:
  json     TaskFlow's own: every field (due, priority, tags and your own order
           included); --events adds each task's history. Import it into an
           empty database and export again: byte for byte the same file.
  csv      id,title,description,completed,created_at,updated_at,due,priority,
           tags, with a header; tags separated by spaces.
  todotxt  one line a task (http://todotxt.org): (A)/(B)/(C) for high, medium,
           low; tags as +tag; due:YYYY-MM-DD (without its time); a done task's
           priority as pri:A. Descriptions are left out.

A file given with -o is written to a temporary file, synced and renamed, so
it is either the old file or the complete new one, never half written.

examples:
  taskflow export > tasks.json
  taskflow export --events -o backup.json
  taskflow export -o tasks.csv
"""

_IMPORT_HELP = """\
formats (default: .csv is csv; .txt is todotxt; JSON is ours or Taskwarrior's
by what it holds):
  json         TaskFlow's own export, history included if it has one.
  taskwarrior  'task export': description -> title; annotations -> the
               description; priority H/M/L -> high/medium/low; tags and the
               project -> tags; due -> a local day and time (local midnight
               -> the day alone); scheduled, wait, until, recur, depends ->
               the description; completed -> done; deleted tasks and
               recurring templates are skipped.
  todotxt      done mark and dates kept; (A)/(B)/(C) -> high/medium/low
               (later letters stay in the title); +projects and @contexts ->
               tags; due:YYYY-MM-DD -> the due date.
  csv          a header row with a title column, and any of id, description,
               completed, created_at, updated_at, due (YYYY-MM-DD [HH:MM]),
               priority, tags (separated by spaces or commas).

The whole file is checked first: one bad record refuses it whole, naming the
record or line, and nothing is written. Tasks are matched by id (todo.txt and
CSV without ids: by their text and creation date), so importing the same file
twice adds nothing. Printed: each task added, updated or skipped, and why:
  already here   the same title, description, done state, due, priority, tags
  newer here     it differs, but ours changed after the file's copy: ours kept
  deleted in Taskwarrior, recurring template   (Taskwarrior files)
An updated task gets an 'edited' or 'toggled' event, so taskflow undo reverts it.

Limits: a file (or standard input) of at most 128 MiB, JSON nested at most 64
deep; times and dates from 1900-01-01 to 9999-12-30 (UTC), which every time zone
can show; versions up to 1,000,000,000; positions finite, within ±10^15. Texts
in a history pass the same rules as a task's own title, description and tags.
A new task keeps the file's id only if it is a UUID nobody here uses or used
(another owner's task, a deleted task's history); otherwise it gets a stable
substitute, printed as a note and in --json as reassigned_ids.

examples:
  task export > tw.json && taskflow import tw.json --dry-run
  taskflow import todo.txt
  taskflow export | taskflow --db other.db import - --format json
"""

_DB_HELP = """\
examples:
  taskflow db status
  taskflow db check
  taskflow db backup ~/backups/
  taskflow db migrate --to 1
"""

_MIGRATE_HELP = """\
The database is backed up beside itself before its schema changes. Every other
command (and the app) brings the schema up to date by itself; this one can also
go down, to hand a file to an older TaskFlow.
"""

_BACKUP_HELP = """\
An online backup: safe while the app or another command is using the database.
Without PATH, the backup goes beside the database (the newest 5 are kept).
An existing file is never overwritten.
"""


# -- running ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], datetime] | None = None) -> int:
    """Run one command. ``clock`` (UTC, as the store's) is for tests: what "today" is
    for dates in plain words and for list --today, and the time changes are stamped."""
    _hold_closed_standard_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version, or a usage error
        code = exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
        try:
            _flush_standard_output()
        except OutputError as error:
            return _output_failed(None, error)
        return code
    args.clock = clock or utc_now
    handler: Callable[[argparse.Namespace], int] | None = args.handler
    try:
        _refuse_text_that_is_not_characters(args)
        if handler is None:
            # Only the real command line (the script, python -m tui) is checked: a
            # program calling main() with arguments of its own, such as the test
            # harness that runs the app headless, brings its own screen.
            if argv is None and not has_terminal():
                return fail(APP_NEEDS_A_TERMINAL, EXIT_USAGE)
            return run_app(args)
        code = handler(args)
        # Written here, not at exit: a full disk must be reported while we still can.
        _flush_standard_output()
        return code
    except OutputError as error:
        return _output_failed(args, error)
    except StoreError as error:
        return fail(str(error))
    except BrokenPipeError:
        # The reader went away (`taskflow list | head`): say nothing more, and keep
        # Python from complaining about the unflushed pipe at exit.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _hold_closed_standard_streams() -> None:
    """Started with standard output or error closed (`>&-`): put /dev/null on those
    descriptors, so that no file this command opens lands on 1 or 2, where a stray
    write (ours or a library's) would go into it. sys.stdout stays None, which is how
    the output code knows that there is nowhere to write; a closed stderr becomes
    /dev/null, since print() to a None stderr would write the error onto stdout."""
    for descriptor in (1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            _HELD_CLOSED.add(descriptor)
            with contextlib.suppress(OSError):
                held = os.open(os.devnull, os.O_RDWR)
                if held != descriptor:
                    os.dup2(held, descriptor)
                    os.close(held)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives to exit)


# Standard descriptors that were closed at start and now hold /dev/null.
_HELD_CLOSED: set[int] = set()


def _flush_standard_output() -> None:
    if sys.stdout is not None:
        with _output_errors():
            sys.stdout.flush()


def _output_failed(args: argparse.Namespace | None, error: OutputError) -> int:
    """One line: what could not be written, and whether the change was saved anyway,
    so that a script does not repeat a command whose work is done."""
    _drop_unwritten_output()
    saved = _what_was_saved(args) if args is not None else None
    if saved is None:
        return fail(f"Could not write the output: {error.reason}.", EXIT_OUTPUT)
    return fail(
        f"{saved}, but the output could not be written ({error.reason}); "
        "do not run the command again.",
        EXIT_OUTPUT,
    )


def _drop_unwritten_output() -> None:
    """Python flushes stdout once more at exit; what failed would fail again there,
    with a traceback of its own and exit status 120. Only the process's own stdout is
    redirected (not a stream a test or a caller put in its place)."""
    stream = sys.stdout
    if stream is None or stream is not sys.__stdout__:
        return
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def _what_was_saved(args: argparse.Namespace) -> str | None:
    """What a command had already done when its output failed; None if nothing."""
    handler = getattr(args, "handler", None)
    if handler is cmd_import:
        return None if args.dry_run else "The import was saved"
    if handler is cmd_export:
        return f"The export was written to {args.output}" if args.output else None
    saved = {
        cmd_add: "The new task was saved",
        cmd_edit: "The change was saved",
        cmd_done: "The change was saved",
        cmd_undone: "The change was saved",
        cmd_rm: "The deletion was saved",
        cmd_undo: "The undo was saved",
        cmd_db_backup: "The backup was made",
        cmd_db_migrate: "The schema is at the version asked for (any migration was saved)",
    }
    return saved.get(handler)


APP_NEEDS_A_TERMINAL = (
    "the full-screen app needs a terminal (standard input and output); "
    "for the commands that script it, see 'taskflow --help'"
)


# Arguments that reach the store as text. Paths (--db, FILE, -o, PATH) are not here:
# a file name may be any bytes, and Python carries those through unchanged.
_TEXT_ARGUMENTS = {
    "id": "ID",
    "ids": "ID",
    "title": "the title",
    "description": "--description",
    "search": "--search",
    "tag": "--tag",
    "untag": "--untag",
    "due": "--due",
    "priority": "--priority",
    "user": "--user",
}
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _refuse_text_that_is_not_characters(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 reach Python as unpaired surrogates, which no database
    can store. Refused before anything is opened, as the store would refuse them."""
    for name, label in _TEXT_ARGUMENTS.items():
        value = getattr(args, name, None)
        for item in value if isinstance(value, list) else [value]:
            found = _SURROGATE.search(item) if isinstance(item, str) else None
            if found is not None:
                raise ValidationError(
                    name,
                    f"{label} contains an unpaired surrogate (U+{ord(found.group()):04X}), "
                    "which is not a character; it usually comes from bytes that are not UTF-8.",
                )


def run_app(args: argparse.Namespace) -> int:
    try:
        store = open_from_args(args)
    except StoreError as error:
        return fail(str(error))
    try:
        from tui.app import make_app  # deferred: only the app pays for importing textual

        app = make_app(store)
        app.run()
        return app.return_code or EXIT_OK
    finally:
        store.close()


def open_from_args(args: argparse.Namespace, *, migrate: bool = True) -> TaskStore:
    return open_store(
        getattr(args, "db", None),
        user=getattr(args, "user", None),
        migrate=migrate,
        clock=getattr(args, "clock", utc_now),
    )


def refuse_a_missing_database(args: argparse.Namespace) -> None:
    """A read command on a path given with --db or $TASKFLOW_DB_PATH where there is no
    file: most likely a typo. Creating an empty database there and saying "No open
    tasks" would hide it. The default location is left alone: on first use it is
    empty, and that is the truth. Nothing here touches the file system but a stat."""
    resolve_user(getattr(args, "user", None))  # a bad --user is the first thing to fix
    location = resolve_location(getattr(args, "db", None))
    path = location.path
    if location.source is Source.DEFAULT or path is None or path.exists():
        return
    raise LocationError(
        f"There is no database at {location.display()} ({source_words(location)}); "
        "check the path (a command that adds a task, or an import, creates one there)."
    )


def source_words(location: DatabaseLocation) -> str:
    """'from --db', 'from $TASKFLOW_DB_PATH' or 'the default'."""
    return {Source.ARGUMENT: "from --db", Source.ENVIRONMENT: f"from ${DB_ENV_VAR}"}.get(
        location.source, "the default"
    )


def now_local(args: argparse.Namespace) -> datetime:
    """The moment in local time, from the same clock as the store (as the app does)."""
    return local_now(args.clock())


@contextlib.contextmanager
def opened(
    args: argparse.Namespace, *, migrate: bool = True, existing: bool = False
) -> Iterator[TaskStore]:
    """The store, closed afterwards. A command that can only work on tasks already there
    (it reads, or changes a task it names: edit, done, rm, undo) passes ``existing``: on
    a path the user named that holds no database, it fails rather than create one."""
    if existing:
        refuse_a_missing_database(args)
    store = open_from_args(args, migrate=migrate)
    try:
        yield store
    finally:
        store.close()


def read_text_argument(value: str | None) -> str | None:
    """A --description value; '-' means the text comes from standard input."""
    if value != "-":
        return value
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(
                "description", f"Standard input is not UTF-8 text (byte {error.start + 1})."
            ) from None
    return data


# -- task commands -----------------------------------------------------------------------------


def cmd_add(args: argparse.Namespace) -> int:
    description = read_text_argument(args.description) or ""
    now = now_local(args)
    title, planned = _understood(args, " ".join(args.title), now)
    tags = planned.pop("tags", ())
    with opened(args) as store:
        task = store.create(title, description, tags=tags, **planned)
    if args.json:
        print_json(transfer.task_json(task))
        return EXIT_OK
    out = _human()
    out.line(f"Added {out.paint(task.id, Style.ID)}  {visible(task.title)}")
    summary = _planning_summary(task, now.date())
    if summary:
        out.line(f"  {summary}")
    return EXIT_OK


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
    the options ask for, the way the app's editor reads them (``now`` in local time:
    "at 1" is the next 1 o'clock). The options win over words in the title: a script
    that says --due means that date. Only what was given is in the dict (an edit
    leaves the rest alone). ValidationError (exit 1) for a date, priority or tag
    that cannot be read."""
    changes: dict[str, Any] = {}
    title = None
    quick_tags: tuple[str, ...] = ()
    if text is not None and _NOT_ONE_LINE.search(text):
        title = text  # a line break or a tab: the store refuses it in its own words
    elif text is not None:
        quick = parse_quick_add(text, now)
        title, quick_tags = quick.title, quick.tags
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


def _planning_summary(task: TaskRecord, today: date) -> str:
    """'due Sat 21 Nov 2026, 09:00 (tomorrow) · !!! high · #bills #home', or ''."""
    parts = []
    if task.due is not None:
        parts.append(f"due {task.due.long(today)}")
    if task.priority is not Priority.NONE:
        parts.append(f"{task.priority.marks} {task.priority.label}")
    if task.tags:
        parts.append(visible(" ".join(f"#{tag}" for tag in task.tags)))
    return " · ".join(parts)


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
    sort = Sort(args.sort) if args.sort else Sort.DUE if by_due else Sort.CREATED
    query = TaskQuery(status=status, search=args.search, sort=sort, due_until=due_until, tag=tag)
    with opened(args, existing=True) as store:
        tasks = store.list_tasks(query)
        if args.overdue:
            # Today's tasks whose time has passed are overdue too: finer than a day.
            tasks = [task for task in tasks if task.due is not None and task.due.is_overdue(now)]
        width = store.unique_prefix_length(SHORT_ID) if tasks and not args.json else SHORT_ID
    if args.json:
        print_json([transfer.task_json(task) for task in tasks])
        return EXIT_OK
    out = _human()
    if not tasks:
        out.line(_listed(args, status, tag, 0))
        return EXIT_OK
    headings = _day_headings(tasks, now) if args.upcoming and sort is Sort.DUE else {}
    columns = out.width()
    pri_width = max(len(task.priority.marks) for task in tasks)
    labels = [due_label(task.due, now) if task.due is not None else "" for task in tasks]
    due_width = max(len(label) for label in labels)
    if out.is_terminal:
        # Room for the column names; in a pipe the columns stay as narrow as their values.
        pri_width = max(pri_width, len(_HEADER_PRIORITY)) if pri_width else 0
        due_width = max(due_width, len(_HEADER_DUE)) if due_width else 0
        header = _list_header(width, pri_width, due_width)
        out.line(out.paint(clip(header, columns) if columns else header, Style.BOLD))
    for task, label in zip(tasks, labels, strict=True):
        if task.id in headings:
            out.line(out.paint(headings[task.id], Style.HEADING))
        mark = out.paint("[x]", Style.DONE) if task.completed else "[ ]"
        if task.unreadable:
            mark = out.paint("[?]", Style.BAD)
        cells = [out.paint(task.id[:width].ljust(width), Style.ID), mark]
        if pri_width:
            cells.append(out.paint(task.priority.marks.ljust(pri_width), Style.WARN))
        if due_width:
            late = task.due is not None and not task.completed and task.due.is_overdue(now)
            cells.append(out.paint(label.rjust(due_width), Style.BAD if late else Style.DIM))
        # A row that cannot be read is listed all the same, its id and why, never a
        # traceback that hides the others; its placeholder times are not shown.
        cells.append(local_time(task.created_at) if not task.unreadable else "?".ljust(16))
        title = visible(task.title) if not task.unreadable else _unreadable_title(task)
        tags = visible(" ".join(f"#{tag}" for tag in task.tags))
        if columns is not None:
            used = width + 2 + 3 + 2 + 16 + 2
            used += (pri_width + 2 if pri_width else 0) + (due_width + 2 if due_width else 0)
            room = columns - used
            title = clip(title, room)
            tags = clip(tags, room - display_width(title) - 2) if tags else ""
        if task.completed:
            title = out.paint(title, Style.DIM)
        cells.append(title + (f"  {out.paint(tags, Style.DIM)}" if tags else ""))
        out.line("  ".join(cells))
    if out.is_terminal:
        out.line(out.paint(_listed(args, status, tag, len(tasks)), Style.DIM))
    return EXIT_OK


_HEADER_PRIORITY = "Pri"
_HEADER_DUE = "Due"


def _unreadable_title(task: TaskRecord) -> str:
    """What list shows for a stored row that cannot be read: what title it has, and why."""
    title = f"{task.title} " if task.title else ""
    return visible(f"{title}(cannot be read: {task.unreadable})")


def _list_header(id_width: int, pri_width: int, due_width: int) -> str:
    """The column names over list's rows, aligned as the rows are (see cmd_list)."""
    cells = ["Id".ljust(id_width), "   "]  # the [ ]/[x] column needs no name
    if pri_width:
        cells.append(_HEADER_PRIORITY.ljust(pri_width))
    if due_width:
        cells.append(_HEADER_DUE.rjust(due_width))
    cells += ["Created".ljust(16), "Title"]
    return "  ".join(cells)


def _listed(args: argparse.Namespace, status: Status, tag: str | None, count: int) -> str:
    """What was listed, filters and all: 'No open tasks.', '3 done tasks tagged #work.',
    '1 open task due today or overdue matching 'milk'.'"""
    noun = {Status.ALL: "task", Status.DONE: "done task", Status.OPEN: "open task"}[status]
    what = f"{count if count else 'No'} {noun}{'' if count == 1 else 's'}"
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


def cmd_show(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        task = _resolve_live(store, args.id)
    if args.json:
        print_json(transfer.task_json(task))
        return EXIT_OK
    out = _human()
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
        ("Created", f"{local_time(task.created_at)} ({zone_name()})"),
        ("Updated", f"{local_time(task.updated_at)} ({zone_name()})"),
        ("Version", str(task.version)),
    ]
    for label, value in rows:
        out.line(f"{label + ':':<10}{value}")
    if task.description:
        out.line()
        out.line(visible(task.description, keep_lines=True))
    return EXIT_OK


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


_EDIT_OPTIONS = ("title", "description", "due", "no_due", "priority", "tag", "untag")
_FIELD_WORDS = {"due": "due date"}


def cmd_edit(args: argparse.Namespace) -> int:
    if all(getattr(args, name) in (None, False, []) for name in _EDIT_OPTIONS):
        return fail(
            "give at least one of --title, --description, --due, --no-due, --priority, "
            "--tag, --untag (see 'taskflow edit --help')",
            EXIT_USAGE,
        )
    description = read_text_argument(args.description)
    now = now_local(args)
    with opened(args, existing=True) as store:
        current = _resolve_live(store, args.id)
        title, changes = _understood(args, args.title, now, current=current)
        # A fresh read, then a write that refuses if anyone changed the task in between.
        task = store.update(
            current.id,
            expected_version=current.version,
            title=title,
            description=description,
            **changes,
        )
    if args.json:
        print_json(transfer.task_json(task))
        return EXIT_OK
    out = _human()
    changed = [
        name
        for name in ("title", "description", "due", "priority", "tags")
        if getattr(current, name) != getattr(task, name)
    ]
    words = [_FIELD_WORDS.get(name, name) for name in changed]
    listed = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
    what = f"Edited {listed} of" if changed else "Nothing to change in"
    out.line(f"{what} {out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}")
    if {"due", "priority", "tags"} & set(changed):
        out.line(f"  {_planning_summary(task, now.date()) or 'no due date, priority or tags'}")
    return EXIT_OK


def cmd_done(args: argparse.Namespace) -> int:
    return _set_done(args, True)


def cmd_undone(args: argparse.Namespace) -> int:
    return _set_done(args, False)


def _set_done(args: argparse.Namespace, completed: bool) -> int:
    # One transaction: the ids are read and every task written, or (a conflict with
    # another writer, a full disk) none of them is.
    with opened(args, existing=True) as store, store.all_or_nothing():
        chosen = _resolve_each(store, args.ids)
        tasks = [
            store.set_completed(task.id, completed, expected_version=task.version)
            for task in chosen
        ]
    if args.json:
        _print_tasks_json(args, tasks)
        return EXIT_OK
    out = _human()
    state = "done" if completed else "open"
    for before, task in zip(chosen, tasks, strict=True):
        verb = f"Marked {state}" if task.version != before.version else f"Already {state}:"
        out.line(f"{verb} {out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}")
    return EXIT_OK


def cmd_rm(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store, store.all_or_nothing():
        chosen = _resolve_each(store, args.ids)
        tasks = [store.delete(task.id, expected_version=task.version) for task in chosen]
    if args.json:
        _print_tasks_json(args, tasks)
        return EXIT_OK
    out = _human()
    if len(tasks) == 1:
        out.line(
            f"Deleted {out.paint(tasks[0].id[:SHORT_ID], Style.ID)}  {visible(tasks[0].title)}"
            "  ('taskflow undo' brings it back)"
        )
        return EXIT_OK
    for task in tasks:
        out.line(f"Deleted {out.paint(task.id[:SHORT_ID], Style.ID)}  {visible(task.title)}")
    out.line(f"Each 'taskflow undo' brings one back, the last first ({len(tasks)} to undo).")
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


def _print_tasks_json(args: argparse.Namespace, tasks: Sequence[TaskRecord]) -> None:
    """One ID given: the task. Several: an array, even when they named one task, so
    that the shape depends only on the command a script wrote."""
    if len(args.ids) == 1:
        print_json(transfer.task_json(tasks[0]))
    else:
        print_json([transfer.task_json(task) for task in tasks])


def cmd_undo(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        result = store.skip_undo() if args.skip else store.undo()
    if args.json:
        print_json(
            {
                "message": result.message,
                "undone": {"kind": result.undone.kind.value, "task_id": result.task_id},
                "task": None if result.task is None else transfer.task_json(result.task),
                "skipped": result.skipped,
            }
        )
        return EXIT_OK
    out = _human()
    out.line(visible(result.message) + ".")
    if result.skipped:
        out.line("'taskflow undo' now reaches the change before it.")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    with opened(args, existing=True) as store:
        task_id = store.resolve_any_id(args.id)
        events = store.history(task_id)
    if args.json:
        # As in an export: an undo skipped here is left out (events_json does so).
        kept = [event for event in events if not event.skipped]
        items = transfer.events_json(kept)
        for item, event in zip(items, kept, strict=True):
            item["summary"] = event.summary
        print_json(items)
        return EXIT_OK
    out = _human()
    out.line(f"History of {out.paint(task_id, Style.ID)} ({zone_name()})")
    if not events:
        out.line("No changes recorded (a task adopted from an older database).")
        return EXIT_OK
    summary_width = max(len(event.summary) for event in events)
    today = now_local(args).date()
    for event in events:
        summary = event.summary.ljust(summary_width)
        detail = visible(_event_detail(event, today))
        out.line(f"{local_time(event.at)}  {summary}  {detail}".rstrip())
    return EXIT_OK


NOTES_SHOWN = 30  # columns of a description shown in history, old and new each


def _event_detail(event: EventRecord, today: date) -> str:
    """What changed, with the values: 'title “A” → “B”; due none → Fri 27 Nov;
    priority low → high; tags +work -home'. Other events name the task's title."""
    before, after = event.before, event.after
    if event.kind is EventKind.EDITED and before is not None and after is not None:
        changes = [
            _field_change(name, getattr(before, name), getattr(after, name), today)
            for name in event.changed_fields
            if name != "position"  # the summary says 'moved'; the numbers mean nothing
        ]
        if changes:
            return "; ".join(changes)
    seen = after or before
    return f"“{seen.title}”" if seen is not None else ""


def _field_change(name: str, old: Any, new: Any, today: date) -> str:
    if name == "tags":
        added = [f"+{tag}" for tag in new if tag not in old]
        removed = [f"-{tag}" for tag in old if tag not in new]
        return "tags " + " ".join([*added, *removed])
    label = {"completed": "status"}.get(name, name)
    return f"{label} {_field_value(name, old, today)} → {_field_value(name, new, today)}"


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


# -- export and import -------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    fmt = transfer.Format(args.format) if args.format else _format_from_name(output)
    if args.events and fmt is not transfer.Format.JSON:
        return fail("--events needs --format json (only our JSON carries history)", EXIT_USAGE)
    target = None
    if output is not None:
        _refuse_an_output_that_cannot_be_written(output)
        target = _export_target(output)  # what the name leads to, refused if unfit
    with opened(args, existing=True) as store:
        if target is not None:
            _refuse_overwriting_the_database(store, target)
        rows = contextlib.closing(store.export_tasks(events=args.events))

        def write(stream: TextIO) -> int:
            with rows as pages:  # ends the read snapshot even if writing fails
                if fmt is transfer.Format.JSON:
                    return transfer.write_json(pages, stream)
                tasks = (task for task, _ in pages)
                if fmt is transfer.Format.CSV:
                    return transfer.write_csv(tasks, stream)
                return transfer.write_todotxt(tasks, stream)

        if target is None:
            _utf8_stdout()
            stream = _standard_output()
            sink = _Sink(stream, _terminal_view(fmt, stream), _output_error)
            write(cast(TextIO, sink))
            sink.flush()
            return EXIT_OK
        if target.streamed:
            count = _stream_to(store, target, write, fmt)
        else:
            count = write_atomically(
                target.path, write, replacing=target.existing, name=target.given
            )
    noun = "task" if count == 1 else "tasks"
    # `-o /dev/stdout`: the data is on stdout, so the confirmation goes beside it.
    out = Output(sys.stderr) if target and _is_standard_output(target) else _human()
    out.line(f"Exported {count} {noun} to {visible(str(output))} ({fmt.value}).")
    return EXIT_OK


def _format_from_name(path: Path | None) -> transfer.Format:
    suffix = path.suffix.lower() if path is not None else ""
    if suffix == ".csv":
        return transfer.Format.CSV
    if suffix in (".txt", ".todo"):
        return transfer.Format.TODOTXT
    return transfer.Format.JSON


def _refuse_an_output_that_cannot_be_written(output: Path) -> None:
    """Said before the database is looked at: the file name is the first thing to fix.
    (write_atomically checks again: the folder may change in between.)"""
    if output.is_dir():
        raise ValidationError("output", f"{output} is a folder; give a file name.")
    if not output.absolute().parent.is_dir():
        raise StoreError(f"Cannot write {output}: no such file or directory.")


# -- where an export goes -------------------------------------------------------------------
#
# `-o FILE` writes only to a regular file or a new path (atomically, through a temporary
# file renamed over it), or streams to a FIFO, a character device (/dev/null, a
# terminal) or a descriptor already open (/dev/stdout, /dev/fd/N). A symlink is written
# through: its target gets the new content, the link stays. Everything else is refused
# in one line before a byte is written: a folder, a socket, a block device, a dangling
# link, a file with other hard links (replacing it would cut them off, and writing
# into it could leave it torn), a file the caller could not write, one whose owner or
# group a replacement could not keep, and any of the database's own files.


@dataclass(frozen=True)
class _ExportTarget:
    given: Path  # as the user wrote it, for messages
    path: Path  # every symlink followed: where the bytes land
    existing: os.stat_result | None  # the regular file replaced; None for a new one
    streamed: bool  # a FIFO, a character device or an open descriptor: no temporary file


# /proc/PID/fd/N (what /dev/stdout and /dev/fd/N lead to) is a descriptor this process
# already has open: written where it points, as the shell opened it.
_DESCRIPTOR = re.compile(r"/proc/(\d+)(?:/task/\d+)?/fd/(\d+)")
_MOST_LINKS = 40  # the kernel's own limit on symlinks in one path

_NOT_WRITTEN_TO = {
    stat.S_IFDIR: "a folder",
    stat.S_IFSOCK: "a socket",
    stat.S_IFBLK: "a block device",
}


def _export_target(output: Path) -> _ExportTarget:
    """What ``-o`` names, checked before the database is opened (the name is the first
    thing to fix); the write checks again, since the file may change in between."""
    path, descriptor = _followed(output)
    if descriptor:
        return _ExportTarget(output, path, None, streamed=True)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _new_export_file(output, path)
    except OSError as error:
        raise StoreError(f"Cannot write {output}: {_reason(error)}.") from None
    if stat.S_ISREG(info.st_mode):
        _refuse_replacing(output, path, info)
        return _ExportTarget(output, path, info, streamed=False)
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode):
        return _ExportTarget(output, path, None, streamed=True)
    what = _NOT_WRITTEN_TO.get(stat.S_IFMT(info.st_mode), "not a regular file")
    raise ValidationError(
        "output",
        f"{output} is {what}; an export writes to a regular file or a new path "
        "(or streams to a FIFO or a character device).",
    )


def _new_export_file(output: Path, path: Path) -> _ExportTarget:
    if os.path.islink(output):
        # As GNU cp does: a dangling link may have been left to make us create a file
        # somewhere else, and its owner may not be the one running the export.
        raise ValidationError(
            "output",
            f"{output} is a symbolic link to {path}, which does not exist; "
            "an export does not write through a dangling link.",
        )
    if not path.parent.is_dir():
        raise StoreError(f"Cannot write {output}: no such file or directory.")
    return _ExportTarget(output, path, None, streamed=False)


def _refuse_replacing(output: Path, path: Path, info: os.stat_result) -> None:
    """A replacement is a new file: it may not do what writing into the old one could not."""
    if not _may_write(path):
        raise StoreError(
            f"Cannot write {output}: permission denied "
            "(an export replaces only a file you could write)."
        )
    if info.st_nlink > 1:
        others = info.st_nlink - 1
        raise ValidationError(
            "output",
            f"{output} has {others} other hard link{'s' if others > 1 else ''}; a new file "
            "in its place would cut them off, and writing into it could leave it "
            "half-written. Export to a new file, then copy it over.",
        )


def _may_write(path: Path) -> bool:
    # The effective ids decide, as for open(); root may write anything not immutable.
    if os.access in os.supports_effective_ids:
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _followed(output: Path) -> tuple[Path, bool]:
    """``output`` with every symlink followed, as ``os.path.realpath`` does, and whether
    it names an open descriptor. Stops at the first name that does not exist.

    Each link is checked as Linux's fs.protected_symlinks does (whether or not the
    machine turns it on): a link in a shared sticky folder such as /tmp, owned by
    someone other than the caller and the folder's owner, is not followed. Otherwise
    another user could point /tmp/tasks.json at a file of ours and have root's export
    replace it.
    """
    try:
        absolute = output if output.is_absolute() else Path.cwd() / output
    except OSError as error:  # the current folder was removed
        raise StoreError(f"Cannot write {output}: {_reason(error)}.") from None
    pending = list(reversed(absolute.parts[1:]))
    here = "/"
    links = 0
    while pending:
        name = pending.pop()
        if name in ("", "."):
            continue
        if name == "..":
            here = os.path.dirname(here)
            continue
        candidate = os.path.join(here, name)
        if not pending and _DESCRIPTOR.fullmatch(candidate):
            return Path(candidate), True
        try:
            info = os.lstat(candidate)
        except OSError:  # missing (a new file), or a folder we may not look into
            return Path(candidate, *reversed(pending)), False
        if not stat.S_ISLNK(info.st_mode):
            here = candidate
            continue
        links += 1
        if links > _MOST_LINKS:
            raise StoreError(f"Cannot write {output}: too many levels of symbolic links.")
        _refuse_a_planted_link(output, candidate, info, here)
        link = os.readlink(candidate)
        if link.startswith("/"):
            here = "/"
        pending.extend(reversed(link.split("/")))
    return Path(here), False


def _refuse_a_planted_link(output: Path, link: str, info: os.stat_result, folder: str) -> None:
    try:
        place = os.stat(folder)
    except OSError:
        return
    shared = bool(place.st_mode & stat.S_ISVTX) and bool(place.st_mode & stat.S_IWOTH)
    if shared and info.st_uid not in (os.geteuid(), place.st_uid):
        raise ValidationError(
            "output",
            f"{output} goes through {link}, a symbolic link another user made in the "
            f"shared folder {folder}; an export does not follow it.",
        )


def _refuse_overwriting_the_database(
    store: TaskStore, target: _ExportTarget, opened_file: os.stat_result | None = None
) -> None:
    """The database, its -wal, -shm and -journal, and its backups, whatever the path
    that leads there: a symlink, another spelling, a hard link, /dev/fd/N. Compared by
    what the paths resolve to and by file identity (device and inode)."""
    identity = opened_file or target.existing
    for role, path in _database_files(store):
        same = os.path.realpath(path) == str(target.path)
        if not same and identity is not None:
            with contextlib.suppress(OSError):
                info = os.stat(path)
                same = (info.st_dev, info.st_ino) == (identity.st_dev, identity.st_ino)
        if same:
            raise ValidationError("output", f"{target.given} is {role}; choose another file.")


def _database_files(store: TaskStore) -> list[tuple[str, Path]]:
    """The files that make up the database (those that exist now and those SQLite may
    create), under the name it was opened by and the one that name resolves to."""
    database = store.path
    if database is None:  # a server's database has no file of ours
        return []
    files: list[tuple[str, Path]] = [("a backup of the database", p) for p in store.backups()]
    for base in {database.absolute(), Path(os.path.realpath(database))}:
        files += [
            ("the database itself", base),
            ("the database's write-ahead log", base.with_name(base.name + "-wal")),
            ("the database's shared-memory file", base.with_name(base.name + "-shm")),
            ("the database's rollback journal", base.with_name(base.name + "-journal")),
        ]
        with contextlib.suppress(OSError):
            backup = base.name + ".backup-"  # as the store names them
            files += [
                ("a backup of the database", entry)
                for entry in base.parent.iterdir()
                if entry.name.startswith(backup)
            ]
    return files


def _stream_to(
    store: TaskStore,
    target: _ExportTarget,
    write: Callable[[TextIO], int],
    fmt: transfer.Format,
) -> int:
    """A FIFO, a device or an open descriptor: written in place, with no temporary file
    (there is nothing to rename over). Opened without creating or truncating anything;
    appending, so that `-o /dev/stdout >> log` adds to the log as the shell meant."""

    def failed(error: OSError) -> StoreError:
        return StoreError(f"Cannot write {target.given}: {_reason(error)}.")

    try:
        descriptor = _open_stream(target)
    except OSError as error:
        raise failed(error) from None
    try:
        stream = os.fdopen(descriptor, "w", encoding="utf-8", newline="")
    except OSError as error:
        os.close(descriptor)
        raise failed(error) from None
    try:
        with stream:
            # /dev/fd/N may lead to any open file, the database included.
            _refuse_overwriting_the_database(store, target, os.fstat(descriptor))
            sink = _Sink(stream, _terminal_view(fmt, stream), failed)
            count = write(cast(TextIO, sink))
            sink.flush()
    except OSError as error:  # closing it, after the data
        raise failed(error) from None
    return count


def _open_stream(target: _ExportTarget) -> int:
    """One of our own descriptors (/dev/stdout is /proc/self/fd/1) is duplicated, so the
    export shares its offset and flags: `> file` and `>> file` mean what the shell
    meant. Anything else is opened without creating or truncating it."""
    found = _DESCRIPTOR.fullmatch(str(target.path))
    if found is not None and int(found.group(1)) == os.getpid():
        number = int(found.group(2))
        if number in _HELD_CLOSED:
            raise OSError(errno.EBADF, "it was closed when the command started")
        return os.dup(number)
    return os.open(target.path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | os.O_CLOEXEC)


def _is_standard_output(target: _ExportTarget) -> bool:
    """Whether the export went to the file standard output is, where the confirmation
    would land after (or, with another offset, over) the data."""
    if not target.streamed or sys.stdout is None:
        return False
    try:
        written, ours = os.stat(target.path), os.fstat(1)
    except OSError:
        return False
    return (written.st_dev, written.st_ino) == (ours.st_dev, ours.st_ino)


# -- an export to a terminal ------------------------------------------------------------------

# What JSON leaves raw in its strings that a terminal may obey or that reorders the line:
# DEL, C1 controls, bidirectional formatting, unpaired surrogates. (json.dumps already
# escapes C0, ESC among them.)
_JSON_RAW = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _json_escaped(text: str) -> str:
    """The same JSON with those characters as \\u escapes: it still reads back the same."""
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _pictured(text: str) -> str:
    """CSV and todo.txt text as tui.text.visible shows it (ESC as ␛), lines kept; CSV's
    own \\r\\n line ends stay as they are."""
    return "\r\n".join(visible(part, keep_lines=True) for part in text.split("\r\n"))


def _terminal_view(fmt: transfer.Format, stream: TextIO) -> Callable[[str], str] | None:
    """How an export shows user text on a terminal, where a person reads it and an
    escape sequence in a title would act (an OSC 52 clipboard write, a link, a colour).
    A file or a pipe gets the exact bytes: an export must round-trip."""
    if not _is_terminal(stream):
        return None
    return _json_escaped if fmt is transfer.Format.JSON else _pictured


class _Sink:
    """The stream an export writes to, as ``transfer``'s writers use it (``write``):
    text shown safely where ``shown`` says so, and a failed write raised as the error
    the caller chose (an OutputError for standard output, a StoreError for -o)."""

    def __init__(
        self,
        stream: TextIO,
        shown: Callable[[str], str] | None,
        failed: Callable[[OSError], Exception],
    ) -> None:
        self._stream = stream
        self._shown = shown
        self._failed = failed

    def write(self, text: str) -> int:
        try:
            self._stream.write(self._shown(text) if self._shown else text)
        except OSError as error:
            raise self._failed(error) from None
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise self._failed(error) from None


def write_atomically(
    path: Path,
    write: Callable[[TextIO], int],
    *,
    replacing: os.stat_result | None = None,
    name: Path | None = None,
) -> int:
    """Write through a temporary file in the same folder: fsync, then rename over ``path``.

    Readers (and a crash) see the old file or the complete new one, never a torn one.
    ``path`` is where the bytes land (no symlink); ``replacing`` the file found there
    (None: a new path), whose owner, group and mode the new file keeps, or nothing is
    written. ``name`` is the path as the user gave it, for messages.
    """
    shown = name or path
    if path.is_dir():
        raise ValidationError("output", f"{shown} is a folder; give a file name.")
    import tempfile  # here, not at the top: only an export to a file needs it

    folder = path.absolute().parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise StoreError(f"Cannot write {shown}: {_reason(error)}.") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            _keep_owner_and_mode(stream.fileno(), replacing, shown)
            count = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        _refuse_a_changed_target(path, replacing, shown)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise StoreError(f"Cannot write {shown}: {_reason(error)}.") from None
        raise
    _fsync_folder(folder)
    return count


def _keep_owner_and_mode(descriptor: int, replacing: os.stat_result | None, name: Path) -> None:
    """The new file gets the old one's owner, group and mode (set before a byte is in it);
    when it cannot (the old file is another user's, or of a group the caller is not
    in), the export is refused rather than hand someone's file to the caller."""
    if replacing is not None:
        mine = os.fstat(descriptor)
        uid = replacing.st_uid if replacing.st_uid != mine.st_uid else -1
        gid = replacing.st_gid if replacing.st_gid != mine.st_gid else -1
        if uid != -1 or gid != -1:
            try:
                os.fchown(descriptor, uid, gid)
            except PermissionError:
                whose = "belongs to another user" if uid != -1 else "has a group you are not in"
                raise StoreError(
                    f"Cannot replace {name}: it {whose}, and a new file in its place could "
                    "not keep that; nothing was written."
                ) from None
    # mkstemp makes the file private; give it the mode a plain write would have.
    os.fchmod(descriptor, _mode_for(replacing))


def _refuse_a_changed_target(path: Path, replacing: os.stat_result | None, name: Path) -> None:
    """Just before the rename: the file there is still the one that was checked."""
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return  # gone meanwhile: the new file simply takes the name
    if replacing is not None and (now.st_dev, now.st_ino, now.st_nlink) == (
        replacing.st_dev,
        replacing.st_ino,
        1,
    ):
        return
    raise StoreError(
        f"{name} changed while the export was being written (another program put a "
        "file there); nothing was written. Try again."
    )


def _mode_for(replacing: os.stat_result | None) -> int:
    if replacing is not None:
        return stat.S_IMODE(replacing.st_mode)  # replacing a file keeps its permissions
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: sync the folder's entry)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def cmd_import(args: argparse.Namespace) -> int:
    fmt = transfer.Format(args.format) if args.format else None
    if args.file == "-":
        if fmt is None:
            return fail("reading standard input needs --format", EXIT_USAGE)
        # Read up to the import limit only: `taskflow import - < /dev/zero` is refused.
        if hasattr(sys.stdin, "buffer"):
            raw = transfer.read_limited(sys.stdin.buffer, "standard input")
        else:
            raw = sys.stdin.read(transfer.MAX_IMPORT_BYTES + 1).encode("utf-8")
        parsed = transfer.parse_bytes(raw, fmt, name="standard input")
        name = "standard input"
    else:
        parsed = transfer.read_file(Path(args.file), fmt)
        name = args.file
    for message in parsed.warnings:
        warn(message)
    with opened(args) as store:
        outcome = store.import_tasks(parsed.tasks, dry_run=args.dry_run)
    skipped = [
        *parsed.skipped,
        *(transfer.SkippedEntry("", t.title, "already here", t.id) for t in outcome.unchanged),
        *(transfer.SkippedEntry("", t.title, "newer here", t.id) for t in outcome.kept_newer),
        *(
            transfer.SkippedEntry("", t.title, "cannot be read here", t.id)
            for t in outcome.unreadable
        ),
    ]
    if args.json:
        print_json(
            {
                "file": name,
                "format": parsed.format.value,
                "dry_run": outcome.dry_run,
                "added": [transfer.task_json(task) for task in outcome.added],
                "updated": [transfer.task_json(task) for task in outcome.updated],
                "skipped": [
                    {"id": s.id or None, "title": s.title, "reason": s.reason, "where": s.where}
                    for s in skipped
                ],
                "reassigned_ids": dict(outcome.reassigned),
                "warnings": list(parsed.warnings),
            }
        )
        return EXIT_OK
    out = _human()
    reasons: dict[str, int] = {}
    for entry in skipped:
        reasons[entry.reason] = reasons.get(entry.reason, 0) + 1
    why = ", ".join(f"{count} {reason}" for reason, count in reasons.items())
    counts = (
        f"{len(outcome.added)} added, {len(outcome.updated)} updated, "
        f"{len(skipped)} skipped" + (f" ({why})" if why else "")
    )
    if outcome.dry_run:
        out.line(f"Dry run of {visible(name)} ({parsed.format.value}), nothing written: {counts}.")
    else:
        out.line(f"Imported {visible(name)} ({parsed.format.value}): {counts}.")
    for label, tasks in (("added", outcome.added), ("updated", outcome.updated)):
        _list_some(out, label, [(t.id[:SHORT_ID], t.title, "") for t in tasks])
    _list_some(
        out, "skipped", [(s.id[:SHORT_ID] or s.where, s.title, f" ({s.reason})") for s in skipped]
    )
    because = outcome.reassigned_reasons
    notes = [
        (old[:SHORT_ID], f"{because.get(old, 'is taken')}; imported as {new}", "")
        for old, new in outcome.reassigned.items()
    ]
    _list_some(out, "note", notes)
    return EXIT_OK


def _list_some(out: Output, label: str, rows: Sequence[tuple[str, str, str]]) -> None:
    style = {"added": Style.DONE, "updated": Style.ID}.get(label, Style.DIM)
    for key, title, note in rows[:LISTED_PER_KIND]:
        out.line(f"  {out.paint(label.ljust(7), style)}  {key}  {visible(title)}{note}")
    if len(rows) > LISTED_PER_KIND:
        out.line(f"  {label.ljust(7)}  … and {len(rows) - LISTED_PER_KIND:,} more")


# -- database care ---------------------------------------------------------------------------


def cmd_db_status(args: argparse.Namespace) -> int:
    location = resolve_location(getattr(args, "db", None))
    path = location.path
    exists = path is None or path.exists()
    report: dict[str, Any] = {
        "path": location.display(),
        "source": location.source.value,
        "exists": exists,
        "schema_version": None,
        "latest_version": LATEST_VERSION,
        "pending_migrations": [],
        "journal_mode": None,
        "sizes": {},
        "backups": [],
        # Who keeps copies: TaskFlow (beside a file, before migrating) or, for a
        # server, its operator (pg_dump, the server's own backups).
        "backups_by": "operator" if location.server is not None else "taskflow",
        "user": None,
        "tasks": None,
    }
    if exists:
        # Opened without migrating: status reports the file as it is.
        with opened(args, migrate=False) as store:
            report["user"] = store.user
            report["schema_version"] = store.schema_version()
            report["pending_migrations"] = store.pending_migrations()
            report["journal_mode"] = store.health().journal_mode
            if report["schema_version"] == LATEST_VERSION:
                counts = store.counts()
                report["tasks"] = {"open": counts.open, "done": counts.done}
            report["backups"] = [
                {"path": str(backup), "size": _size(backup)} for backup in store.backups()
            ]
        if path is not None:
            for label, suffix in (("database", ""), ("wal", "-wal"), ("shm", "-shm")):
                size = _size(path.with_name(path.name + suffix))
                if size is not None:
                    report["sizes"][label] = size
    if args.json:
        print_json(report)
        return EXIT_OK
    out = _human()
    out.line(f"{'Database:':<14}{visible(location.display())} ({source_words(location)})")
    if not exists:
        out.line(f"{'':<14}does not exist yet; the first change creates it")
        return EXIT_OK
    version = report["schema_version"]
    out.line(f"{'Schema:':<14}version {version} (this TaskFlow knows up to {LATEST_VERSION})")
    pending = report["pending_migrations"]
    out.line(f"{'Pending:':<14}{', '.join(pending) if pending else 'none'}")
    if location.server is None:
        out.line(f"{'Journal mode:':<14}{report['journal_mode']}")
    sizes = report["sizes"]
    if sizes:
        parts = [human_size(sizes.get("database", 0))]
        parts += [
            f"{label} {human_size(sizes[label])}" for label in ("wal", "shm") if label in sizes
        ]
        out.line(f"{'Size:':<14}{parts[0]}" + (f" (+ {', '.join(parts[1:])})" if parts[1:] else ""))
    out.line(f"{'User:':<14}{visible(report['user'])}")
    if report["tasks"] is not None:
        out.line(f"{'Tasks:':<14}{report['tasks']['open']} open, {report['tasks']['done']} done")
    if location.server is not None:
        out.line(
            f"{'Backups:':<14}the server operator's job (pg_dump); TaskFlow makes none "
            "before migrating a server"
        )
        return EXIT_OK
    backups = report["backups"]
    out.line(f"{'Backups:':<14}{len(backups) if backups else 'none'}")
    for backup in backups:
        size = human_size(backup["size"]) if backup["size"] is not None else "?"
        out.line(f"{'':<14}{visible(backup['path'])}  {size}")
    return EXIT_OK


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def cmd_db_migrate(args: argparse.Namespace) -> int:
    # The store counts what a step down would drop and asks before it; the question is
    # the command line's.
    dropped: list[DataLoss] = []
    asked = False

    def go_ahead(loss: DataLoss) -> bool:
        """--yes, or 'y' typed on a terminal; a script without --yes is refused."""
        nonlocal asked
        if not args.yes:
            if not (_is_terminal(sys.stdin) and _is_terminal(sys.stderr)):
                return False
            asked = True
            print(
                f"Going down to schema version {loss.target} drops {loss.describe()}. "
                "Go ahead? [y/N] ",
                end="",
                file=sys.stderr,
                flush=True,
            )
            if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                return False
        dropped.append(loss)
        return True

    # Opened without migrating, so that a target below the latest is not first upgraded.
    try:
        with opened(args, migrate=False) as store:
            report = store.migrate(args.to, confirm=go_ahead)
    except DataLossError as error:
        return fail(str(error) if asked else f"{error} To drop them, run it again with --yes.")
    if args.json:
        print_json(
            {
                "from_version": report.from_version,
                "to_version": report.to_version,
                "applied": list(report.applied),
                "backup": None if report.backup is None else str(report.backup),
                "dropped": dropped[0].as_dict() if dropped else {},
            }
        )
        return EXIT_OK
    out = _human()
    if not report.changed:
        out.line(f"Already at schema version {report.to_version}; nothing to do.")
        return EXIT_OK
    out.line(
        f"Migrated from schema version {report.from_version} to {report.to_version}: "
        + ", ".join(report.applied)
        + "."
    )
    if dropped:
        out.line(f"Dropped {dropped[0].describe()}.")
    if report.backup is not None:
        out.line(f"Backup of the previous version: {visible(str(report.backup))}")
    return EXIT_OK


def cmd_db_check(args: argparse.Namespace) -> int:
    with opened(args, migrate=False, existing=True) as store:
        health = store.health()
        integrity = store.integrity_check()
        where = store.describe()
    problems = list(health.problems)
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    if args.json:
        print_json(
            {
                "ok": not problems,
                "journal_mode": health.journal_mode,
                "foreign_keys": health.foreign_keys,
                "schema_version": health.schema_version,
                "latest_version": health.latest_version,
                "quick_check": health.quick_check,
                "integrity_check": integrity,
                "problems": problems,
            }
        )
    else:
        out = _human()
        verdict = {
            True: out.paint("ok".ljust(7), Style.DONE),
            False: out.paint("PROBLEM", Style.BAD),
        }
        journal_ok = not any(problem.startswith("journal mode") for problem in health.problems)
        rows = [
            ("Journal mode", health.journal_mode, journal_ok),
            ("Foreign keys", "on" if health.foreign_keys else "off", health.foreign_keys),
            (
                "Schema",
                f"version {health.schema_version} of {health.latest_version}",
                health.schema_version == health.latest_version,
            ),
            ("Quick check", health.quick_check, health.quick_check == "ok"),
            ("Integrity", integrity, integrity == "ok"),
        ]
        out.line(f"Checking {visible(where)}")
        for label, value, good in rows:
            out.line(f"  {label + ':':<15}{verdict[good]}  {visible(value)}")
    if problems:
        return fail(f"check of {where} found problems: {'; '.join(problems)}")
    return EXIT_OK


def cmd_db_backup(args: argparse.Namespace) -> int:
    with opened(args) as store:
        target = _backup_target(store, args.path)
        made = store.backup(target)
        source = store.describe()
    size = _size(made)
    if args.json:
        print_json({"database": source, "backup": str(made), "size": size})
        return EXIT_OK
    shown = f" ({human_size(size)})" if size is not None else ""
    _human().line(f"Backed up {visible(source)} to {visible(str(made))}{shown}.")
    return EXIT_OK


def _backup_target(store: TaskStore, given: str | None) -> Path | None:
    if given is None:
        return None
    target = Path(given).expanduser()
    if target.is_dir():
        name = store.path.name if store.path is not None else "tasks.db"
        stamp = datetime.now().astimezone().strftime("%Y%m%dT%H%M%S")
        target = target / f"{name}.backup-{stamp}"
    if target.exists():
        raise ValidationError("path", f"{target} already exists; a backup never overwrites.")
    folder = target.absolute().parent
    if not folder.is_dir():
        raise ValidationError("path", f"There is no folder {folder}.")
    if not _may_write_into(folder):
        # Said here, naming the target: SQLite would only say it cannot open "the
        # database", which reads as if the live file were the problem.
        raise StoreError(f"Cannot write the backup {target}: permission denied in {folder}.")
    return target


def _may_write_into(folder: Path) -> bool:
    """Whether the caller may create a file in ``folder`` (write and search)."""
    wanted = os.W_OK | os.X_OK
    if os.access in os.supports_effective_ids:
        return os.access(folder, wanted, effective_ids=True)
    return os.access(folder, wanted)


def _human() -> Output:
    _forgiving_stdout()
    return Output()


if __name__ == "__main__":
    sys.exit(main())
