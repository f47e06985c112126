"""The `taskflow` command: no sub-command opens the full-screen app; sub-commands script it.

Nothing here imports textual or rich: a scripted `taskflow add` must cost little
more than Python's own start, so the app is imported only when it runs, and the
sub-commands write plain text (with ANSI colour of their own on a terminal).

The package, module by module:
  entry              main(): parse, run one command, one line and an exit code on failure
  parser, help       the argument parser and the help texts it prints
  output             the terminal output toolkit, the exit codes, standard streams
  store_access       the store that --db and --user (or the config file) name, the clock,
                     text from stdin
  settings_access    the config file as commands read it (only when there is one)
  task_commands      add, show, edit, done, undone, rm, undo, history
  list_command       list
  transfer_commands  export, import; export_target: where `export -o` may write
  db_commands        db status, migrate, check, backup
  config_commands    config path, show, edit

The atomic, durable file write an export uses is the store's: store.files.
"""

from tui.cli.entry import main
from tui.cli.output import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE

# The one text policy both front ends use, as the command line sees it (tests/test_text.py
# checks that these are tui.text's own functions, not copies).
from tui.text import clip, display_width, visible

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_USAGE",
    "clip",
    "display_width",
    "main",
    "visible",
]
