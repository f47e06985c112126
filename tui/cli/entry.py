"""Running one command: parse, check the arguments, call the command, and turn every
failure into one line and an exit code. No sub-command runs the app; only the bare
``taskflow`` does, and only it imports textual (lazily, in ``run_app``)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

# store/__init__.py imports utc_now but leaves it out of __all__: drop the ignore once listed.
from store import (
    StoreError,
    ValidationError,
    utc_now,
)
from tui.cli.output import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_USAGE,
    OutputError,
    drop_unwritten_output,
    fail,
    flush_standard_output,
    has_terminal,
    hold_closed_standard_streams,
    warn,
)
from tui.cli.parser import Command, build_parser
from tui.cli.settings_access import load_all, problem_lines, read_settings, refusals
from tui.cli.store_access import open_from_args

if TYPE_CHECKING:
    from tui.settings import Settings


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], datetime] | None = None) -> int:
    """Run one command. ``clock`` (UTC, as the store's) is for tests: what "today" is
    for dates in plain words and for list --today, and the time changes are stamped."""
    hold_closed_standard_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.config is not None and not os.fspath(args.config).strip():
            # Not the default file, quietly: the option was given, with nothing in it.
            parser.error("--config needs a path")
    except SystemExit as exit_request:  # --help, --version, or a usage error
        code = exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
        try:
            flush_standard_output()
        except OutputError as error:
            return _output_failed(None, error)
        return code
    args.clock = clock or utc_now
    handler: Command | None = args.handler
    try:
        _refuse_text_that_is_not_characters(args)
        if handler is None:
            # Only the real command line (the script, python -m tui) is checked: a
            # program calling main() with arguments of its own, such as the test
            # harness that runs the app headless, brings its own screen.
            if argv is None and not has_terminal():
                return fail(APP_NEEDS_A_TERMINAL, EXIT_USAGE)
            # The app shows the config file's problems itself, in a notification; but
            # it does not start on a database or owner the file gets wrong.
            args.settings = load_all(args)
            if refusals(args.settings):
                return _refuse(args.settings)
            return run_app(args)
        # Read once, here; None when there is no config file (the defaults, at no cost).
        args.settings = read_settings(args)
        if args.settings is not None and handler.module != "config_commands":
            # The config commands report the file's problems themselves.
            if refusals(args.settings):
                return _refuse(args.settings)
            # A bad line keeps its setting's default: say so, and carry on.
            for problem in args.settings.problems:
                warn(str(problem))
        code = handler(args)
        # Written here, not at exit: a full disk must be reported while we still can.
        flush_standard_output()
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


def _refuse(settings: Settings) -> int:
    """A database or owner the config file gets wrong, that no option or variable
    overrides: the file's other problems as warnings, then that one line (each, if
    both), and exit 1, before anything is opened or created."""
    for line, fatal in problem_lines(settings):
        if not fatal:
            warn(line)
    for line in refusals(settings):
        fail(line)
    return EXIT_FAILURE


def _output_failed(args: argparse.Namespace | None, error: OutputError) -> int:
    """One line: what could not be written, and whether the change was saved anyway,
    so that a script does not repeat a command whose work is done."""
    drop_unwritten_output()
    saved = _what_was_saved(args) if args is not None else None
    if saved is None:
        return fail(f"Could not write the output: {error.reason}.", EXIT_OUTPUT)
    return fail(
        f"{saved}, but the output could not be written ({error.reason}); "
        "do not run the command again.",
        EXIT_OUTPUT,
    )


def _what_was_saved(args: argparse.Namespace) -> str | None:
    """What a command had already done when its output failed; None if nothing."""
    handler: Command | None = getattr(args, "handler", None)
    if handler is None:  # the app, or no command at all
        return None
    if handler.function == "cmd_import":
        return None if args.dry_run else "The import was saved"
    if handler.function == "cmd_export":
        return f"The export was written to {args.output}" if args.output else None
    saved = {
        "cmd_add": "The new task was saved",
        "cmd_edit": "The change was saved",
        "cmd_done": "The change was saved",
        "cmd_undone": "The change was saved",
        "cmd_skip": "The change was saved",
        "cmd_rm": "The deletion was saved",
        "cmd_undo": "The undo was saved",
        "cmd_db_backup": "The backup was made",
        "cmd_db_migrate": "The schema is at the version asked for (any migration was saved)",
    }
    return saved.get(handler.function)


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
    "repeat": "--repeat",
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
        # Textual and the app's modules make some hundred thousand objects that live as
        # long as the process: the collector, walking them again and again while they
        # load, cost about a tenth of the launch (measured in tmux, benchmarks/peers.py).
        # They load with it paused, then are set aside from its later rounds (freeze).
        gc.disable()
        try:
            from tui.app import make_app  # deferred: only the app pays for importing textual

            app = make_app(store, settings=args.settings)
        finally:
            gc.freeze()
            gc.enable()
        app.run()
        return app.return_code or EXIT_OK
    finally:
        store.close()
