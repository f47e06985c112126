"""Schema v6: projects, subtasks and "blocked by", and changes of several rows as one.

* ``projects``: each owner's tree of projects (Work > Q4 > Launch). A name is unique
  among its siblings ignoring case (``name_key``, case-folded), holds no '/' (paths
  are written with it), and siblings keep a manual order (``position``).
* ``tasks.project_id``: the task's project, or null for the Inbox.
  ``tasks.parent_id``: the task it is a subtask of, or null. Both real foreign keys
  that refuse to delete what is still referred to: the store moves or deletes what
  hangs on a project or a task first, and logs it.
* ``task_blocks``: task ``task_id`` is blocked by task ``blocker_id`` (many to many).
* ``task_events.subject``: 'task', or 'project' for a project's own change (its id
  then in ``task_id``): one log, so that undo walks tasks' and projects' changes in
  the order they were made.
* ``task_events.change_id``: the events of one change of several rows (a subtree
  deleted, a project deleted with its tasks) share it, the id of the first; undo
  takes them back together. Null for a change of one row, as every earlier one was.

``down`` keeps every task. A task's project comes back as a tag named by its path
(``Work/Q4``, spaces as '-') where a tag can hold that name; subtask links, blocks,
projects' own history and the grouping of changes have no place in version 5 and are
dropped. ``lost_by_down`` counts all of it first, so that ``db migrate`` says what
going down would drop before it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.planning import clean_tag

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 6
NAME = "projects, subtasks, blocked by, and changes of several rows"

_SQLITE_UP = """
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    parent_id TEXT REFERENCES projects (id) ON DELETE RESTRICT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60 AND instr(name, '/') = 0),
    name_key TEXT NOT NULL,
    position REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE UNIQUE INDEX projects_sibling_name ON projects (user_id, coalesce(parent_id, ''), name_key);
CREATE INDEX projects_parent ON projects (parent_id, position, id);
ALTER TABLE tasks ADD COLUMN project_id TEXT REFERENCES projects (id) ON DELETE RESTRICT;
ALTER TABLE tasks ADD COLUMN parent_id TEXT REFERENCES tasks (id) ON DELETE RESTRICT;
CREATE INDEX tasks_project ON tasks (project_id, position, id);
CREATE INDEX tasks_parent ON tasks (parent_id, position, id);
CREATE TABLE task_blocks (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE RESTRICT,
    blocker_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE RESTRICT,
    PRIMARY KEY (task_id, blocker_id),
    CHECK (task_id <> blocker_id)
) WITHOUT ROWID;
CREATE INDEX task_blocks_blocker ON task_blocks (blocker_id, task_id);
ALTER TABLE task_events ADD COLUMN subject TEXT NOT NULL DEFAULT 'task'
    CHECK (subject IN ('task', 'project'));
ALTER TABLE task_events ADD COLUMN change_id INTEGER;
CREATE INDEX task_events_change ON task_events (change_id) WHERE change_id IS NOT NULL
"""

_POSTGRES_UP = (
    """CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
        parent_id TEXT REFERENCES projects (id) ON DELETE RESTRICT,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60 AND strpos(name, '/') = 0),
        name_key TEXT NOT NULL,
        position DOUBLE PRECISION NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
        CHECK (parent_id IS NULL OR parent_id <> id))""",
    "CREATE UNIQUE INDEX projects_sibling_name "
    "ON projects (user_id, (coalesce(parent_id, '')), name_key)",
    "CREATE INDEX projects_parent ON projects (parent_id, position, id)",
    "ALTER TABLE tasks ADD COLUMN project_id TEXT REFERENCES projects (id) ON DELETE RESTRICT",
    "ALTER TABLE tasks ADD COLUMN parent_id TEXT REFERENCES tasks (id) ON DELETE RESTRICT",
    "CREATE INDEX tasks_project ON tasks (project_id, position, id)",
    "CREATE INDEX tasks_parent ON tasks (parent_id, position, id)",
    """CREATE TABLE task_blocks (
        task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE RESTRICT,
        blocker_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE RESTRICT,
        PRIMARY KEY (task_id, blocker_id),
        CHECK (task_id <> blocker_id))""",
    "CREATE INDEX task_blocks_blocker ON task_blocks (blocker_id, task_id)",
    "ALTER TABLE task_events ADD COLUMN subject TEXT NOT NULL DEFAULT 'task' "
    "CHECK (subject IN ('task', 'project'))",
    "ALTER TABLE task_events ADD COLUMN change_id BIGINT",
    "CREATE INDEX task_events_change ON task_events (change_id) WHERE change_id IS NOT NULL",
)

_DOWN = (
    "DROP INDEX task_events_change",
    "ALTER TABLE task_events DROP COLUMN change_id",
    "ALTER TABLE task_events DROP COLUMN subject",
    "DROP TABLE task_blocks",
    "DROP INDEX tasks_parent",
    "DROP INDEX tasks_project",
    "ALTER TABLE tasks DROP COLUMN parent_id",
    "ALTER TABLE tasks DROP COLUMN project_id",
    "DROP TABLE projects",
)

# How many of each thing ``down`` drops or turns into something else, and how many
# owners it touches (the tags a project becomes are counted by _project_tags).
LOSS_QUERY = """
SELECT (SELECT count(*) FROM projects),
       (SELECT count(*) FROM tasks WHERE parent_id IS NOT NULL),
       (SELECT count(*) FROM task_blocks),
       (SELECT count(*) FROM task_events WHERE subject = 'project'),
       (SELECT count(DISTINCT change_id) FROM task_events WHERE change_id IS NOT NULL),
       (SELECT count(*) FROM (
            SELECT user_id FROM projects
            UNION SELECT user_id FROM tasks WHERE parent_id IS NOT NULL
            UNION SELECT t.user_id FROM task_blocks b JOIN tasks t ON t.id = b.task_id
            UNION SELECT user_id FROM task_events WHERE change_id IS NOT NULL
       ) AS touched)
"""
LOSS_NOUNS = (
    ("project", "projects"),
    ("subtask link", "subtask links"),
    ("block", "blocks"),
    ("project history entry", "project history entries"),
    ("change of several tasks (undone one task at a time afterwards)", "changes of several "
     "tasks (undone one task at a time afterwards)"),
)  # fmt: skip
KEPT_AS_TAG = ("task's project kept as a tag", "tasks' projects kept as tags")
DROPPED_PROJECT = ("task's project dropped (no tag can hold its path)", "tasks' projects "
                   "dropped (no tag can hold their paths)")  # fmt: skip


def up(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        ctx.statements(*_POSTGRES_UP)
        return
    ctx.script(_SQLITE_UP)


def down(ctx: MigrationContext) -> None:
    tags = _project_tags(ctx)
    for user, task_id, name in tags.kept:
        key = name.casefold()
        ctx.execute(
            "INSERT INTO tags (user_id, name, name_key) SELECT ?, ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM tags WHERE user_id = ? AND name_key = ?)",
            (user, name, key, user, key),
        )
        ctx.execute(
            "INSERT INTO task_tags (task_id, tag_id) "
            "SELECT ?, id FROM tags WHERE user_id = ? AND name_key = ? "
            "AND NOT EXISTS (SELECT 1 FROM task_tags l JOIN tags g ON g.id = l.tag_id "
            "WHERE l.task_id = ? AND g.user_id = ? AND g.name_key = ?)",
            (task_id, user, key, task_id, user, key),
        )
    ctx.execute("DELETE FROM task_events WHERE subject = 'project'")
    ctx.statements(*_DOWN)


def lost_by_down(ctx: MigrationContext) -> tuple[tuple[tuple[int, str, str], ...], int]:
    """((count, singular, plural), ...) of what ``down`` drops or keeps otherwise, and
    the owners affected."""
    *counts, owners = ctx.execute(LOSS_QUERY).fetchone()
    tags = _project_tags(ctx)
    entries = [(int(n), one, many) for n, (one, many) in zip(counts, LOSS_NOUNS, strict=True)]
    entries.insert(1, (len(tags.kept), *KEPT_AS_TAG))
    entries.insert(2, (tags.dropped, *DROPPED_PROJECT))
    return tuple(entries), int(owners)


class _ProjectTags:
    """Each task in a project: the tag its project's path becomes, or none."""

    def __init__(self, kept: list[tuple[str, str, str]], dropped: int) -> None:
        self.kept = kept  # (owner, task id, tag name)
        self.dropped = dropped


def _project_tags(ctx: MigrationContext) -> _ProjectTags:
    projects: dict[str, tuple[str | None, str]] = {
        project_id: (parent_id, name)
        for project_id, parent_id, name in ctx.execute(
            "SELECT id, parent_id, name FROM projects"
        ).fetchall()
    }
    paths: dict[str, str] = {}

    def path_of(project_id: str) -> str:
        if project_id not in paths:
            names: list[str] = []
            current: str | None = project_id
            while current is not None and len(names) <= len(projects):
                parent, name = projects[current]
                names.append(name)
                current = parent
            paths[project_id] = "/".join(reversed(names))
        return paths[project_id]

    kept: list[tuple[str, str, str]] = []
    dropped = 0
    rows: list[Any] = ctx.execute(
        "SELECT user_id, id, project_id FROM tasks WHERE project_id IS NOT NULL ORDER BY id"
    ).fetchall()
    for user, task_id, project_id in rows:
        try:
            name = clean_tag("-".join(path_of(project_id).split()))
        except ValueError:
            dropped += 1
            continue
        kept.append((user, task_id, name))
    return _ProjectTags(kept, dropped)
