"""The config file: what it may say (catalogue), reading it (loading) and writing the
user's choices back (tui.settings.writing, imported by the app alone: a command that
only reads the file does not load what writing needs). Pure Python: the command line
reads it too."""

from tui.settings.catalogue import BINDING_IDS, SETTINGS, THEMES
from tui.settings.loading import (
    CONFIG_ENV_VAR,
    DEFAULTS,
    Origin,
    Problem,
    Settings,
    Value,
    config_path,
    load_settings,
    read_file,
)

__all__ = [
    "BINDING_IDS",
    "CONFIG_ENV_VAR",
    "DEFAULTS",
    "SETTINGS",
    "THEMES",
    "Origin",
    "Problem",
    "Settings",
    "Value",
    "config_path",
    "load_settings",
    "read_file",
]
