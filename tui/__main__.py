"""python -m tui: the same as running `taskflow`."""

import sys

from tui.cli import main

sys.exit(main())
