"""Two-way CalDAV sync of one owner's tasks with one account's task lists.

Each project (and the Inbox) is one task list on the server, each task one VTODO whose
UID is the task's id (a task made elsewhere keeps its own). A sync pulls, then pushes:

* **Pull**, per list: what changed since the last sync's token (RFC 6578), else every
  ETag in one REPORT; the changed objects in one multiget per hundred. A new object is
  a new task; a changed one is merged into its task field by field against the base
  (the object as last synced, kept beside the task): a field changed on one side takes
  that side's value; changed on both, the newer change wins, the other value stays in
  the task's history, and the summary names it. An object deleted on the server deletes
  its task, unless the task changed here since: then it stays, and is pushed again.
* **Push**: each task that differs from its base is written with ``If-Match`` its ETag
  (a new one with ``If-None-Match: *``), so another device's write between our read
  and ours is never overwritten: the write is refused (412), and the next sync merges.
  A task deleted here is deleted there, if unchanged there since.

Nothing is queued: what waits to be pushed is what differs from its base, so a sync cut
at any point (kill -9, the network, a server error) resumes on the next run. A task
pushed but not yet recorded is found by its UID (its href is its UID) and linked, never
made twice. A repeating task is one VTODO, its open occurrence: completing it here
moves the VTODO to the next occurrence; a phone that completes it by moving DUE to the
rule's next date (Apple Reminders, Tasks.org) completes that occurrence here, once.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from store.dav import (
    CalDavClient,
    Changes,
    DavError,
    NotCalDavError,
    PreconditionFailed,
    Resource,
    SyncTokenExpired,
)
from store.errors import StoreError
from store.ical import (
    StoredObject,
    TaskContext,
    Vtodo,
    object_text,
    object_uid,
    parse_object,
    sequence_of,
)
from store.merge import same_value
from store.records import ProjectRecord, Status, TaskQuery, TaskRecord
from store.sync_rows import AccountRecord, ItemRecord, ListLink, SyncRows
from store.tasks import TaskStore

# The fields a sync merges, each compared and applied on its own.
SYNCED_FIELDS = (
    "title",
    "description",
    "completed",
    "due",
    "priority",
    "tags",
    "repeat",
    "parent_id",
    "blocked_by",
)


@dataclass
class SyncReport:
    """What one sync did: each a list of one-line details (the counts are their lengths)."""

    pulled: list[str] = field(default_factory=list)
    pushed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            name: {"count": len(details), "details": list(details)}
            for name, details in dataclasses.asdict(self).items()
        }


def setup_account(
    store: TaskStore,
    client: CalDavClient,
    *,
    inbox: str = "Inbox",
    now: datetime,
) -> tuple[AccountRecord, list[str]]:
    """Check the server and the login, record the account, link its task lists to
    projects by name (making what is missing on either side); what was linked, in words."""
    rows = store.sync_rows()
    for account in rows.accounts():
        if (account.url, account.username) == (client.url, client.username):
            raise StoreError(
                f"{client.username} at {client.url} is set up already "
                "(taskflow sync forget it first to set it up again)."
            )
    home = client.home()
    lists = client.task_lists(home)  # the login and the server checked before any write
    account = AccountRecord(
        id=str(uuid.uuid4()),
        url=client.url,
        username=client.username,
        home=home,
        inbox=inbox,
        created_at=now,
        synced_at=None,
        last_error=None,
    )
    rows.add_account(account)
    said = Syncer(store, account, client, SyncReport()).link_lists(lists)
    return account, said


class Syncer:
    """One sync of one account: ``run`` pulls, then pushes (see the module's docstring)."""

    def __init__(
        self, store: TaskStore, account: AccountRecord, client: CalDavClient, report: SyncReport
    ) -> None:
        self.store = store
        self.account = account
        self.client = client
        self.report = report
        self.rows: SyncRows = store.sync_rows()
        # The tasks' kept objects, read once a sync and kept in step with each write
        # (reading them per object would make a sync of n tasks cost n squared).
        self._objects: dict[str, StoredObject] | None = None
        self._uids: _WithIds | None = None
        self._gone: set[str] = set()  # linked lists the server no longer has

    def objects(self) -> dict[str, StoredObject]:
        if self._objects is None:
            self._objects = self.store.ical_objects()
        return self._objects

    def hand_on(self, old_id: str, new_id: str) -> StoredObject | None:
        """The VTODO goes on from a past occurrence to the open one: its object moves
        (describing no version of the new task: what differs is written back)."""
        stored = self.objects().get(old_id)
        if stored is not None:
            self.keep(new_id, stored.uid, stored.text, 0)
            self.store.forget_ical_object(old_id)
            self.objects().pop(old_id, None)
            self._uids = None
        return stored

    def keep(self, task_id: str, uid: str, text: str, version: int) -> None:
        """Keep the object as the task's base, here and in the database."""
        self.store.keep_ical_object(task_id, uid, text, version)
        self.objects()[task_id] = StoredObject(text, uid, sequence_of(text), version)
        self._uids = None

    # -- the whole run ---------------------------------------------------------------------

    def run(self) -> SyncReport:
        self.link_lists(self.client.task_lists(self.account.home))
        links = [link for link in self.rows.lists(self.account.id) if link.href not in self._gone]
        self._pull(links)
        for link in self.rows.lists(self.account.id):
            if link.href in self._gone:
                self._list_deleted_there(link)
        for link in self.rows.lists(self.account.id):
            self._push(link)
        self._push_deletions()
        self._drop_lists_of_deleted_projects()
        return self.report

    def _list_deleted_there(self, link: ListLink) -> None:
        """The server's list went (a phone deleted it, with its tasks): its tasks here go
        too, and the project; one changed or made here since the last sync stays, moved
        to the Inbox."""
        synced = {item.task_id for item in self.rows.items(self.account.id)
                  if item.list_href == link.href}  # fmt: skip
        tasks = self.store.list_tasks(
            TaskQuery(status=Status.ALL, projects=frozenset({link.project_id}))
        )
        self.rows.unlink_list(self.account.id, link.href)
        for task in sorted(tasks, key=lambda t: t.parent_id is None):  # subtasks first
            if task.project_id != link.project_id or self._get(task.id) is None:
                continue
            if task.id in synced and not self._differs(task):
                self.store.delete(task.id)
                self.report.deleted.append(f"“{task.title}” (its list was deleted on the server)")
            else:
                current = self.store.get(task.id)
                self.store.update(
                    current.id, expected_version=current.version, project_id=None, parent_id=None
                )
                self.report.conflicts.append(
                    f"“{task.title}”: its list was deleted on the server; kept, in the Inbox"
                )
        if link.project_id is not None:
            try:
                self.store.delete_project(link.project_id)
            except StoreError as error:
                self.report.errors.append(f"The project of “{link.name}”: {_line(error)}")
        self.report.deleted.append(f"the list “{link.name}” (deleted on the server)")

    def _drop_lists_of_deleted_projects(self) -> None:
        """A project deleted here: once its tasks have left its list (moved or deleted by
        the push), the list is deleted on the server too."""
        projects = {project.id for project in self.store.projects()}
        holding = {item.list_href for item in self.rows.items(self.account.id)}
        for link in self.rows.lists(self.account.id):
            if link.project_id is None or link.project_id in projects or link.href in holding:
                continue
            self.client.delete_list(link.href)
            self.rows.unlink_list(self.account.id, link.href)
            self.report.deleted.append(f"the list “{link.name}” (its project was deleted here)")

    # -- lists and projects ----------------------------------------------------------------

    def link_lists(self, lists: Iterable[Any]) -> list[str]:
        """Link every server list to a project of its name and every project to a list
        (made where missing); a list gone from the server is unlinked. In words."""
        said: list[str] = []
        on_server = {found.href: found for found in lists if found.has_tasks}
        linked = {link.href: link for link in self.rows.lists(self.account.id)}
        # Deleted there: taken care of after the pull (see run), not made again here.
        self._gone = {href for href in linked if href not in on_server}
        projects = {project.id: project for project in self.store.projects()}
        taken = {link.project_id for link in linked.values()}
        # A project (or the Inbox) syncs with one account: another's are left alone.
        others = {
            link.project_id
            for account in self.rows.accounts()
            if account.id != self.account.id
            for link in self.rows.lists(account.id)
        }
        taken |= others
        inbox_key = self.account.inbox.casefold()
        for href, found in on_server.items():
            if href in linked:
                continue
            if found.name.casefold() == inbox_key and None not in taken:
                project_id: str | None = None
                said.append(f"Inbox ↔ the list “{found.name}”")
            else:
                path = _project_path(found.name)
                known = next(
                    (p for p in projects.values() if p.path.casefold() == path.casefold()), None
                )
                if known is not None and known.id in taken:
                    continue  # two lists of one name, or another account's project
                project, made = self.store.ensure_project(path)
                project_id = project.id
                projects[project.id] = project
                said.append(
                    f"{project.path} ↔ the list “{found.name}”"
                    + (" (project made)" if made else "")
                )
            self.rows.link_list(self.account.id, ListLink(href, found.name, project_id, None))
            taken.add(project_id)
        for project in sorted(projects.values(), key=lambda p: p.path):
            if project.id not in taken:
                made_list = self.client.make_list(self.account.home, project.path)
                self.rows.link_list(
                    self.account.id, ListLink(made_list.href, project.path, project.id, None)
                )
                taken.add(project.id)
                said.append(f"{project.path} ↔ the list “{project.path}” (list made)")
        if None not in taken:
            made_list = self.client.make_list(self.account.home, self.account.inbox)
            self.rows.link_list(
                self.account.id, ListLink(made_list.href, self.account.inbox, None, None)
            )
            said.append(f"Inbox ↔ the list “{self.account.inbox}” (list made)")
        return said

    # -- pull ------------------------------------------------------------------------------

    def _pull(self, links: list[ListLink]) -> None:
        """Every list's changes, read first, then taken in an order that keeps a task
        moved from one list to another the same task: changed objects, then new ones
        (a moved task is found by its UID), then deletions (of what no list took)."""
        items = {item.href: item for item in self.rows.items(self.account.id)}
        pulled: list[tuple[ListLink, Changes, list[Resource], list[str]]] = []
        for link in links:
            full = link.sync_token is None
            try:
                changes = self.client.changes(link.href, link.sync_token)
            except SyncTokenExpired:
                changes, full = self.client.changes(link.href, None), True
            except NotCalDavError:  # no sync-collection (RFC 6578): every ETag, one REPORT
                changes, full = Changes("", self.client.etags(link.href), ()), True
            deleted = list(changes.deleted)
            if full:  # a full listing: what it does not name is gone
                mine = [href for href, item in items.items() if item.list_href == link.href]
                deleted += [href for href in mine if href not in changes.changed]
            wanted = [
                href
                for href, etag in changes.changed.items()
                if href not in items or items[href].etag != etag
            ]
            pulled.append((link, changes, list(self.client.fetch(link.href, wanted)), deleted))
        failed: set[str] = set()  # lists whose token stays: what failed is read again
        for link, _, fetched, _ in pulled:
            for resource in fetched:
                item = items.get(resource.href)
                if item is not None and not self._guarded(
                    resource.href, self._take_changed, link, item, resource
                ):
                    failed.add(link.href)
        for link, _, fetched, _ in pulled:
            new = [resource for resource in fetched if resource.href not in items]
            if not self._guarded(link.href, self._take_new, link, new):
                failed.add(link.href)
        taken = {item.href for item in self.rows.items(self.account.id)}
        for link, _, _, deleted in pulled:
            for href in deleted:
                item = items.get(href)
                gone = item is not None and href in taken
                if gone and not self._guarded(href, self._take_deleted, item):
                    failed.add(link.href)
        for link, changes, _, _ in pulled:
            if link.href not in failed:
                self.rows.set_token(self.account.id, link.href, _token(changes))

    def _guarded(self, what: str, step: Callable[..., None], *args: Any) -> bool:
        """One object's step; a refusal of the store is said, and the rest goes on."""
        try:
            step(*args)
        except DavError:
            raise
        except StoreError as error:
            self.report.errors.append(f"{what}: {_line(error)}")
            return False
        return True

    def _take_new(self, link: ListLink, resources: list[Resource]) -> None:
        """Objects this database has no record of: tasks made elsewhere, or ours whose
        write was not recorded (a sync cut short): those are found by UID and linked."""
        from store import transfer

        if not resources:
            return
        known = self._task_of_uid()
        fresh: list[tuple[Resource, Any]] = []
        for resource in resources:
            uid = object_uid(resource.text)
            task_id = known.get(uid)
            if task_id is not None and self._exists(task_id):
                # Ours: moved here from another list, or written by a sync cut short.
                mine = [i for i in self.rows.items(self.account.id) if i.task_id == task_id]
                base_list = mine[0].list_href if mine else link.href
                self._take_changed(
                    link, ItemRecord(resource.href, base_list, task_id, ""), resource
                )
                continue
            try:
                (imported,) = transfer.parse(resource.text, transfer.Format.ICS).tasks
            except (StoreError, ValueError) as error:
                self.report.errors.append(f"{resource.href}: not read ({_line(error)})")
                continue
            path = self._path_of(link.project_id)
            imported = dataclasses.replace(
                imported,
                project=path,
                carries=imported.carries | {"project_id"},
                parent_id=None,
                blocked_by=(),
            )
            fresh.append((resource, imported))
        if not fresh:
            return
        outcome = self.store.import_tasks([imported for _, imported in fresh])
        self._objects = self._uids = None  # the import kept their objects: read again
        written = {task.id: task for task in (*outcome.added, *outcome.updated, *outcome.unchanged)}
        for resource, imported in fresh:
            task_id = outcome.reassigned.get(imported.id, imported.id)
            task = written.get(task_id)
            if task is None:
                self.report.errors.append(f"“{imported.title}”: not taken ({resource.href})")
                continue
            self.rows.set_item(
                self.account.id, ItemRecord(resource.href, link.href, task_id, resource.etag)
            )
            self.report.pulled.append(f"added “{task.title}”")
        pairs = []
        for resource, imported in fresh:
            task_id = outcome.reassigned.get(imported.id, imported.id)
            if task_id in written:
                pairs.append((resource, self.store.get(task_id)))
        self._link_structure(pairs)

    def _link_structure(self, pairs: list[tuple[Resource, TaskRecord]]) -> None:
        """Parents and blockers of tasks just pulled, once all of them are here."""
        known = self._task_of_uid()
        for resource, task in pairs:
            todo = parse_object(resource.text, object_uid(resource.text), resource.href)
            named = [known.get(u) for u in (todo.parent_uid, *todo.depends_on) if u]
            here = {t.id for t in self.store.get_many([n for n in named if n])}
            parent = known.get(todo.parent_uid) if todo.parent_uid else None
            parent = parent if parent in here else None
            blockers = tuple(b for b in (known.get(u) for u in todo.depends_on) if b in here)
            changes: dict[str, Any] = {}
            if parent and parent != task.id:
                changes["parent_id"] = parent
            if blockers:
                changes["blocked_by"] = blockers
            if changes:
                task = self._apply(task, changes, resource)
                stored = self.objects().get(task.id)
                if stored is not None:  # the object says it: the base still describes it
                    self.keep(task.id, stored.uid, stored.text, task.version)

    def _take_changed(self, link: ListLink, item: ItemRecord, resource: Resource) -> None:
        """Merge a changed object into its task, against the base (see the docstring)."""
        task = self._get(item.task_id)
        uid = object_uid(resource.text)
        if task is None:  # deleted here, changed there: it comes back
            self.rows.drop_item(self.account.id, item.href)
            self._take_new(link, [resource])
            self.report.conflicts.append(
                f"“{_title(resource)}” was deleted here and changed on the server: kept"
            )
            return
        heir = self._open_heir(task)
        if heir is not None:  # completed here before this sync: its VTODO is the next one
            self.hand_on(task.id, heir.id)
            task = heir
        remote = parse_object(resource.text, uid, resource.href)
        stored = self.objects().get(task.id)
        base = parse_object(stored.text, stored.uid, "the base") if stored else None
        theirs = self._fields(remote)
        before = self._fields(base) if base is not None else self._local(task)
        mine = self._local(task)
        taken: dict[str, Any] = {}
        kept_mine: list[str] = []
        for name in SYNCED_FIELDS:
            if same_value(name, theirs[name], before[name]):
                continue  # not changed there
            if same_value(name, mine[name], theirs[name]):
                continue  # the same change on both sides
            if same_value(name, mine[name], before[name]):
                taken[name] = theirs[name]
                continue
            remote_time = remote.last_modified or datetime.min.replace(tzinfo=UTC)
            if remote_time > task.updated_at:
                taken[name] = theirs[name]
                self.report.conflicts.append(
                    f"“{task.title}”: {_field_word(name)} changed on both sides; the server's "
                    f"newer value kept, this one's ({_shown(mine[name])}) is in its history"
                )
            else:
                kept_mine.append(name)
                self.report.conflicts.append(
                    f"“{task.title}”: {_field_word(name)} changed on both sides; this one's "
                    f"newer value kept, the server's ({_shown(theirs[name])}) is in its history"
                )
        base_project = self._project_of_list(item.list_href)
        if link.project_id != base_project and task.project_id == base_project:
            taken["project_id"] = link.project_id  # moved to another list there
        advanced = self._moved_to_next(task, remote, before, taken)
        if advanced is not None:
            task = advanced
            taken.pop("due", None)
        if taken:
            task = self._apply(task, taken, resource)
        for name in kept_mine:  # the other value in the history, then ours again on top
            task = self._apply(task, {name: theirs[name]}, resource)
            task = self._apply(task, {name: mine[name]}, resource)
        if taken or kept_mine or advanced is not None:
            self.report.merged.append(f"“{task.title}”")
        now = self._local(task)
        describes = all(same_value(name, now[name], theirs[name]) for name in SYNCED_FIELDS)
        # The server's text is the base; if ours kept changes of its own, it describes
        # no version of the task (0), and the push writes them.
        self.keep(task.id, uid or task.id, resource.text, task.version if describes else 0)
        self.rows.set_item(
            self.account.id, ItemRecord(item.href, link.href, task.id, resource.etag)
        )

    def _moved_to_next(
        self, task: TaskRecord, remote: Vtodo, before: dict[str, Any], taken: dict[str, Any]
    ) -> TaskRecord | None:
        """A phone completed the open occurrence by moving DUE on: complete it here
        (which makes the next occurrence, once) and move the VTODO to that next one."""
        if task.repeat is None or task.completed or "due" not in taken or remote.completed:
            return None
        old, new = before["due"], taken["due"]
        if old is None or new is None or new.day <= old.day:
            return None
        if not _a_date_of(task.repeat, after=old.day, day=new.day):
            return None  # moved to a day the rule does not give: postponed, not done
        done = self.store.set_completed(task.id, True, expected_version=task.version)
        following = self.store.next_in_series(done)
        if following is None:
            return None
        # Its subtasks came with it here, and come from the server too (the device that
        # completed it made them): the server's are the ones kept.
        for child in self.store.subtasks(following.id):
            self.store.delete(child.id, expected_version=child.version)
        following = self.store.get(following.id)
        if following.due != new:
            following = self.store.update(following.id, expected_version=following.version, due=new)
        self.hand_on(task.id, following.id)
        self.report.merged.append(
            f"“{task.title}”: done on the server, the next one is due {new.key}"
        )
        return following

    def _take_deleted(self, item: ItemRecord) -> None:
        task = self._get(item.task_id)
        self.rows.drop_item(self.account.id, item.href)
        if task is None:
            return
        if self._differs(task):
            self.report.conflicts.append(
                f"“{task.title}” was deleted on the server and changed here: kept"
            )
            return
        # Its subtasks are not deleted with it: each is an object of its own there,
        # deleted by its own entry if the server deleted it too; one changed or made
        # here meanwhile outlives the parent, as a task of its own.
        for child in self.store.subtasks(task.id):
            self.store.update(child.id, expected_version=child.version, parent_id=None)
        self.store.delete(task.id, expected_version=self.store.get(task.id).version)
        self.report.deleted.append(f"“{task.title}” (deleted on the server)")

    # -- push ------------------------------------------------------------------------------

    def _push(self, link: ListLink) -> None:
        tasks = self.store.list_tasks(
            TaskQuery(status=Status.ALL, projects=frozenset({link.project_id}))
        )
        tasks = [task for task in tasks if task.project_id == link.project_id]
        by_task = {item.task_id: item for item in self.rows.items(self.account.id)}
        latest = latest_occurrences(tasks)
        # The series' latest occurrence: the open one, or the last of a series that ended.
        last_of_series = {
            t.series_id: t
            for t in tasks
            if t.series_id and (t.occurrence or 1) == latest.get(t.series_id)
        }
        for task in tasks:
            if is_past_occurrence(task, latest):
                # A past occurrence: its VTODO goes on as the series' open one.
                item = by_task.get(task.id)
                heir = last_of_series.get(task.series_id or "")
                if item is not None and heir is not None and heir.id not in by_task:
                    self.hand_on(task.id, heir.id)
                    moved = dataclasses.replace(item, task_id=heir.id)
                    self.rows.set_item(self.account.id, moved)
                    by_task[heir.id] = moved
                continue
        objects = self.objects()
        for task in tasks:
            if is_past_occurrence(task, latest):
                continue
            try:
                self._push_task(link, task, by_task.get(task.id), objects)
            except PreconditionFailed:
                self.report.errors.append(
                    f"“{task.title}” changed on the server meanwhile: merged on the next sync"
                )

    def _push_task(
        self,
        link: ListLink,
        task: TaskRecord,
        item: ItemRecord | None,
        objects: dict[str, StoredObject],
    ) -> None:
        stored = objects.get(task.id)
        unchanged = stored is not None and stored.at_version == task.version
        if item is not None and item.list_href == link.href and unchanged:
            return  # the base was taken at this very version: nothing to push
        context = TaskContext(self._uid_lookup(objects))
        text = object_text(task, context, stored)
        if item is not None and item.list_href != link.href:  # moved to another project
            self.client.delete(item.href, etag=item.etag)
            self.rows.drop_item(self.account.id, item.href)
            item = None
        if item is not None and stored is not None and text == stored.text:
            if stored.at_version != task.version:  # changed and back: the same again
                self.keep(task.id, stored.uid, stored.text, task.version)
            return  # the server has it as it is
        uid = stored.uid if stored is not None else task.id
        href = item.href if item is not None else link.href + _file_name(uid)
        try:
            etag = self.client.put(href, text, etag=item.etag if item else None)
        except PreconditionFailed:
            if item is not None:
                raise
            # There already: our own write whose record a cut sync lost, or a clash of
            # UIDs. Linked as it is there; the next sync merges it.
            found = list(self.client.fetch(link.href, [href]))
            if not found:
                raise
            resource = found[0]
            self.rows.set_item(
                self.account.id, ItemRecord(resource.href, link.href, task.id, resource.etag)
            )
            return
        if etag is None:  # the server did not say: read it back
            found = list(self.client.fetch(link.href, [href]))
            etag = found[0].etag if found else ""
        self.keep(task.id, uid, text, task.version)
        self.rows.set_item(self.account.id, ItemRecord(href, link.href, task.id, etag))
        self.report.pushed.append(f"“{task.title}”")

    def _push_deletions(self) -> None:
        items = self.rows.items(self.account.id)
        alive = {task.id for task in self.store.get_many(item.task_id for item in items)}
        for item in items:
            if item.task_id in alive:
                continue
            try:
                self.client.delete(item.href, etag=item.etag)
            except PreconditionFailed:
                continue  # changed there since: the next pull brings it back
            self.rows.drop_item(self.account.id, item.href)
            self.report.deleted.append(f"{item.href} (deleted here)")

    # -- helpers ---------------------------------------------------------------------------

    def _apply(self, task: TaskRecord, changes: dict[str, Any], resource: Resource) -> TaskRecord:
        done = changes.pop("completed", None)
        if changes.get("parent_id") is not None:  # a subtask is in its parent's project
            parent = self._get(changes["parent_id"])
            if parent is None or parent.project_id != task.project_id:
                changes.pop("parent_id")
        if changes:
            task = self.store.update(task.id, expected_version=task.version, **changes)
        if done is not None and done != task.completed:
            task = self.store.set_completed(task.id, done, expected_version=task.version)
        return task

    def _fields(self, todo: Vtodo) -> dict[str, Any]:
        every = self._task_of_uid()
        named = [every.get(u) for u in (todo.parent_uid, *todo.depends_on) if u]
        here = {task.id for task in self.store.get_many([n for n in named if n])}
        # Only tasks that are here: a plain dict (no UUID passes as an id of its own).
        known = {u: t for u in (todo.parent_uid, *todo.depends_on)
                 if u and (t := every.get(u)) in here}  # fmt: skip
        return {
            "title": todo.title,
            "description": todo.description,
            "completed": todo.completed,
            "due": todo.due,
            "priority": todo.priority,
            "tags": todo.tags,
            "repeat": todo.repeat,
            "parent_id": known.get(todo.parent_uid) if todo.parent_uid else None,
            "blocked_by": tuple(sorted(b for b in (known.get(u) for u in todo.depends_on) if b)),
        }

    def _local(self, task: TaskRecord) -> dict[str, Any]:
        values = {name: getattr(task, name) for name in SYNCED_FIELDS}
        values["blocked_by"] = tuple(sorted(task.blocked_by))
        return values

    def _differs(self, task: TaskRecord) -> bool:
        objects = self.objects()
        stored = objects.get(task.id)
        if stored is None:
            return True
        if stored.at_version == task.version:
            return False  # the base was taken at this very version
        return object_text(task, TaskContext(self._uid_lookup(objects)), stored) != stored.text

    def _task_of_uid(self) -> _WithIds:
        if self._uids is None:
            known = _WithIds({stored.uid: task_id for task_id, stored in self.objects().items()})
            for item in self.rows.items(self.account.id):
                known.setdefault(item.task_id, item.task_id)
            self._uids = known
        return self._uids

    def _uid_lookup(self, objects: dict[str, StoredObject]) -> Callable[[str], str]:
        def uid_of(task_id: str) -> str:
            found = objects.get(task_id)
            return found.uid if found is not None else task_id

        return uid_of

    def _exists(self, task_id: str) -> bool:
        return self._get(task_id) is not None

    def _get(self, task_id: str) -> TaskRecord | None:
        found = self.store.get_many([task_id])
        return found[0] if found else None

    def _open_heir(self, task: TaskRecord) -> TaskRecord | None:
        """For a past occurrence, the open occurrence its series went on to (when that
        has no object of its own yet); else None."""
        if not (task.series_id and task.completed and task.repeat is None):
            return None
        following = self.store.next_in_series(task)
        while following is not None and following.completed and following.repeat is None:
            following = self.store.next_in_series(following)
        if following is None or following.repeat is None:
            return None
        if any(item.task_id == following.id for item in self.rows.items(self.account.id)):
            return None
        return following

    def _project_of_list(self, href: str) -> str | None:
        for link in self.rows.lists(self.account.id):
            if link.href == href:
                return link.project_id
        return None

    def _path_of(self, project_id: str | None) -> str | None:
        if project_id is None:
            return None
        return self.store.project_paths().get(project_id)


class _WithIds(dict[str, str]):
    """UID -> task id, where a UID that is no stored object's is a task id itself."""

    def get(self, key: str, default: Any = None) -> Any:
        found = super().get(key)
        return found if found is not None else (key if _is_task_id(key) else default)


def _is_task_id(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def latest_occurrences(tasks: Iterable[TaskRecord]) -> dict[str, int]:
    """The highest occurrence number of each series among ``tasks``."""
    latest: dict[str, int] = {}
    for task in tasks:
        if task.series_id:
            latest[task.series_id] = max(latest.get(task.series_id, 0), task.occurrence or 1)
    return latest


def is_past_occurrence(task: TaskRecord, latest: dict[str, int]) -> bool:
    """A past occurrence: done, and its series went on (its VTODO is the later one's).
    The last of a series that ended, or whose rule was stopped, is a VTODO itself."""
    return bool(
        task.series_id
        and task.completed
        and task.repeat is None
        and (task.occurrence or 1) < latest.get(task.series_id, 0)
    )


def _a_date_of(repeat: Any, *, after: date, day: date) -> bool:
    """Whether ``day`` is one of the rule's dates after ``after``."""
    from store.recurrence import occurrences

    for found in occurrences(repeat, after=after):
        if found >= day:
            return found == day
    return False


def _token(changes: Changes) -> str | None:
    return changes.token or None


def _file_name(uid: str) -> str:
    return quote(uid, safe="@-_.") + ".ics"


def _project_path(name: str) -> str:
    return name.strip() or "Untitled"


def _title(resource: Resource) -> str:
    try:
        return parse_object(resource.text, object_uid(resource.text), resource.href).title
    except StoreError:
        return resource.href


def _line(error: Exception) -> str:
    return " ".join(str(error).split())[:200]


def _field_word(name: str) -> str:
    return {
        "completed": "done",
        "due": "due date",
        "parent_id": "parent",
        "blocked_by": "blocked by",
    }.get(name, name)


def _shown(value: Any) -> str:
    if value is None or value == ():
        return "none"
    if hasattr(value, "key"):
        return str(value.key)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "done" if value else "open"
    text = str(value.label if hasattr(value, "label") else value)
    return repr(text[:40])


def waiting_changes(store: TaskStore) -> int:
    """Changes here not yet on the server: tasks of linked lists that differ from their
    base (or have none), and tasks deleted here whose object is still there."""
    rows = store.sync_rows()
    accounts = rows.accounts()
    if not accounts:
        return 0
    items = rows.all_items()
    synced = {item.task_id for item in items}
    alive = {task.id for task in store.get_many(synced)}
    waiting = len(synced - alive)
    linked = {link.project_id for account in accounts for link in rows.lists(account.id)}
    objects = store.ical_objects()
    query = TaskQuery(status=Status.ALL, projects=frozenset(linked))
    tasks = store.list_tasks(query)
    latest = latest_occurrences(tasks)
    for task in tasks:
        if task.project_id not in linked:
            continue  # under a linked project, in one of its own
        if is_past_occurrence(task, latest):
            continue  # a past occurrence: not on the server
        stored = objects.get(task.id)
        if task.id not in synced or stored is None or stored.at_version != task.version:
            waiting += 1
    return waiting


class SyncBusy(StoreError):
    """Another sync of this database is running (the app's, or another command's)."""


@contextmanager
def _one_sync_at_a_time(store: TaskStore) -> Iterator[None]:
    """A lock beside a database file, held for the sync: two syncs at once would both
    pull and push the same objects. Released by the system when the process ends,
    however (a sync killed does not block the next). A database on a server, or in
    memory, has no file to lock beside: there, syncs are not kept apart."""
    path = store.path
    if path is None:
        yield
        return
    import fcntl

    lock_path = path.with_name(path.name + ".sync-lock")
    try:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield  # a folder we cannot write in: a read-only database does not sync anyway
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SyncBusy(
                "Another sync of this database is running; try again in a moment."
            ) from None
        yield
    finally:
        os.close(descriptor)


def sync_once(
    store: TaskStore,
    account: AccountRecord,
    client: CalDavClient,
    *,
    now: Callable[[], datetime],
) -> SyncReport:
    """One sync of ``account``; its outcome recorded (when, or the error)."""
    report = SyncReport()
    try:
        with _one_sync_at_a_time(store):
            Syncer(store, account, client, report).run()
    except DavError as error:
        report.errors.append(str(error))
        store.sync_rows().finished(account.id, None, str(error))
        raise
    finally:
        client.close()
    store.sync_rows().finished(account.id, now(), "; ".join(report.errors) or None)
    return report


__all__ = [
    "AccountRecord",
    "ProjectRecord",
    "SyncReport",
    "Syncer",
    "setup_account",
    "sync_once",
    "waiting_changes",
]
