"""What a TaskQuery lists, in which order, and from where: the SELECTs of the list.

The orders are written exactly as migration 5's indexes are, and a page continues by
keyset (from a row's sort values), so that a page deep in 100,000 tasks costs what
the first one does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import peewee

from store.backend import Backend, execute_sql
from store.models import Models, format_timestamp
from store.planning import ALL_DAY_SUFFIX
from store.records import NO_DUE, Sort, Status, TaskQuery, TaskRecord, title_key

# Up to this many search-index hits, a search reads the hits; past it, the list's index.
FEW_SEARCH_HITS = 2000


class TaskQueries:
    """The SELECTs for one owner's lists (run by the caller, inside a session)."""

    def __init__(self, backend: Backend, models: Models, user: str) -> None:
        self._backend = backend
        self._models = models
        self.user = user

    def page(
        self,
        query: TaskQuery,
        *,
        limit: int | None,
        offset: int,
        after: TaskRecord | None,
        before: TaskRecord | None,
        from_end: bool,
    ) -> tuple[Any, bool]:
        """The SELECT of one page of ``query`` (see TaskStore.list_tasks), and whether it
        reads backwards: its rows then come last first."""
        select = self.filtered(query)
        order = self.sort_keys(query.sort)
        backwards = before is not None or from_end
        if after is not None:
            select = select.where(beyond(order, self.sort_values(query.sort, after), 1))
        if before is not None:
            select = select.where(beyond(order, self.sort_values(query.sort, before), -1))
        select = select.order_by(
            *(column.desc() if desc != backwards else column.asc() for column, desc in order)
        )
        if limit is not None:
            select = select.limit(limit)
        if offset:
            select = select.offset(offset)
        return select, backwards

    def earlier(self, sort: Sort, task: TaskRecord) -> Any:
        """The condition on the rows that come before ``task`` in this order."""
        return beyond(self.sort_keys(sort), self.sort_values(sort, task), -1)

    def count(self, query: TaskQuery, *, where: Any = None) -> int:
        """How many tasks ``query`` lists (those of them ``where`` holds for, if given),
        counted in the database.

        Narrowed to projects or folded, in a SQLite file that holds this owner's tasks
        alone (as the trigger-kept counters say, read in the same transaction), the
        owner test is left out, so that the project or parent index alone can
        answer: a project's count at 100,000 tasks takes 0.2 ms against 8, every task
        folded 5 ms against 16. A server is shared by design, and its planner has
        statistics: always the owner test there.
        """
        # Only where an index without the owner fits: the project's or the parent's.
        # Elsewhere (by due date, say) the owner's own indexes are the right ones.
        narrowed = query.projects is not None or query.folded
        if self._backend.dialect != "sqlite" or not narrowed:
            return int(_narrowed(self.filtered(query, counting=True), where).count())
        with self._backend.read_snapshot():
            TaskCount = self._models.TaskCount
            # Two ranges of the key, not "!=": a key search, as every read at launch is.
            other_owner = (TaskCount.user < self.user) | (TaskCount.user > self.user)
            other = TaskCount.select(TaskCount.n).where(other_owner & (TaskCount.n > 0))
            sole = other.limit(1).first() is None
            if sole and where is None and _only_folded(query):
                return self._folded_count(query)
            return int(_narrowed(self.filtered(query, counting=True, sole=sole), where).count())

    def _folded_count(self, query: TaskQuery) -> int:
        """Every task folded, nothing else narrowing, one owner in the file: the
        counter's total, less the subtasks (the parent index's non-null keys, fewer
        than the top-level ones), plus those of the tasks unfolded again."""
        Task, TaskCount = self._models.Task, self._models.TaskCount
        total = TaskCount.select(peewee.fn.SUM(TaskCount.n)).where(TaskCount.user == self.user)
        subtasks = Task.select().where(Task.parent_id.is_null(False)).count()
        shown_again = Task.select().where(Task.parent_id.in_(self._opened(query))).count()
        return int(total.scalar() or 0) - int(subtasks) + int(shown_again)

    def filtered(self, query: TaskQuery, *, counting: bool = False, sole: bool = False) -> Any:
        """The owner's tasks ``query`` lists, unordered. ``counting``: for a count, and
        ``sole``: no other owner has a task here (see count), so no owner test."""
        Task = self._models.Task
        hits = self._backend.search_candidates(query.terms) if query.terms else None
        if hits is None and counting and sole:
            select = Task.select()
        elif hits is None:
            owner = Task.user == self.user
            if counting and query.projects is not None:
                # Counted through the project index (the Inbox is its NULL key): the
                # planner, which has no statistics, would take the owner's index and
                # read every task of the owner (22 ms at 100,000 against 1 ms).
                owner = self._backend.unindexed(Task.user) == self.user
            select = Task.select().where(owner)
        elif counting or hits.count <= FEW_SEARCH_HITS:
            # Walk the index hits, not every task of the owner: the owner test must not
            # draw the planner to the owner's index.
            select = Task.select().where(
                Task.seq.in_(hits.query) & (self._backend.unindexed(Task.user) == self.user)
            )
        else:
            # Many hits: walking the list's own index in order finds a page of them at
            # once, where walking the hits would mean sorting them all first.
            select = Task.select().where((Task.user == self.user) & Task.seq.in_(hits.query))
        if query.status is Status.OPEN:
            select = select.where(Task.completed == False)  # noqa: E712 (peewee expression)
        elif query.status is Status.DONE:
            select = select.where(Task.completed == True)  # noqa: E712
        if query.due_until is not None:
            day_after = query.due_until + timedelta(days=1)
            select = select.where(self.due_order() < day_after.isoformat())
        if query.tag is not None:
            Tag, TaskTag = self._models.Tag, self._models.TaskTag
            key = query.tag.casefold()
            named = Tag.name_key.startswith(key) if query.tag_prefix else Tag.name_key == key
            tagged = (
                TaskTag.select(TaskTag.task)
                .join(Tag, on=(TaskTag.tag == Tag.id))
                .where((Tag.user == self.user) & named)
            )
            select = select.where(Task.id.in_(tagged))
        if query.projects is not None:
            select = select.where(_in_projects(Task.project_id, query.projects))
        if query.ready:
            TaskBlock, Blocker = self._models.TaskBlock, Task.alias("blocker")
            open_blocker = (
                TaskBlock.select(TaskBlock.task_id)
                .join(Blocker, on=(Blocker.id == TaskBlock.blocker_id))
                .where((TaskBlock.task_id == Task.id) & (Blocker.completed == False))  # noqa: E712
            )
            select = select.where(~peewee.fn.EXISTS(open_blocker))
        if query.collapse_all:
            select = select.where(
                Task.parent_id.is_null() | Task.parent_id.in_(self._opened(query))
            )
        elif query.collapsed:
            select = select.where(Task.id.not_in(self._under(query.collapsed)))
        for term in query.terms:
            title: peewee.ColumnBase
            description: peewee.ColumnBase
            if term.isascii():
                # The database's own case-insensitive LIKE: no per-row Python call.
                title, description = Task.title, Task.description
            else:
                title = self._backend.casefold(Task.title)
                description = self._backend.casefold(Task.description)
            select = select.where(title.contains(term) | description.contains(term))
        return select

    def _under(self, parents: frozenset[str]) -> Any:
        """The ids of every task under these (a recursive query: no row read twice)."""
        Task = self._models.Task
        ids = sorted(parents)
        seed = Task.select(Task.id).where((Task.user == self.user) & Task.parent_id.in_(ids))
        below = seed.cte("folded_under", recursive=True, columns=("id",))
        deeper = Task.select(Task.id).join(below, on=(Task.parent_id == below.c.id))
        tree = below.union_all(deeper)
        return tree.select_from(tree.c.id)

    def _opened(self, query: TaskQuery) -> Any:
        """The expanded tasks whose own parents are all expanded: their subtasks show."""
        Task = self._models.Task
        ids = sorted(query.expanded)
        seed = Task.select(Task.id).where(
            (Task.user == self.user) & Task.id.in_(ids) & Task.parent_id.is_null()
        )
        opened = seed.cte("opened", recursive=True, columns=("id",))
        deeper = (
            Task.select(Task.id)
            .join(opened, on=(Task.parent_id == opened.c.id))
            .where(Task.id.in_(ids))
        )
        tree = opened.union_all(deeper)
        return tree.select_from(tree.c.id)

    def sort_keys(self, sort: Sort) -> list[tuple[Any, bool]]:
        """Columns of an order, each with whether it runs descending. Ties end on the id.

        The due and priority orders are written exactly as migration 5's indexes are, so
        that SQLite walks those indexes (an expression only matches itself, literally).
        """
        Task = self._models.Task
        if sort is Sort.MANUAL:
            return [(Task.position, False), (Task.id, False)]
        if sort is Sort.DUE:
            return [(self.due_order(), False), (Task.position, False), (Task.id, False)]
        if sort is Sort.PRIORITY:
            urgency = peewee.Expression(peewee.SQL("3"), "-", Task.priority)
            return [
                (urgency, False),
                (self.due_order(), False),
                (Task.position, False),
                (Task.id, False),
            ]
        if sort is Sort.UPDATED:
            return [(Task.updated_at, True), (Task.id, True)]
        if sort is Sort.TITLE:
            return [(Task.title_key, False), (Task.id, False)]
        if sort is Sort.STATUS:
            return [(Task.completed, False), (Task.created_at, False), (Task.id, False)]
        return [(Task.created_at, False), (Task.id, False)]

    def due_order(self) -> Any:
        """When a task falls due, as text that sorts in time order (see migration 5):

            COALESCE(CASE WHEN length(due) = 10 THEN due || ' 24:00' ELSE due END, '~')

        An all-day key reads as the end of its day, after that day's times; undated
        tasks ('~') come after every date. The literals are SQL, not parameters: an
        index on an expression serves only a query with the same expression, and a
        bound parameter is not the same expression as the literal in the index.
        """
        due = self._models.Task.due
        all_day = peewee.fn.length(due) == peewee.SQL("10")
        end_of_day = due.concat(peewee.SQL(f"'{ALL_DAY_SUFFIX}'"))
        moment = peewee.Case(None, [(all_day, end_of_day)], due)
        return peewee.fn.COALESCE(moment, peewee.SQL(f"'{NO_DUE}'"))

    def sort_values(self, sort: Sort, record: TaskRecord) -> list[Any]:
        if record.unreadable:
            # Its placeholders are not where the row sorts: page on from what is stored.
            Task = self._models.Task
            columns = [column for column, _ in self.sort_keys(sort)]
            select = Task.select(*columns).where(Task.id == record.id)
            stored = execute_sql(self._backend.db, *select.sql()).fetchone()
            if stored is not None:
                return list(stored)
        due = record.due.order_key if record.due else NO_DUE
        if sort is Sort.MANUAL:
            return [record.position, record.id]
        if sort is Sort.DUE:
            return [due, record.position, record.id]
        if sort is Sort.PRIORITY:
            return [3 - int(record.priority), due, record.position, record.id]
        if sort is Sort.UPDATED:
            return [format_timestamp(record.updated_at), record.id]
        if sort is Sort.TITLE:
            return [title_key(record.title), record.id]
        if sort is Sort.STATUS:
            return [int(record.completed), format_timestamp(record.created_at), record.id]
        return [format_timestamp(record.created_at), record.id]


def beyond(order: list[tuple[Any, bool]], values: list[Any], direction: int) -> Any:
    """The keyset condition: rows after (direction 1) or before (-1) these values in this order.

    Written as a range on the first sort key, refined by a row-value comparison of
    the rest: SQLite turns the range into an index seek even when the first key is
    an expression (the due and priority orders), which a row-value comparison over
    all the keys would not.
    """
    columns = [column for column, _ in order]
    # Every order here runs all its columns the same way.
    later = direction > 0 if not order[0][1] else direction < 0
    first, bound = columns[0], values[0]
    if len(columns) == 1:
        return first > bound if later else first < bound
    rest, rest_bound = peewee.Tuple(*columns[1:]), peewee.Tuple(*values[1:])
    if later:
        return (first >= bound) & ((first > bound) | ((first == bound) & (rest > rest_bound)))
    return (first <= bound) & ((first < bound) | ((first == bound) & (rest < rest_bound)))


def _only_folded(query: TaskQuery) -> bool:
    """Every task folded (some unfolded again), and no filter besides."""
    return (
        query.collapse_all
        and query.status is Status.ALL
        and not query.terms
        and query.tag is None
        and query.projects is None
        and query.due_until is None
        and not query.ready
    )


def _narrowed(select: Any, where: Any) -> Any:
    return select if where is None else select.where(where)


def _in_projects(column: Any, projects: frozenset[str | None]) -> Any:
    """The condition a TaskQuery's ``projects`` puts on the task's project column."""
    ids = sorted(project for project in projects if project is not None)
    condition = column.in_(ids) if ids else None
    if None in projects:
        condition = column.is_null() if condition is None else (condition | column.is_null())
    return condition if condition is not None else column.in_([])
