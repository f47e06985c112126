"""Peewee without the PostgreSQL driver until a server is asked for.

peewee imports psycopg (and psycopg2) at its own import whenever they are
installed, which costs about 200 ms: more than the rest of a ``taskflow add`` on a
SQLite file. So the store imports peewee with the drivers hidden, and
``bind_psycopg`` hands psycopg to peewee when a PostgreSQL database is opened,
setting the same names peewee's import would have set (peewee is pinned below 5;
tests/cli/test_start_cost.py checks the server path end to end).
"""

from __future__ import annotations

import sys
from types import ModuleType

# What peewee tries to import at its top, in that order; none is used on SQLite.
_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")


def import_peewee() -> ModuleType:
    """peewee, imported (once) with the database drivers hidden from it."""
    loaded = sys.modules.get("peewee")
    if loaded is not None:
        return loaded
    hidden = [name for name in _DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # None makes import fail
    try:
        import peewee
    finally:
        for name in hidden:
            if sys.modules.get(name, ModuleType(name)) is None:
                del sys.modules[name]
    return peewee


def bind_psycopg() -> None:
    """Give peewee psycopg 3, as its own import does when the driver is installed.

    Raises ImportError when psycopg is not installed."""
    import peewee
    import psycopg  # first, so that a driver made unimportable says so every time

    if peewee.psycopg is not None:  # type: ignore[attr-defined]
        return
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    adapter = peewee.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
    peewee.TransactionStatus = TransactionStatus  # type: ignore[attr-defined]
    peewee.Json_pg3 = Json  # type: ignore[attr-defined]
    peewee.Jsonb_pg3 = Jsonb  # type: ignore[attr-defined]
    peewee.psycopg = psycopg  # type: ignore[attr-defined]  # last: it says "bound"


import_peewee()
