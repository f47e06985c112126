"""Peewee models, private to the store. The schema itself is owned by the migrations.

Models are defined per database by ``define_models`` rather than bound globally,
so that two stores in one process (two windows in a test, a backup being read)
never share or rebind model classes across threads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import peewee

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def format_timestamp(moment: datetime) -> str:
    """UTC, fixed width, so that text order is time order on every backend."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UtcTimestampField(peewee.TextField):
    """An aware UTC datetime stored as fixed-width text ('YYYY-MM-DD HH:MM:SS.ffffff')."""

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return format_timestamp(value)
        return value

    def python_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse_timestamp(value)
            except (ValueError, OverflowError):
                # Text that is no time (an import before the range check stored the
                # year 226 as '226-05-01 ...'): handed on as it is, for the store to
                # make an unreadable record of that one row instead of failing the
                # whole query, and so every other row with it.
                return value
        return value


class JsonField(peewee.TextField):
    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value  # not JSON: the store reads the event as unreadable (see above)


@dataclass(frozen=True)
class Models:
    database: peewee.Database
    User: type[peewee.Model]
    Task: type[peewee.Model]
    TaskEvent: type[peewee.Model]
    SchemaMigration: type[peewee.Model]
    TaskCount: type[peewee.Model]
    Tag: type[peewee.Model]
    TaskTag: type[peewee.Model]


def define_models(bound_database: peewee.Database) -> Models:
    class BaseModel(peewee.Model):
        class Meta:
            database = bound_database
            legacy_table_names = False

    class User(BaseModel):
        id = peewee.TextField(primary_key=True)
        created_at = UtcTimestampField()

        class Meta:
            table_name = "users"

    class Task(BaseModel):
        id = peewee.TextField(primary_key=True)
        user = peewee.ForeignKeyField(User, column_name="user_id", backref="tasks")
        title = peewee.TextField()
        title_key = peewee.TextField(default="")  # the case-folded title, for sorting
        description = peewee.TextField(default="")
        completed = peewee.BooleanField(default=False)
        created_at = UtcTimestampField()
        updated_at = UtcTimestampField()
        version = peewee.IntegerField(default=1)
        # Stable number of the task in the search index (see migration 3).
        seq = peewee.IntegerField(null=True, unique=True)
        due = peewee.TextField(null=True)  # Due.key: 'YYYY-MM-DD[ HH:MM]', local time
        priority = peewee.IntegerField(default=0)
        position = peewee.FloatField(default=0.0)  # the user's own order

        class Meta:
            table_name = "tasks"

    class TaskCount(BaseModel):
        """Open and done tasks per owner, kept by triggers (see migration 3)."""

        user = peewee.ForeignKeyField(User, column_name="user_id")
        completed = peewee.BooleanField()
        n = peewee.IntegerField()

        class Meta:
            table_name = "task_counts"
            primary_key = peewee.CompositeKey("user", "completed")

    class TaskEvent(BaseModel):
        id = peewee.AutoField()
        # Not a foreign key on purpose: the log outlives the tasks it describes.
        task_id = peewee.TextField()
        user = peewee.ForeignKeyField(User, column_name="user_id", backref="events")
        kind = peewee.TextField()
        at = UtcTimestampField()
        before = JsonField(null=True)
        after = JsonField(null=True)
        reverts = peewee.ForeignKeyField(
            "self", column_name="reverts_event_id", null=True, backref="reverted_by"
        )

        class Meta:
            table_name = "task_events"

    class Tag(BaseModel):
        id = peewee.AutoField()
        user = peewee.ForeignKeyField(User, column_name="user_id")
        name = peewee.TextField()
        name_key = peewee.TextField()  # case-folded: what matching compares

        class Meta:
            table_name = "tags"

    class TaskTag(BaseModel):
        task = peewee.ForeignKeyField(Task, column_name="task_id", on_delete="CASCADE")
        tag = peewee.ForeignKeyField(Tag, column_name="tag_id", on_delete="CASCADE")

        class Meta:
            table_name = "task_tags"
            primary_key = peewee.CompositeKey("task", "tag")

    class SchemaMigration(BaseModel):
        version = peewee.IntegerField(primary_key=True)
        name = peewee.TextField()
        applied_at = UtcTimestampField()

        class Meta:
            table_name = "schema_migrations"

    return Models(bound_database, User, Task, TaskEvent, SchemaMigration, TaskCount, Tag, TaskTag)
