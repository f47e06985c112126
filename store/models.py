"""Peewee models, private to the store. The schema itself is owned by the migrations.

The classes below declare the tables and their fields, and are bound to no database:
the store never queries them. ``define_models`` gives each database subclasses of its
own, rather than binding these globally, so that two stores in one process (two
windows in a test, a backup being read) never share or rebind model classes across
threads. The subclasses have the fields and the types of the classes they come from,
which is what the store's code is checked against.
"""

from __future__ import annotations

import copy
import json
import types
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

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


if TYPE_CHECKING:
    # What reading each field gives, for mypy (peewee's fields are generic only in its
    # stub, not at run time). A timestamp that is no time reads as its text (see below).
    _TimestampBase = peewee.TextField[datetime | str]
    _JsonBase = peewee.TextField[Any]  # any JSON value, or text that is not JSON
else:
    _TimestampBase = peewee.TextField
    _JsonBase = peewee.TextField


class UtcTimestampField(_TimestampBase):
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


class JsonField(_JsonBase):
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


class BaseModel(peewee.Model):
    class Meta:
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
    # Its project (None: the Inbox) and the task it is a subtask of (see migration 6).
    project_id = peewee.TextField(null=True)
    parent_id = peewee.TextField(null=True)
    # Its repeat (JSON), its series and its number in it (see migration 7).
    repeat = peewee.TextField(null=True)
    series_id = peewee.TextField(null=True)
    occurrence = peewee.IntegerField(null=True)

    class Meta:
        table_name = "tasks"


class Project(BaseModel):
    """One node of an owner's project tree (see migration 6)."""

    id = peewee.TextField(primary_key=True)
    user = peewee.ForeignKeyField(User, column_name="user_id")
    parent_id = peewee.TextField(null=True)
    name = peewee.TextField()
    name_key = peewee.TextField()  # case-folded: sibling names are unique ignoring case
    position = peewee.FloatField(default=0.0)
    created_at = UtcTimestampField()
    updated_at = UtcTimestampField()
    version = peewee.IntegerField(default=1)

    class Meta:
        table_name = "projects"


class TaskBlock(BaseModel):
    """Task ``task_id`` is blocked by task ``blocker_id``."""

    task_id = peewee.TextField()
    blocker_id = peewee.TextField()

    class Meta:
        table_name = "task_blocks"
        primary_key = peewee.CompositeKey("task_id", "blocker_id")


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
    # 'task', or 'project' for a project's change (its id in task_id); and the change
    # of several rows this event is part of (the id of its first event), or None.
    # No default here: peewee would write it into every insert, the bulk path's
    # statements included; the column's own default, 'task', applies.
    subject = peewee.TextField()
    change_id = peewee.IntegerField(null=True)

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


class TaskIcal(BaseModel):
    """A task's iCalendar object as last read or written (see migration 8)."""

    # Not a foreign key on purpose: a deleted task an undo brings back finds it again.
    task_id = peewee.TextField(primary_key=True)
    user_id = peewee.TextField()
    uid = peewee.TextField()
    object = peewee.TextField()
    sequence = peewee.IntegerField()
    at_version = peewee.IntegerField()

    class Meta:
        table_name = "task_ical"


class SyncAccount(BaseModel):
    """A CalDAV account (see migration 9); its password is never stored here."""

    id = peewee.TextField(primary_key=True)
    user_id = peewee.TextField()
    url = peewee.TextField()
    username = peewee.TextField()
    home = peewee.TextField()
    inbox = peewee.TextField()
    created_at = UtcTimestampField()
    synced_at = UtcTimestampField(null=True)
    last_error = peewee.TextField(null=True)

    class Meta:
        table_name = "sync_accounts"


class SyncList(BaseModel):
    account_id = peewee.TextField()
    href = peewee.TextField()
    project_id = peewee.TextField(null=True)
    name = peewee.TextField()
    sync_token = peewee.TextField(null=True)

    class Meta:
        table_name = "sync_lists"
        primary_key = peewee.CompositeKey("account_id", "href")


class SyncItem(BaseModel):
    account_id = peewee.TextField()
    href = peewee.TextField()
    list_href = peewee.TextField()
    task_id = peewee.TextField()
    etag = peewee.TextField()

    class Meta:
        table_name = "sync_items"
        primary_key = peewee.CompositeKey("account_id", "href")


class SchemaMigration(BaseModel):
    version = peewee.IntegerField(primary_key=True)
    name = peewee.TextField()
    applied_at = UtcTimestampField()

    class Meta:
        table_name = "schema_migrations"


# Inside Models, its own fields of the same names would shadow the classes above.
_User: TypeAlias = User
_Task: TypeAlias = Task
_TaskEvent: TypeAlias = TaskEvent
_SchemaMigration: TypeAlias = SchemaMigration
_TaskCount: TypeAlias = TaskCount
_Tag: TypeAlias = Tag
_TaskTag: TypeAlias = TaskTag
_Project: TypeAlias = Project
_TaskBlock: TypeAlias = TaskBlock
_TaskIcal: TypeAlias = TaskIcal
_SyncAccount: TypeAlias = SyncAccount
_SyncList: TypeAlias = SyncList
_SyncItem: TypeAlias = SyncItem


@dataclass(frozen=True)
class Models:
    """One database's own subclasses of the models above."""

    database: peewee.Database
    User: type[_User]
    Task: type[_Task]
    TaskEvent: type[_TaskEvent]
    SchemaMigration: type[_SchemaMigration]
    TaskCount: type[_TaskCount]
    Tag: type[_Tag]
    TaskTag: type[_TaskTag]
    Project: type[_Project]
    TaskBlock: type[_TaskBlock]
    TaskIcal: type[_TaskIcal]
    SyncAccount: type[_SyncAccount]
    SyncList: type[_SyncList]
    SyncItem: type[_SyncItem]


_M = TypeVar("_M", bound=peewee.Model)


def define_models(bound_database: peewee.Database) -> Models:
    bound: dict[type[peewee.Model], type[peewee.Model]] = {}

    def bind(model: type[_M]) -> type[_M]:
        own = _subclass_for(model, bound_database, bound)
        bound[model] = own
        return own

    # In the order of their foreign keys: a model's related models are bound before it.
    user = bind(User)
    task = bind(Task)
    task_event = bind(TaskEvent)
    schema_migration = bind(SchemaMigration)
    task_count = bind(TaskCount)
    tag = bind(Tag)
    task_tag = bind(TaskTag)
    project = bind(Project)
    task_block = bind(TaskBlock)
    task_ical = bind(TaskIcal)
    sync_account = bind(SyncAccount)
    sync_list = bind(SyncList)
    sync_item = bind(SyncItem)
    return Models(
        bound_database,
        user,
        task,
        task_event,
        schema_migration,
        task_count,
        tag,
        task_tag,
        project,
        task_block,
        task_ical,
        sync_account,
        sync_list,
        sync_item,
    )


def _subclass_for(
    model: type[_M],
    database: peewee.Database,
    bound: dict[type[peewee.Model], type[peewee.Model]],
) -> type[_M]:
    """A subclass of ``model`` bound to ``database``, its foreign keys pointing at the
    subclasses already made for that database (``bound``) rather than at the unbound
    classes.

    peewee gives a subclass deep copies of its parent's fields; only the foreign keys
    need more: their related model (and field) is looked up again, and their backref
    is named as the parent's, which peewee's copy would rename to '<model>_set'.
    """
    attrs: dict[str, object] = {
        "__module__": model.__module__,
        "__qualname__": model.__qualname__,
        "Meta": type("Meta", (), {"database": database, "table_name": model._meta.table_name}),
    }
    for name, field in model._meta.fields.items():
        if isinstance(field, peewee.ForeignKeyField) and not field.primary_key:
            own = copy.deepcopy(field)
            if field.rel_model is not model:  # a self-reference finds its subclass itself
                own.rel_model = bound[field.rel_model]
            own.rel_field = field.rel_field.name
            own.declared_backref = field.backref
            attrs[name] = own
    subclass = types.new_class(model.__name__, (model,), exec_body=lambda ns: ns.update(attrs))
    return cast("type[_M]", subclass)  # made at run time: mypy only knows it is a type


def tuples(query: peewee.ModelSelect[Any]) -> Iterable[tuple[Any, ...]]:
    """``query.tuples()``: its rows as plain tuples, in the order the columns were selected.

    peewee's stub types the rows of any model query as model instances; the cast says
    what ``tuples()`` really yields. The values stay ``Any``: their types are the
    selected columns', which no annotation here can follow.
    """
    return cast("Iterable[tuple[Any, ...]]", query.tuples())
