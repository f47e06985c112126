"""The help texts that ``taskflow --help`` and ``taskflow COMMAND --help`` print after the
options (argparse epilogs), kept apart from the parser so that each reads in one piece."""

from __future__ import annotations

from store import DB_ENV_VAR, USER_ENV_VAR
from tui.cli.list_command import UPCOMING_DAYS
from tui.cli.settings_access import CONFIG_ENV_VAR

MAIN_EPILOG = f"""\
Every command takes --db, --user and --config (before or after the command name).
Database: --db, else ${DB_ENV_VAR}, else the config file's database, else the
          user data folder. A command that only reads fails on a file named so
          that does not exist (a typo, most likely); one that writes creates it.
Owner:    --user, else ${USER_ENV_VAR}, else the config file's user, else your
          login name.
Config:   --config, else ${CONFIG_ENV_VAR}, else ~/.config/taskflow/config.toml
          (see 'taskflow config --help'). A line of it that cannot be used is
          named on stderr, and its setting keeps its default.
An ID is a task's id or any unique start of it, as git takes hashes.

Exit status: 0 success, 1 failure (not found, ambiguous id, conflict, invalid
input, bad file, database error), 2 wrong usage. Errors are one line on stderr.
Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR on.

examples:
  taskflow add Buy oat milk -d "the barista kind"
  taskflow add 'Pay rent tomorrow 9am !high #home #bills'
  taskflow add 'Standup every weekday 9am'
  taskflow list --all --search milk
  taskflow list --today
  taskflow done 3f2a
  taskflow export -o tasks.json && taskflow import tasks.json
  taskflow config edit
  taskflow COMMAND --help        (all about one command)
"""

_QUICK_ADD_HELP = """\
The title is read as the app's quick add reads it: a date phrase (today,
tomorrow, fri, next friday, in 3 weeks, end of month, 2026-12-01, dec 12,
with a time such as 9am, 14:30 or noon) sets the due date, !high, !h or !1
(and !medium/!m/!2, !low/!l/!3) the priority, #word adds a tag, and +Work or
+Work/Q4 (or project:Work.Q4) puts it in that project, made if it is new
('C++' and '+1' stay words), and a repeat phrase at the end (every monday,
every weekday 9am, every 2 weeks, every month on the 1st, every! 3 days)
makes it repeat. Put a backslash before a word (\\#1, \\friday) or quote words ('"Friday" club') to
keep them in the title. A bare hour ('at 1') is the next such hour within 12
hours; an abbreviated weekday ('sat', 'sun') is a date only after on/by/due,
before a time or at the end ('Sun cream' stays a title). --due, --priority
and --repeat win over the title's words; --tag adds to its #tags; --due also
takes 'yesterday' and 'last friday'.
"""

ADD_HELP = f"""\
{_QUICK_ADD_HELP}
Prints the new task's full id and what was understood (with --json, the task).

A repeating task is due on the rule's first date from today, unless --due (or a
date in the title) says otherwise; the rule counts from that date. Done, it
makes its next occurrence (a new task, same title, tags and project); skip
moves it on without doing it. Phrases: every day, every weekday, every mon and
thu, every other week, every 3 weeks on friday, every month on the 15th (the
last day in shorter months), every last friday, every dec 25, daily, weekly,
quarterly; then maybe a time (9am), an end (until dec 31, for 10 times), a
start (starting jan 4). 'every!' (or 'after completion') counts each next date
from the day the task was done. Repeats go by days, not hours.

examples:
  taskflow add Call the plumber
  taskflow add 'Pay rent tomorrow 9am !high #home #bills'   (quoted: # and ! mean
                                                  something to the shell)
  taskflow add Renew passport --due "in 3 weeks" --priority low --tag admin
  taskflow add 'Standup every weekday 9am #work'
  taskflow add "Water the plants" --repeat 'every! 3 days'
  taskflow add "Pay rent" --repeat "every month on the 1st" --due 2027-01-01
  taskflow add "Physio" --repeat "every tuesday for 6 times"
  taskflow add 'Buy \\#1 fan mug'
  taskflow add "Write report" --description $'- intro\\n- numbers'
                       ($'...' is bash and zsh quoting: there \\n is a line break)
  printf '%s\\n' '- intro' '- numbers' | taskflow add "Write report" --description -
  git log -1 --format=%B | taskflow add "Review commit" --description -
"""

LIST_HELP = f"""\
Shows open tasks, oldest first: id, [ ] or [x], priority (! low to !!! high),
due (today, tmrw 09:00, Mon, in 12d, 2d overdue), created (local time), title
and #tags; the priority and due columns only when a listed task has one.
A task that repeats is marked after its title with a circled arrow (or with
'(repeats)' where the terminal's character set has none).
Ids are shown as long as needed to tell every task apart (at least 8 characters).
Search ignores case and matches each word in the title or the description.
On a terminal, a header names the columns and a last line counts the tasks
listed (in a pipe and with --json: the rows only).
The config file can change the order without --sort (cli.list_sort), the
columns shown besides the mark and the title (cli.list_columns: any of id,
priority, due, created, tags, always in that order), and how due dates and
times are written (dates, time_format).

--today is what is due today and overdue; --upcoming what is due in the next
{UPCOMING_DAYS} days (overdue first), under a heading for each day; --overdue what
is past its due date or time. These show open tasks and sort by due date
unless --all, --done or --sort say otherwise. "Today" is the local date.

examples:
  taskflow list --today
  taskflow list --upcoming --tag work
  taskflow list --project Work          (Work and the projects under it)
  taskflow list --project ''            (the Inbox: tasks in no project)
  taskflow list --all --sort priority --json
"""

SHOW_HELP = """\
Shows the due date (local), priority and tags too. A repeating task shows its
rule in words, whether it repeats on schedule or after completion, its next
three dates, and its series: the occurrences done before it. A past or stopped
occurrence says so.
A deleted task is not shown: its history is (taskflow history ID).
The config file's time_format and dates say how dates and times are written.
"""

EDIT_HELP = f"""\
Give at least one of --title, --description, --due, --no-due, --priority,
--tag, --untag, --project, --no-project, --repeat, --no-repeat. The task is
read, then written only if nothing else changed it in between. Tags are added
to the task's own (--untag removes them).

--repeat gives the task a new rule from this occurrence on: it keeps its due
date if that is one of the rule's days, else moves to the rule's first date
from today; a time in the phrase ('every day 8am') sets the time of day.
--no-repeat stops it: the task stays, and no occurrence follows it.

{_QUICK_ADD_HELP}
examples:
  taskflow edit 3f2a --title "Call the plumber"
  taskflow edit 3f2a --due "fri 5pm" --priority high
  taskflow edit 3f2a --tag work --untag home --no-due
  taskflow edit 3f2a --description ''
  taskflow edit 3f2a --project Work/Q4
  taskflow edit 3f2a --repeat "every 2 weeks on monday"
  taskflow edit 3f2a --no-repeat
"""


def ids_help(command: str) -> str:
    repeating = (
        "A repeating task marked done makes its next occurrence, a new task (its id\n"
        "and date are printed); undo takes both back.\n\n"
        if command == "done"
        else ""
    )
    return f"""\
{repeating}Several ids may be given. Every id is looked up before anything is written: one
that matches no task, several tasks or a deleted task fails the command and
nothing changes. A task named twice is changed once. The tasks are one change:
one taskflow undo takes back all of it.

examples:
  taskflow {command} 3f2a
  taskflow {command} 3f2a 9c1b 77e0 --json     (several ids: a JSON array)
"""


PROJECTS_HELP = """\
Shows every project as a tree, each with its open and done tasks, those of the
projects under it included (as 'taskflow list --project' lists them), and the
Inbox: the tasks in no project. A task goes into a project with 'add --project',
'edit --project' or +Work/Q4 in its title; 'taskflow project' makes, renames,
moves and deletes them.

examples:
  taskflow projects
  taskflow project add Work/Q4
  taskflow project rename Work/Q4 "Q4 2026"
"""

PROJECT_MOVE_HELP = """\
The project goes after those already under TO, with its tasks and its own
projects. It cannot go under itself or a project inside it, nor deeper than
8 levels. A project there with the same name (in any case) refuses the move.

examples:
  taskflow project move Work/Launch Home       (now Home/Launch)
  taskflow project move Home/Launch ''          (now Launch, at the top)
"""

PROJECT_RM_HELP = """\
By default its tasks and the projects in it move up to its parent (for a project
at the top: the tasks to the Inbox, the projects to the top). With --with-tasks
they are deleted with it, and every project under it. Either way it is one
change: taskflow undo brings all of it back.
"""

SKIP_HELP = """\
The task, which must repeat, moves to the next date of its rule without being
done (and without a new task): on schedule, the rule's next date after its due
date; after completion, counted from today. Its time of day stays. A task whose
rule ends with it cannot be skipped: mark it done, or stop it with
'taskflow edit ID --no-repeat'. One change: taskflow undo moves it back.

examples:
  taskflow skip 3f2a
  taskflow skip 3f2a --json
"""

UNDO_HELP = """\
Each undo reverts your most recent change not yet undone (in the app or here);
repeat to go further back.

A change that cannot be undone is refused in one line that says why, and nothing
changes: the task changed since, its id is now another task's, it would put back
text that is refused (a terminal escape in an imported history), or it cannot be
read. 'taskflow undo --skip' passes over that change without undoing it (the skip
is kept, and shows in the task's history); the next undo reaches the one before.
"""

HISTORY_HELP = """\
Every change to the task, oldest first, in local time, with the values an edit
changed (title "A" -> "B"; due none -> Fri 27 Nov; tags +work -home). Works for
deleted tasks, by their full id or any unique start of it.
"""

EXPORT_HELP = """\
formats:
  json     TaskFlow's own: every field (due, priority, tags and your own order
           included); --events adds each task's history. Import it into an
           empty database and export again: byte for byte the same file.
  csv      id,title,description,completed,created_at,updated_at,due,priority,
           tags, with a header; tags separated by spaces.
  todotxt  one line a task (http://todotxt.org): (A)/(B)/(C) for high, medium,
           low; tags as +tag; due:YYYY-MM-DD (without its time); a done task's
           priority as pri:A. Descriptions are left out.
  ics      iCalendar (RFC 5545): one VCALENDAR of VTODOs, UID = the task's id.
           A task read from iCalendar goes back with everything TaskFlow does
           not map (alarms, other apps' properties) as it came.

--project PATH exports that project and those under it ('' for the Inbox).

A file given with -o is written to a temporary file, synced and renamed, so
it is either the old file or the complete new one, never half written.

examples:
  taskflow export > tasks.json
  taskflow export --events -o backup.json
  taskflow export -o tasks.csv
  taskflow export --project Work -o work.ics
"""

IMPORT_HELP = """\
formats (default: .csv is csv; .txt is todotxt; .ics, or text that begins
BEGIN:VCALENDAR, is ics; JSON is ours or Taskwarrior's by what it holds):
  json         TaskFlow's own export, history included if it has one.
  taskwarrior  'task export': description -> title; annotations -> the
               description; priority H/M/L -> high/medium/low; tags -> tags;
               project -> a project (dots for levels); depends -> blocked by;
               due -> a local day and time (local midnight -> the day alone);
               completed -> done; a recurring template and its children ->
               one repeating series (recur and until -> the rule; the pending
               child due soonest is the open one, completed children its past
               occurrences); scheduled, wait -> the description; deleted
               tasks, templates and later pending children are skipped.
  todotxt      done mark and dates kept; (A)/(B)/(C) -> high/medium/low
               (later letters stay in the title); the first +project -> the
               project, @contexts -> tags; due:YYYY-MM-DD -> the due date;
               rec:1w -> repeats a week after each completion, rec:+1w ->
               every week on schedule (d, w, m, y; 1b: every weekday).
  csv          a header row with a title column, and any of id, description,
               completed, created_at, updated_at, due (YYYY-MM-DD [HH:MM]),
               priority, tags (separated by spaces or commas), project,
               parent_id, repeat (an RFC 5545 RRULE), repeat_mode (schedule or
               completion), repeat_start, series_id and occurrence.
  ics          VTODOs: SUMMARY -> title, DESCRIPTION, STATUS/COMPLETED -> done,
               DUE (a TZID or UTC time -> local time), PRIORITY 1-4/5/6-9 ->
               high/medium/low, CATEGORIES -> tags, RELATED-TO -> parent and
               blocked by, RRULE -> repeat; the rest is kept for the export.

The whole file is checked first: one bad record refuses it whole, naming the
record or line, and nothing is written. Tasks are matched by id (todo.txt and
CSV without ids: by their text and creation date), so importing the same file
twice adds nothing. Printed: each task added, updated or skipped, and why:
  already here   the same title, description, done state, due, priority, tags
  newer here     it differs, but ours changed after the file's copy: ours kept
  deleted in Taskwarrior, recurring template, later occurrence   (Taskwarrior)
An updated task gets an 'edited' or 'toggled' event, so taskflow undo reverts it.

Limits: a file (or standard input) of at most 128 MiB, JSON nested at most 64
deep; times and dates from 1900-01-01 to 9999-12-30 (UTC), which every time zone
can show; versions up to 1,000,000,000; positions finite, within ±10^15. Texts
in a history pass the same rules as a task's own title, description and tags.
A new task keeps the file's id only if it is a UUID nobody here uses or used
(another owner's task, a deleted task's history); otherwise it gets a stable
substitute, printed as a note and in --json as reassigned_ids.

examples:
  task export > tw.json && taskflow import tw.json --dry-run
  taskflow import todo.txt
  taskflow export | taskflow --db other.db import - --format json
"""

DB_HELP = """\
examples:
  taskflow db status
  taskflow db check
  taskflow db backup ~/backups/
  taskflow db migrate --to 1
"""

MIGRATE_HELP = """\
The database is backed up beside itself before its schema changes. Every other
command (and the app) brings the schema up to date by itself; this one can also
go down, to hand a file to an older TaskFlow.
"""

BACKUP_HELP = """\
An online backup: safe while the app or another command is using the database.
Without PATH, the backup goes beside the database (the newest 5 are kept).
An existing file is never overwritten.
"""

CONFIG_HELP = f"""\
One TOML file holds your settings: the theme, remapped keys, the list the app
starts on, the first day of the week, 12- or 24-hour times, relative or
absolute dates, this command line's list order and columns, and the default
database and owner. It is the file --config names, else ${CONFIG_ENV_VAR}, else
~/.config/taskflow/config.toml (the platform's config folder). The README
lists every setting, with an example.

A line that cannot be used (not TOML, an unknown setting, a wrong value) is
named on stderr, file, line and setting, and that setting keeps its default;
a database there that cannot be used ends the command (exit 1).

examples:
  taskflow config path
  taskflow config show
  taskflow config edit
  taskflow --config ~/work.toml list
"""

CONFIG_PATH_HELP = """\
Prints the path alone, whether or not a file is there, so that a script can use
it: "$(taskflow config path)".
"""

CONFIG_SHOW_HELP = """\
Every setting with its value and where that came from: the default, a line of
the file, the environment ($TASKFLOW_DB_PATH, $TASKFLOW_USER) or an option
(--db, --user); then the keys the file remaps, and its problems, if any.
"""

CONFIG_EDIT_HELP = """\
Opens the file in $VISUAL, else $EDITOR, else vi. Without a file, one is made
first: every setting, commented out at its default. Once the editor is closed
the file is read again and each problem printed (exit 1), or "No problems
found in PATH."
"""

SYNC_HELP = """\
Without a command: one sync of every account set up. It prints what it pulled,
pushed, merged, the conflicts (a field changed on both sides: the newer change
wins, the other value stays in the task's history) and what failed; exit 1 when
something failed (what succeeded stays done).

Each project is one task list on the server (nested ones by path: "Work/Q4"), the
Inbox the list given by --inbox. Writes say If-Match, so a change another device
made since the last sync is never overwritten: it is merged on the next sync.

examples:
  taskflow sync setup https://cloud.example.com/remote.php/dav --username me
  taskflow sync setup https://caldav.fastmail.com/ --username me@fastmail.com \\
      --password-stdin < password.txt
  taskflow sync
  taskflow sync status
"""
