"""The config file as the user sees it (reviewed SVG snapshots: frozen clock on Friday
20 November 2026, 09:30, fixed sizes, UTC): the Footer, the views bar and the help with
remapped keys; a light theme, 12-hour times and absolute dates from the file; and the
notification of a bad file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.test_repeat_snapshots import seed_routines
from tests.tui.test_snapshots import SIZE, steps
from tui.settings import read_file

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.zone("UTC"),  # a snapshot is one fixed picture, local times and days included
]

REMAPPED = """\
# Keys as a user coming from another app might want them.
[keys]
toggle_done = "t"
add = ["+", "a"]
search = "f"
view_today = "ctrl+t"
help = "f1"
"""


def settings_from(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(text)
    return read_file(path)


class TestConfigFile:
    def test_the_footer_and_views_bar_show_remapped_keys(
        self, snap_compare, app_factory, seed_store, clock, tmp_path
    ) -> None:
        seed_routines(seed_store, clock)
        app = app_factory(settings=settings_from(tmp_path, REMAPPED))
        assert snap_compare(app, terminal_size=SIZE, run_before=steps())

    def test_the_help_shows_remapped_keys(
        self, snap_compare, app_factory, seed_store, clock, tmp_path
    ) -> None:
        seed_routines(seed_store, clock)
        app = app_factory(settings=settings_from(tmp_path, REMAPPED))
        assert snap_compare(app, terminal_size=SIZE, run_before=steps("f1"))

    def test_a_light_theme_twelve_hour_times_and_absolute_dates(
        self, snap_compare, app_factory, seed_store, clock, tmp_path
    ) -> None:
        seed_routines(seed_store, clock)
        text = 'theme = "catppuccin-latte"\ntime_format = "12h"\ndates = "absolute"\n'
        app = app_factory(settings=settings_from(tmp_path, text), theme=None)
        assert snap_compare(app, terminal_size=SIZE, run_before=steps())

    def test_a_bad_file_is_said_at_start(
        self, snap_compare, app_factory, seed_store, clock, tmp_path
    ) -> None:
        seed_routines(seed_store, clock)
        text = 'them = "nord"\n[keys]\ntoggle_done = "d"\n'
        app = app_factory(settings=settings_from(tmp_path, text))
        assert snap_compare(app, terminal_size=SIZE, run_before=steps())
