"""The `taskflow` command: no sub-command opens the full-screen app; sub-commands script it.

Nothing here imports textual at module level: a scripted `taskflow add` must cost
little more than Python's own start, so the app is imported only when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from store import DB_ENV_VAR, USER_ENV_VAR, StoreError, TaskStore, open_store

EXIT_OK = 0
EXIT_FAILURE = 1  # a user-level failure: not found, conflict, validation, bad file
EXIT_USAGE = 2


def package_version() -> str:
    try:
        return version("taskflow")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taskflow",
        description="A keyboard-driven task manager for the terminal. "
        "Without a command, opens the full-screen app.",
        epilog=f"Database: --db PATH, else ${DB_ENV_VAR}, else the user data folder. "
        f"Owner: --user NAME, else ${USER_ENV_VAR}, else your login name.",
    )
    add_global_options(parser)
    parser.add_argument("--version", action="version", version=f"taskflow {package_version()}")
    parser.set_defaults(handler=None)
    return parser


def add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help=f"database file or sqlite:/// URL (default: ${DB_ENV_VAR} or the user data folder)",
    )
    parser.add_argument(
        "--user", metavar="NAME", help=f"owner of the tasks (default: ${USER_ENV_VAR} or login)"
    )


def open_from_args(args: argparse.Namespace, *, migrate: bool = True) -> TaskStore:
    return open_store(args.db, user=args.user, migrate=migrate)


def fail(message: str, code: int = EXIT_FAILURE) -> int:
    """One line on stderr, never a traceback."""
    print(f"taskflow: {message}", file=sys.stderr)
    return code


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = args.handler
    try:
        if handler is None:
            return run_app(args)
        return handler(args)
    except StoreError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
