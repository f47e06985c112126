"""taskflow export and taskflow import: a file in, a file out, and what was done."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import TextIO, cast

from store import EventRecord, StoreError, TaskRecord, TaskStore, ValidationError, transfer
from store.files import error_reason, write_atomically
from tui.cli.export_target import (
    ExportTarget,
    find_export_target,
    is_standard_output,
    open_stream,
    refuse_overwriting_the_database,
)
from tui.cli.output import (
    EXIT_OK,
    EXIT_USAGE,
    SHORT_ID,
    Output,
    Style,
    fail,
    human,
    is_terminal,
    json_escaped,
    output_error,
    print_json,
    standard_output,
    utf8_stdout,
    warn,
)
from tui.cli.store_access import opened
from tui.text import visible

LISTED_PER_KIND = 50  # import lists at most this many tasks of each kind, then counts

# What export_tasks yields: a task, and its history when asked for.
ExportPage = tuple[TaskRecord, list[EventRecord] | None]


def cmd_export(args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    fmt = transfer.Format(args.format) if args.format else _format_from_name(output)
    if args.events and fmt is not transfer.Format.JSON:
        return fail("--events needs --format json (only our JSON carries history)", EXIT_USAGE)
    target = None
    if output is not None:
        _refuse_an_output_that_cannot_be_written(output)
        target = find_export_target(output)  # what the name leads to, refused if unfit
    with opened(args, existing=True) as store:
        if target is not None:
            refuse_overwriting_the_database(store, target)
        # export_tasks is a generator (closing it ends its read snapshot), though its
        # annotation promises only an Iterator.
        scope = _project_scope(store, args.project) if args.project is not None else None
        # Read before the export's snapshot opens (they are kept apart from the tasks).
        objects = store.ical_objects() if fmt is transfer.Format.ICS else {}
        snapshot = cast(Generator[ExportPage], store.export_tasks(events=args.events))
        rows = contextlib.closing(snapshot)

        def write(stream: TextIO) -> int:
            with rows as all_pages:  # ends the read snapshot even if writing fails
                pages = (
                    all_pages
                    if scope is None
                    else (page for page in all_pages if page[0].project_id in scope)
                )
                if fmt is transfer.Format.JSON:
                    return transfer.write_json(pages, stream, store.project_paths())
                tasks = (task for task, _ in pages)
                if fmt is transfer.Format.CSV:
                    return transfer.write_csv(tasks, stream, store.project_paths())
                if fmt is transfer.Format.ICS:
                    return transfer.write_ics(tasks, stream, objects, store.project_paths())
                return transfer.write_todotxt(tasks, stream, store.project_paths())

        if target is None:
            utf8_stdout()
            stream = standard_output()
            sink = _Sink(stream, _terminal_view(fmt, stream), output_error)
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
    out = Output(sys.stderr) if target and is_standard_output(target) else human()
    out.line(f"Exported {count} {noun} to {visible(str(output))} ({fmt.value}).")
    return EXIT_OK


def _project_scope(store: TaskStore, path: str) -> frozenset[str | None]:
    """The projects ``export --project PATH`` takes: it and those under it ('': the Inbox)."""
    if not path.strip():
        return frozenset({None})
    return frozenset(store.project_scope(store.project(path).id))


def _format_from_name(path: Path | None) -> transfer.Format:
    suffix = path.suffix.lower() if path is not None else ""
    if suffix == ".csv":
        return transfer.Format.CSV
    if suffix == ".ics":
        return transfer.Format.ICS
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


def _stream_to(
    store: TaskStore,
    target: ExportTarget,
    write: Callable[[TextIO], int],
    fmt: transfer.Format,
) -> int:
    """A FIFO, a device or an open descriptor: written in place, with no temporary file
    (there is nothing to rename over). Opened without creating or truncating anything;
    appending, so that `-o /dev/stdout >> log` adds to the log as the shell meant."""

    def failed(error: OSError) -> StoreError:
        return StoreError(f"Cannot write {target.given}: {error_reason(error)}.")

    try:
        descriptor = open_stream(target)
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
            refuse_overwriting_the_database(store, target, os.fstat(descriptor))
            sink = _Sink(stream, _terminal_view(fmt, stream), failed)
            count = write(cast(TextIO, sink))
            sink.flush()
    except OSError as error:  # closing it, after the data
        raise failed(error) from None
    return count


def _pictured(text: str) -> str:
    """CSV and todo.txt text as tui.text.visible shows it (ESC as ␛), lines kept; CSV's
    own \\r\\n line ends stay as they are."""
    return "\r\n".join(visible(part, keep_lines=True) for part in text.split("\r\n"))


def _terminal_view(fmt: transfer.Format, stream: TextIO) -> Callable[[str], str] | None:
    """How an export shows user text on a terminal, where a person reads it and an
    escape sequence in a title would act (an OSC 52 clipboard write, a link, a colour).
    A file or a pipe gets the exact bytes: an export must round-trip."""
    if not is_terminal(stream):
        return None
    return json_escaped if fmt is transfer.Format.JSON else _pictured


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
        outcome = store.import_tasks(parsed.tasks, projects=parsed.projects, dry_run=args.dry_run)
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
                "reassigned_series_ids": dict(outcome.reassigned_series),
                "renumbered_occurrences": {
                    task_id: {"file": old, "here": new}
                    for task_id, (old, new) in outcome.renumbered.items()
                },
                "rules_dropped": list(outcome.rule_dropped),
                "left_out": dict(outcome.left_out),
                "warnings": list(parsed.warnings),
            }
        )
        return EXIT_OK
    out = human()
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
    notes += [
        (old[:SHORT_ID], f"is another owner's series here; imported as series {new}", "")
        for old, new in outcome.reassigned_series.items()
        if old not in outcome.reassigned  # a task's id: said just above
    ]
    notes += [
        (
            task_id[:SHORT_ID],
            f"occurrence {old} of its series is another task's here; imported as occurrence {new}",
            "",
        )
        for task_id, (old, new) in outcome.renumbered.items()
    ]
    notes += [
        (
            task_id[:SHORT_ID],
            "its series has another open occurrence here, which keeps the rule; "
            "imported without it",
            "",
        )
        for task_id in outcome.rule_dropped
    ]
    notes += [
        (task_id[:SHORT_ID], f"not imported: {why}", "")
        for task_id, why in outcome.left_out.items()
    ]
    _list_some(out, "note", notes)
    return EXIT_OK


def _list_some(out: Output, label: str, rows: Sequence[tuple[str, str, str]]) -> None:
    style = {"added": Style.DONE, "updated": Style.ID}.get(label, Style.DIM)
    for key, title, note in rows[:LISTED_PER_KIND]:
        out.line(f"  {out.paint(label.ljust(7), style)}  {key}  {visible(title)}{note}")
    if len(rows) > LISTED_PER_KIND:
        out.line(f"  {label.ljust(7)}  … and {len(rows) - LISTED_PER_KIND:,} more")
