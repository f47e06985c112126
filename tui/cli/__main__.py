"""python -m tui.cli: the same as running `taskflow` (as python -m tui is)."""

import sys

from tui.cli import main

sys.exit(main())
