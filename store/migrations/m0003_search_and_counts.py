"""Schema v3: a search index and task counters, so neither search nor counts read every task.

* ``task_counts``: open and done tasks per owner, kept by triggers, so the list's
  length and the "12 open · 3 done" line cost one row however many tasks there are.
* ``task_search``: an FTS5 trigram index of titles and notes (substring search,
  case-insensitive), contentless (no second copy of the text) and keyed by a new
  ``tasks.seq`` number. Not by the table's rowid: VACUUM may renumber the rowids
  of a table without an INTEGER PRIMARY KEY, and tasks are keyed by UUID.
  Triggers keep it in step with every insert, edit and delete. Where SQLite lacks
  FTS5 or its trigram tokenizer (before 3.34), the step creates no index and the
  store searches with LIKE instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.migrations import MigrationContext

VERSION = 3
NAME = "search index and task counters"

COUNTERS = """
CREATE TABLE task_counts (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    completed INTEGER NOT NULL CHECK (completed IN (0, 1)),
    n INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (user_id, completed)
) WITHOUT ROWID;
INSERT INTO task_counts (user_id, completed, n)
    SELECT user_id, completed, count(*) FROM tasks GROUP BY user_id, completed;
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (user_id, completed, n) VALUES (new.user_id, new.completed, 1)
        ON CONFLICT (user_id, completed) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1
        WHERE user_id = old.user_id AND completed = old.completed;
END;
CREATE TRIGGER task_counts_update AFTER UPDATE OF completed, user_id ON tasks
    WHEN old.completed IS NOT new.completed OR old.user_id IS NOT new.user_id BEGIN
    UPDATE task_counts SET n = n - 1
        WHERE user_id = old.user_id AND completed = old.completed;
    INSERT INTO task_counts (user_id, completed, n) VALUES (new.user_id, new.completed, 1)
        ON CONFLICT (user_id, completed) DO UPDATE SET n = n + 1;
END
"""

SEARCH = """
CREATE VIRTUAL TABLE task_search USING fts5(
    title, description, content='', tokenize='trigram'
);
INSERT INTO task_search (rowid, title, description)
    SELECT seq, title, description FROM tasks;
CREATE TRIGGER task_search_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_search (rowid, title, description)
        SELECT new.seq, new.title, new.description WHERE new.seq IS NOT NULL;
END;
CREATE TRIGGER task_search_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO task_search (task_search, rowid, title, description)
        SELECT 'delete', old.seq, old.title, old.description WHERE old.seq IS NOT NULL;
END;
CREATE TRIGGER task_search_update AFTER UPDATE OF title, description, seq ON tasks BEGIN
    INSERT INTO task_search (task_search, rowid, title, description)
        SELECT 'delete', old.seq, old.title, old.description WHERE old.seq IS NOT NULL;
    INSERT INTO task_search (rowid, title, description)
        SELECT new.seq, new.title, new.description WHERE new.seq IS NOT NULL;
END
"""


POSTGRES_UP = (
    "ALTER TABLE tasks ADD COLUMN seq BIGINT",
    """UPDATE tasks SET seq = numbered.n FROM (
        SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM tasks) AS numbered
       WHERE tasks.id = numbered.id""",
    "CREATE UNIQUE INDEX tasks_seq ON tasks (seq)",
    """CREATE TABLE task_counts (
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        completed BOOLEAN NOT NULL,
        n INTEGER NOT NULL CHECK (n >= 0),
        PRIMARY KEY (user_id, completed))""",
    """INSERT INTO task_counts (user_id, completed, n)
        SELECT user_id, completed, count(*) FROM tasks GROUP BY user_id, completed""",
    """CREATE FUNCTION taskflow_count_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
            UPDATE task_counts SET n = n - 1
                WHERE user_id = OLD.user_id AND completed = OLD.completed;
        END IF;
        IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
            INSERT INTO task_counts (user_id, completed, n)
                VALUES (NEW.user_id, NEW.completed, 1)
                ON CONFLICT (user_id, completed) DO UPDATE SET n = task_counts.n + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks
        FOR EACH ROW EXECUTE FUNCTION taskflow_count_tasks()""",
    """CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks
        FOR EACH ROW EXECUTE FUNCTION taskflow_count_tasks()""",
    """CREATE TRIGGER task_counts_update AFTER UPDATE OF completed, user_id ON tasks
        FOR EACH ROW
        WHEN (OLD.completed IS DISTINCT FROM NEW.completed
              OR OLD.user_id IS DISTINCT FROM NEW.user_id)
        EXECUTE FUNCTION taskflow_count_tasks()""",
)
# No search index on a server: pg_trgm needs a superuser to install, which a team's
# database user seldom is; searches there read the rows (ILIKE).


def up(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        ctx.statements(*POSTGRES_UP)
        return
    ctx.execute("ALTER TABLE tasks ADD COLUMN seq INTEGER")
    ctx.execute("UPDATE tasks SET seq = rowid")
    ctx.execute("CREATE UNIQUE INDEX tasks_seq ON tasks (seq)")
    ctx.script(COUNTERS)
    if search_index_supported(ctx):
        ctx.script(SEARCH)


def down(ctx: MigrationContext) -> None:
    if ctx.dialect == "postgresql":
        ctx.statements(
            "DROP TABLE task_counts",
            "DROP TRIGGER task_counts_insert ON tasks",
            "DROP TRIGGER task_counts_delete ON tasks",
            "DROP TRIGGER task_counts_update ON tasks",
            "DROP FUNCTION taskflow_count_tasks()",
            "DROP INDEX tasks_seq",
            "ALTER TABLE tasks DROP COLUMN seq",
        )
        return
    for trigger in (
        "task_counts_insert",
        "task_counts_delete",
        "task_counts_update",
        "task_search_insert",
        "task_search_delete",
        "task_search_update",
    ):
        ctx.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    ctx.execute("DROP TABLE IF EXISTS task_search")
    ctx.execute("DROP TABLE task_counts")
    ctx.execute("DROP INDEX tasks_seq")
    ctx.execute("ALTER TABLE tasks DROP COLUMN seq")


def search_index_supported(ctx: MigrationContext) -> bool:
    try:
        ctx.execute("CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x, tokenize='trigram')")
    except Exception:  # no FTS5, or no trigram tokenizer: search falls back to LIKE
        return False
    ctx.execute("DROP TABLE temp.fts_probe")
    return True
