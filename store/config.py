"""Where the database is and who the user is, resolved the same way for every entry point.

``--db PATH`` beats ``TASKFLOW_DB_PATH``, which beats the config file's ``database``,
which beats the platformdirs user data dir. Any of them may also be a ``postgresql://``
URL, for a team's shared server. The owner likewise: ``--user``, ``TASKFLOW_USER``, the
config file's ``user``, the OS user. What the config file says comes in as a
``Configured`` (the front end reads the file), so that a value that cannot be used is
refused naming the file, the line and the setting.
Nothing here touches the file system: the parent folder is created when the
store opens the database, never at import or resolution time.
"""

from __future__ import annotations

import getpass
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from store.errors import LocationError, UnsupportedDatabaseURL, ValidationError

DB_ENV_VAR = "TASKFLOW_DB_PATH"
USER_ENV_VAR = "TASKFLOW_USER"
APP_NAME = "taskflow"
DEFAULT_FILE_NAME = "tasks.db"
MEMORY = ":memory:"

# A scheme followed by "://". A bare Windows drive ("C:\\...") has no "//" and is a path.
_URL_PATTERN = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>.*)$", re.DOTALL)


class Source(Enum):
    """Which setting chose the database location (shown by `db status`)."""

    ARGUMENT = "--db"
    ENVIRONMENT = DB_ENV_VAR
    CONFIG = "config"  # the config file's `database` (DatabaseLocation.configured says where)
    DEFAULT = "default"


@dataclass(frozen=True)
class Configured:
    """A value the config file gives a setting (``database``, ``user``), and where the
    file says it: messages about it name the file, the line and the setting."""

    value: str
    file: Path
    setting: str
    where: str = ""  # "line 3"; "" when the line is not known

    def place(self) -> str:
        """'/home/me/.config/taskflow/config.toml, line 3'."""
        return f"{self.file}, {self.where}" if self.where else str(self.file)

    def refusal(self, message: str) -> str:
        """``message`` as one line about this setting, as the config's other problems are
        written: 'FILE, line 3: database: MESSAGE'."""
        return f"{self.place()}: {self.setting}: {message}"


@dataclass(frozen=True)
class ServerAddress:
    """A PostgreSQL server and database. The password is kept out of every message:
    ``repr`` and ``display`` never show it."""

    host: str
    port: int
    database: str
    user: str | None
    password: str | None = field(default=None, repr=False)
    # libpq settings from the URL's query (?sslmode=require&options=-csearch_path%3Dx).
    settings: tuple[tuple[str, str], ...] = ()

    def display(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"postgresql://{who}{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class DatabaseLocation:
    """A resolved location: a SQLite file path, the in-memory database, or a server."""

    path: Path | None
    source: Source
    server: ServerAddress | None = None
    # Where the config file names it (source CONFIG), for messages; None otherwise.
    configured: Configured | None = None

    @property
    def is_memory(self) -> bool:
        return self.path is None and self.server is None

    def display(self) -> str:
        if self.server is not None:
            return self.server.display()
        return MEMORY if self.path is None else str(self.path)


def default_database_path() -> Path:
    """The per-user default, e.g. ``~/.local/share/taskflow/tasks.db`` on Linux."""
    import platformdirs  # here: only a start without --db or TASKFLOW_DB_PATH needs it

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / DEFAULT_FILE_NAME


def resolve_location(
    db: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    configured: Configured | None = None,
) -> DatabaseLocation:
    """Resolve ``--db`` (if given), then ``TASKFLOW_DB_PATH``, then the config file's
    ``database`` (``configured``), then the default.

    A configured value that is not a location (a bad URL) raises LocationError naming
    the file, the line and the setting. A relative path there is relative to the config
    file's folder, not to wherever the command happens to run.
    """
    environ = os.environ if environ is None else environ
    if db is not None and os.fspath(db).strip():  # a blank --db is as if not given
        return parse_location(db, Source.ARGUMENT)
    from_env = environ.get(DB_ENV_VAR, "")
    if from_env.strip():
        return parse_location(from_env, Source.ENVIRONMENT)
    if configured is not None and configured.value.strip():
        try:
            location = parse_location(configured.value, Source.CONFIG, base=configured.file.parent)
        except LocationError as error:
            raise LocationError(configured.refusal(str(error))) from None
        return replace(location, configured=configured)
    return DatabaseLocation(default_database_path(), Source.DEFAULT)


def parse_location(
    value: str | os.PathLike[str], source: Source, *, base: Path | None = None
) -> DatabaseLocation:
    """Turn a path, ``:memory:`` or an ``sqlite:///`` URL into a location.

    ``sqlite:///relative.db`` and ``sqlite:////absolute.db`` follow the SQLAlchemy
    convention users already know; any other scheme is refused with a clear message.
    A relative path is relative to ``base`` if given, else to the working folder.
    """
    text = os.fspath(value)
    if "\x00" in text:
        raise LocationError("The database path contains a NUL character.")
    match = _URL_PATTERN.match(text)
    if match is None:
        if text == MEMORY:
            return DatabaseLocation(None, source)
        return DatabaseLocation(_absolute(Path(text).expanduser(), base), source)

    scheme = match.group("scheme").lower()
    if scheme in ("postgresql", "postgres"):
        return DatabaseLocation(None, source, server=_server_address(text))
    if scheme != "sqlite":
        raise UnsupportedDatabaseURL(
            f"Unsupported database URL scheme {scheme!r}: use a file path, sqlite:///PATH "
            "or postgresql://USER:PASSWORD@HOST:PORT/DATABASE."
        )
    rest = match.group("rest")
    if not rest.startswith("/"):
        raise LocationError(
            "An sqlite URL needs three slashes: sqlite:///relative.db or sqlite:////absolute.db."
        )
    target = unquote(rest[1:].split("?", 1)[0])
    if target in ("", MEMORY):
        return DatabaseLocation(None, source)
    return DatabaseLocation(_absolute(Path(target).expanduser(), base), source)


def _server_address(url: str) -> ServerAddress:
    """postgresql://user:password@host:port/database, validated; errors never echo it."""
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError:
        raise LocationError("Invalid postgresql:// URL: check the host and port.") from None
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database or "/" in database:
        raise LocationError(
            "A PostgreSQL URL needs a host and a database: "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE."
        )
    return ServerAddress(
        host=parts.hostname,
        port=port,
        database=database,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        settings=_server_settings(parts.query),
    )


_SERVER_SETTINGS = {"sslmode", "options", "connect_timeout", "sslrootcert", "application_name"}


def _server_settings(query: str) -> tuple[tuple[str, str], ...]:
    settings = tuple(parse_qsl(query, keep_blank_values=True))
    unknown = sorted({key for key, _ in settings} - _SERVER_SETTINGS)
    if unknown:
        raise LocationError(
            f"Unknown setting(s) in the PostgreSQL URL: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_SERVER_SETTINGS))})."
        )
    return settings


_SPECIAL_FILES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_file_kind(mode: int) -> str | None:
    """What a file is (from its ``st_mode``) when it is not a regular file, in words
    ("a named pipe (FIFO)"); None for a regular file. Opening a FIFO waits for a
    writer, and a device may never end, so such a path is refused before it is opened.
    The caller does the stat: nothing here touches the file system."""
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in _SPECIAL_FILES if test(mode)), "not a regular file")


def _absolute(path: Path, base: Path | None = None) -> Path:
    # Absolute without resolving symlinks: the user's own spelling stays recognisable.
    if base is not None and not path.is_absolute():
        path = base / path
    return Path(os.path.abspath(path))


def resolve_user(
    user: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    configured: Configured | None = None,
) -> str:
    """The owner every query is scoped to: ``--user``, then ``TASKFLOW_USER``, then the
    config file's ``user`` (``configured``), then the OS user. A configured name that
    cannot be used raises ValidationError naming the file, the line and the setting:
    falling back to another owner would write tasks where the user does not look."""
    environ = os.environ if environ is None else environ
    for candidate in (user, environ.get(USER_ENV_VAR)):
        if candidate is not None and candidate.strip():
            return validate_user(candidate)
    if configured is not None and configured.value.strip():
        try:
            return validate_user(configured.value)
        except ValidationError as error:
            raise ValidationError("user", configured.refusal(str(error))) from None
    try:
        return validate_user(getpass.getuser())
    except (KeyError, OSError, ValidationError):
        # No passwd entry (some containers): one shared local owner is the honest fallback.
        return "local"


def validate_user(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or any(ch < " " or ch == "\x7f" for ch in name):
        raise ValidationError(
            "user", f"Invalid user name {name!r}: use 1 to 200 printable characters."
        )
    return name
