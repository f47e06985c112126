"""taskflow sync, sync setup, sync status, sync forget: CalDAV sync (store/syncing.py).

The password comes from a prompt on a terminal, ``--password-stdin`` or
``TASKFLOW_SYNC_PASSWORD``, is kept by store/secrets.py (the system keyring, else a
0600 file), and appears in no output: messages name the server and the user only.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from store import StoreError, ValidationError
from store.dav import CalDavClient, DavError
from store.secrets import forget_password, load_password, password_place, save_password
from store.sync_rows import AccountRecord
from store.syncing import SyncReport, setup_account, sync_once
from tui.cli.output import EXIT_FAILURE, EXIT_OK, fail, human, is_terminal, print_json
from tui.cli.store_access import opened
from tui.text import visible

PASSWORD_ENV = "TASKFLOW_SYNC_PASSWORD"


def cmd_sync(args: argparse.Namespace) -> int:
    """One sync of every account set up; exit 1 when something failed."""
    with opened(args) as store:
        accounts = store.sync_rows().accounts()
        if not accounts:
            return fail("No sync account is set up: taskflow sync setup URL --username NAME")
        total = SyncReport()
        failed = False
        fatal: list[str] = []
        for account in accounts:
            password = _stored_password(account)
            if password is None:
                total.errors.append(
                    f"{_who(account)}: no password kept; run taskflow sync setup again"
                )
                failed = True
                continue
            client = CalDavClient(account.url, account.username, password)
            try:
                report = sync_once(store, account, client, now=args.clock)
            except DavError as error:
                fatal.append(f"{_who(account)}: {error}")
                total.errors.append(fatal[-1])
                failed = True
                continue
            for name, details in vars(report).items():
                getattr(total, name).extend(details)
            failed = failed or bool(report.errors)
    if len(fatal) == len(accounts) and not args.json:
        return fail(" · ".join(fatal))  # nothing synced: the reason, in one line
    if args.json:
        print_json(total.as_json())
    else:
        _print_report(total)
    return EXIT_FAILURE if failed or total.errors else EXIT_OK


def cmd_sync_setup(args: argparse.Namespace) -> int:
    password = _password(args)
    if not password:
        raise ValidationError("password", "A password is needed (it is not shown or logged).")
    client = CalDavClient(args.url, args.username, password)
    with opened(args) as store:
        try:
            account, linked = setup_account(store, client, inbox=args.inbox, now=args.clock())
        finally:
            client.close()
        where = save_password(account.id, password)
    out = human()
    out.line(f"Set up {visible(_who(account))}; its password is kept in {visible(where)}.")
    for line in linked:
        out.line(f"  linked  {visible(line)}")
    out.line("Run taskflow sync to sync now.")
    return EXIT_OK


def cmd_sync_status(args: argparse.Namespace) -> int:
    with opened(args) as store:
        accounts = store.sync_rows().accounts()
        lists = {a.id: store.sync_rows().lists(a.id) for a in accounts}
        paths = store.project_paths()
    entries: list[dict[str, Any]] = []
    for account in accounts:
        entries.append(
            {
                "url": account.url,
                "username": account.username,
                "password_kept_in": password_place(account.id),
                "synced_at": account.synced_at.isoformat() if account.synced_at else None,
                "last_error": account.last_error,
                "lists": [
                    {
                        "name": link.name,
                        "project": paths.get(link.project_id) if link.project_id else "Inbox",
                    }
                    for link in lists[account.id]
                ],
            }
        )
    if args.json:
        print_json(entries)
        return EXIT_OK
    out = human()
    if not entries:
        out.line("No sync account is set up: taskflow sync setup URL --username NAME")
    for entry in entries:
        out.line(f"{visible(entry['username'])} at {visible(entry['url'])}")
        kept = entry["password_kept_in"] or "nowhere (run taskflow sync setup again)"
        out.line(f"  password  kept in {visible(kept)}")
        synced = entry["synced_at"] or "never"
        out.line(f"  synced    {synced}")
        if entry["last_error"]:
            out.line(f"  failed    {visible(entry['last_error'])}")
        for found in entry["lists"]:
            out.line(f"  list      {visible(found['name'])} ↔ {visible(found['project'])}")
    return EXIT_OK


def cmd_sync_forget(args: argparse.Namespace) -> int:
    with opened(args) as store:
        rows = store.sync_rows()
        matching = [a for a in rows.accounts() if args.account in (a.url, a.username, _who(a))]
        if not matching:
            return fail(f"No sync account {args.account!r} (taskflow sync status lists them).")
        if len(matching) > 1:
            return fail(f"{args.account!r} names more than one account: give its URL.")
        (account,) = matching
        rows.forget_account(account.id)
        forget_password(account.id)
    human().line(f"Forgot {visible(_who(account))}; the tasks stay here and on the server.")
    return EXIT_OK


def _who(account: AccountRecord) -> str:
    return f"{account.username} at {account.url}"


def _stored_password(account: AccountRecord) -> str | None:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    try:
        return load_password(account.id)
    except StoreError:
        return None


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if is_terminal(sys.stdin):
        return getpass.getpass(f"Password for {args.username} at {args.url}: ")
    raise ValidationError(
        "password",
        f"No password: give --password-stdin, set {PASSWORD_ENV}, or run it on a terminal.",
    )


def _print_report(report: SyncReport) -> None:
    out = human()
    counts = ", ".join(
        f"{len(getattr(report, name))} {name}"
        for name in ("pulled", "pushed", "merged", "conflicts", "deleted", "errors")
    )
    out.line(f"Synced: {counts}.")
    for name in ("pulled", "pushed", "merged", "conflicts", "deleted", "errors"):
        for detail in getattr(report, name):
            out.line(f"  {name:<9} {visible(detail)}")
