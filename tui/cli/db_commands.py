"""taskflow db: status, migrate, check and backup of the database."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from store import (
    LATEST_VERSION,
    DataLoss,
    DataLossError,
    StoreError,
    TaskStore,
    ValidationError,
)
from tui.cli.output import EXIT_OK, Style, fail, human, human_size, is_terminal, print_json
from tui.cli.store_access import (
    location_from_args,
    opened,
    refuse_an_unusable_place,
    source_words,
)
from tui.text import visible


def cmd_db_status(args: argparse.Namespace) -> int:
    location = location_from_args(args)
    path = location.path
    exists = path is None or path.exists()
    if not exists:
        refuse_an_unusable_place(location)  # rather than "the first change creates it"
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
    out = human()
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
        shown = human_size(backup["size"]) if backup["size"] is not None else "?"
        out.line(f"{'':<14}{visible(backup['path'])}  {shown}")
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
            if not (is_terminal(sys.stdin) and is_terminal(sys.stderr)):
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
    out = human()
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
        out = human()
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
    human().line(f"Backed up {visible(source)} to {visible(str(made))}{shown}.")
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
