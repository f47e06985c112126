"""The one way many new tasks are written (create_many and imports): their rows, tag
links and 'created' events go to the driver's executemany, a batch at a time.

peewee builds each statement once: building a query per row costs several times the
insert itself at 100,000 rows (see the guide). A batch bounds the memory the rows
being built take.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from store.backend import Backend, cursor
from store.conversions import json_text
from store.fields import ROW_COLUMNS, logged_data, row_values, stored_values
from store.models import Models, format_timestamp, parse_timestamp
from store.records import EventKind, TaskRecord

# Tasks written per executemany.
WRITE_BATCH = 5000
# An event row's columns, in the order EventRows.insert takes them (the id first).
EVENT_COLUMNS = ("id", "task_id", "user", "kind", "at", "before", "after", "reverts")


class Stamps:
    """Times as the database keeps them, each distinct moment formatted once: a batch
    of new tasks shares few (often one)."""

    def __init__(self) -> None:
        self._texts: dict[datetime, str] = {}

    def __call__(self, moment: datetime) -> str:
        text = self._texts.get(moment)
        if text is None:
            text = self._texts[moment] = format_timestamp(moment)
        return text

    def read_back(self) -> dict[datetime, datetime]:
        """Each moment formatted so far, as it reads back once stored (fields.as_stored)."""
        return {moment: parse_timestamp(text) for moment, text in self._texts.items()}


class BulkInsert:
    """Statements for many new rows of one owner, built once."""

    def __init__(self, backend: Backend, models: Models, user: str) -> None:
        self._backend = backend
        self._user = user
        Task, TaskEvent = models.Task, models.TaskEvent
        self._task_sql = _statement(Task, ROW_COLUMNS)
        self._event_sql = _statement(TaskEvent, EVENT_COLUMNS)
        # Without the id, for 'created' events the database numbers.
        self._numbered_event_sql = _statement(TaskEvent, EVENT_COLUMNS[1:])
        self._link_sql = _statement(models.TaskTag, ("task", "tag"))

    def tasks(
        self,
        records: Sequence[TaskRecord],
        *,
        first_seq: int,
        tag_ids: Mapping[str, tuple[int, str]],
        logged_at: datetime,
        stamp: Stamps,
        first_event_id: int | None = None,
        with_history: Collection[str] = (),
    ) -> None:
        """Write the records (positions and tags as they are to be kept), numbered in
        the search index from ``first_seq``, each linked to its tags (``tag_ids``: the
        case-folded name -> (tag id, spelling)), and each but those ``with_history``
        with a 'created' event at ``logged_at``: numbered from ``first_event_id``, or
        by the database when it is None."""
        batch_cursor = cursor(self._backend.db)
        at = stamp(logged_at)
        created = EventKind.CREATED.value
        next_event = first_event_id
        with self._backend.bulk_insert_work(len(records), first_seq):
            for start in range(0, len(records), WRITE_BATCH):
                batch = records[start : start + WRITE_BATCH]
                task_rows: list[list[Any]] = []
                event_rows: list[tuple[Any, ...]] = []
                links: list[tuple[str, int]] = []
                for seq, record in enumerate(batch, first_seq + start):
                    stored = stored_values(record, stamp)
                    task_rows.append(row_values(record, seq, stored))
                    links.extend((record.id, tag_ids[t.casefold()][0]) for t in record.tags)
                    if record.id in with_history:
                        continue
                    after = json_text(logged_data(stored))
                    event = (record.id, self._user, created, at, None, after, None)
                    if next_event is None:
                        event_rows.append(event)
                    else:
                        event_rows.append((next_event, *event))
                        next_event += 1
                batch_cursor.executemany(self._task_sql, task_rows)
                if event_rows:
                    sql = self._numbered_event_sql if first_event_id is None else self._event_sql
                    batch_cursor.executemany(sql, event_rows)
                if links:
                    batch_cursor.executemany(self._link_sql, links)

    def events(self, rows: Iterable[Sequence[Any]]) -> None:
        """Write events with their own ids, each row's values in EVENT_COLUMNS' order
        (times as the database keeps them, states as JSON text)."""
        cursor(self._backend.db).executemany(self._event_sql, list(rows))


def spelled(names: Iterable[str], tag_ids: Mapping[str, tuple[int, str]]) -> tuple[str, ...]:
    """Tags as the owner's tags spell them (``tag_ids`` from TaskStore._ensure_tags), in
    the order records show them: alphabetical, ignoring case."""
    return tuple(sorted((tag_ids[name.casefold()][1] for name in names), key=str.casefold))


def _statement(model: Any, columns: Sequence[str]) -> str:
    """An INSERT of one row of these columns, in this order, for executemany."""
    fields = [getattr(model, name) for name in columns]
    sql: str = model.insert_many([(None,) * len(fields)], fields=fields).sql()[0]
    return sql
