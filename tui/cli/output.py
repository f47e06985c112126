"""What the command line writes, and how it ends: plain text, ANSI colour only on a terminal.

Every failure is one line on stderr, ``taskflow: <message>``, never a traceback.
Exit codes: 0 success, 1 a user-level failure (not found, ambiguous, conflict,
invalid input, bad file, any StoreError), 2 a usage error (argparse, or the app
without a terminal), 74 the output could not be written (a change it reports was
saved all the same), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from store import formats
from store.files import error_reason
from tui.text import visible

if TYPE_CHECKING:
    from store import DateStyle

EXIT_OK = 0
EXIT_FAILURE = 1  # a user-level failure: not found, conflict, validation, bad file
EXIT_USAGE = 2
# The command did its work (a change it made is saved) but standard output could not
# be written: full, closed, or failing. 74 is EX_IOERR in sysexits.h. A script that
# retries on failure must not retry on this one, or it adds the task twice.
EXIT_OUTPUT = 74
EXIT_INTERRUPTED = 130

SHORT_ID = 8  # ids are shown at least this long, longer where needed to stay unique
# After a repeating task's title in list, and before its rule in words, as the app shows
# it; Output.symbol gives the words instead where the output cannot carry it.
REPEATS = "\N{CLOCKWISE OPEN CIRCLE ARROW}"  # ↻

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
    return all(is_terminal(stream) for stream in (sys.stdin, sys.stdout))


def is_terminal(stream: TextIO | None) -> bool:
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
        self.is_terminal = is_terminal(self.stream)

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{style}m{text}\x1b[0m" if self.colour and text else text

    def symbol(self, text: str, fallback: str) -> str:
        """``text`` if the stream's character set has it, else ``fallback`` (plain
        ASCII): on a terminal that cannot show ↻ a mark still says something, not '?'."""
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        try:
            text.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            return fallback
        return text

    def line(self, text: str = "") -> None:
        self.lines([text])

    def lines(self, texts: list[str]) -> None:
        """Lines in one write (a list of 10,000 tasks, say)."""
        if self.stream is None:  # started with standard output closed (`>&-`)
            raise OutputError(STDOUT_CLOSED)
        if texts:
            with output_errors():
                self.stream.write("\n".join(texts) + "\n")

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


def human() -> Output:
    """Standard output for what a person reads: a character it cannot show is replaced."""
    forgiving_stdout()
    return Output()


def local_time(moment: datetime, style: DateStyle | None = None) -> str:
    """Times are stored in UTC and shown in the local zone: '2026-11-20 17:30', or with
    a 12-hour ``style`` (the config file's time_format) '2026-11-20 5:30pm'."""
    local = moment.astimezone()
    if style is None or style.hours == 24:
        return f"{local:%Y-%m-%d %H:%M}"
    return f"{local:%Y-%m-%d} {style.time(local.time())}"


def local_time_width(style: DateStyle | None = None) -> int:
    """The widest ``local_time`` in ``style``: '2026-11-20 17:30', '2026-11-20 12:30pm'."""
    return 16 if style is None or style.hours == 24 else 18


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
    utf8_stdout()
    stream = standard_output()
    text = formats.dumps(value) + "\n"
    if is_terminal(stream):  # as an export to a terminal: C1 and bidi as \u escapes
        text = json_escaped(text)
    with output_errors():
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


def standard_output() -> TextIO:
    """sys.stdout, which Python leaves as None when the command started without one."""
    if sys.stdout is None:
        raise OutputError(STDOUT_CLOSED)
    return sys.stdout


@contextlib.contextmanager
def output_errors() -> Iterator[None]:
    """A failed write to standard output as an OutputError; a broken pipe passes as it is."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise output_error(error) from None
    except ValueError:  # "I/O operation on closed file"
        raise OutputError(STDOUT_CLOSED) from None


def output_error(error: OSError) -> OSError | OutputError:
    if isinstance(error, BrokenPipeError):
        return error
    if error.errno == errno.EBADF:
        return OutputError(STDOUT_CLOSED)
    return OutputError(error_reason(error))


def utf8_stdout() -> None:
    """Machine output is UTF-8 whatever the locale says, so that nothing is lost."""
    # sys.stdout is typed TextIO, which has no reconfigure; a replaced stream (a test's,
    # a wrapper's) may lack it at run time too: hence the AttributeError.
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]


def forgiving_stdout() -> None:
    """Human output never fails on a character the terminal cannot show."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]  # as above


def fail(message: str, code: int = EXIT_FAILURE) -> int:
    """One line on stderr, never a traceback."""
    print(f"taskflow: {visible(' '.join(message.split()))}", file=sys.stderr)
    return code


def warn(message: str) -> None:
    print(f"taskflow: warning: {visible(message)}", file=sys.stderr)


# -- standard streams closed at start -------------------------------------------------------


def hold_closed_standard_streams() -> None:
    """Started with standard output or error closed (`>&-`): put /dev/null on those
    descriptors, so that no file this command opens lands on 1 or 2, where a stray
    write (ours or a library's) would go into it. sys.stdout stays None, which is how
    the output code knows that there is nowhere to write; a closed stderr becomes
    /dev/null, since print() to a None stderr would write the error onto stdout."""
    for descriptor in (1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            HELD_CLOSED.add(descriptor)
            with contextlib.suppress(OSError):
                held = os.open(os.devnull, os.O_RDWR)
                if held != descriptor:
                    os.dup2(held, descriptor)
                    os.close(held)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives to exit)


# Standard descriptors that were closed at start and now hold /dev/null.
HELD_CLOSED: set[int] = set()


def flush_standard_output() -> None:
    if sys.stdout is not None:
        with output_errors():
            sys.stdout.flush()


def drop_unwritten_output() -> None:
    """Python flushes stdout once more at exit; what failed would fail again there,
    with a traceback of its own and exit status 120. Only the process's own stdout is
    redirected (not a stream a test or a caller put in its place)."""
    stream = sys.stdout
    if stream is not sys.__stdout__ or stream is None:
        return
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


# -- JSON on a terminal (print_json, and an export to one) ------------------------------------

# What JSON leaves raw in its strings that a terminal may obey or that reorders the line:
# DEL, C1 controls, bidirectional formatting, unpaired surrogates. (json.dumps already
# escapes C0, ESC among them.)
_JSON_RAW = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_escaped(text: str) -> str:
    """The same JSON with those characters as \\u escapes: it still reads back the same."""
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
