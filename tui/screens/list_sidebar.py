"""What the task list does with its sidebar, outside the screen class: where a chosen
project is after the tree changed, how the header names it, and which project key
starts which dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.screen import Screen

from store import ProjectRecord
from tui.list_state import ProjectPlace
from tui.screens.project_actions import (
    delete_project,
    move_project,
    new_project,
    rename_project,
    shown_path,
)
from tui.widgets.project_sidebar import SidebarContents, place_of

# Shown from this width on, unless p said otherwise: below it the list needs the room.
SIDEBAR_MIN_WIDTH = 100
SIDEBAR_WIDTH = 28  # as tui/app.tcss sets it (#sidebar): until it has been laid out


def place_in(contents: SidebarContents, place: ProjectPlace) -> ProjectPlace | None:
    """The chosen project as the tree now has it (renamed, moved, with new projects
    under it), or None if it was deleted: the list then shows every project."""
    for project in contents.projects:
        if project.id == place.project_id:
            return place_of(project, contents.projects)
    return None


def place_title(place: ProjectPlace) -> Text:
    """Where the list is, for the header: 'Work > Q4' (drawn with BREADCRUMB), or 'Inbox'."""
    if place.is_inbox:
        return Text("Inbox", style="bold")
    title = shown_path(place.path)
    title.stylize("bold")
    return title


def project_action(
    screen: Screen[Any],
    action: str,
    project: ProjectRecord | None,
    contents: SidebarContents,
    changed: Callable[[ProjectRecord | None], None],
) -> None:
    """Start what the sidebar's key ``action`` asks, on ``project``; ``changed`` runs
    once the store has made the change, with the project as it is now (None: deleted)."""
    if action == "new":
        new_project(screen, project, changed)
    elif project is None:
        return  # the others act on a project only (the sidebar says so)
    elif action == "rename":
        rename_project(screen, project, changed)
    elif action == "move":
        move_project(screen, project, contents.projects, changed)
    elif action == "delete":
        delete_project(screen, project, contents.projects, lambda _: changed(None))
