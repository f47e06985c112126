"""The sidebar of the task list: the views, the Inbox and the project tree, with counts.

It only shows and chooses: the list screen reads what it lists (in the worker that
reads the counts) and acts on what is chosen. Its keys for making, renaming, moving
and deleting projects are its own, since they act on the project under its cursor;
the work they start is in tui/screens/project_actions.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from store import PATH_SEPARATOR, ProjectRecord, TaskCounts
from tui.formatting import literal
from tui.list_state import ProjectPlace, ViewKind
from tui.rebinding import KeysAsRemapped
from tui.services import TaskFlowServices

INBOX_ID = "inbox"
VIEW_PREFIX = "view:"
PROJECT_PREFIX = "project:"
INDENT = "  "  # per level of the tree
ENTRY_WIDTH = 25  # an entry's cells until the sidebar has been laid out
_DONE_TO = {"rename": "renamed", "move": "moved", "delete": "deleted"}


@dataclass(frozen=True)
class SidebarContents:
    """What the sidebar lists, read together by a worker."""

    projects: Sequence[ProjectRecord]  # depth first, as TaskStore.projects gives them
    inbox: TaskCounts


def place_of(project: ProjectRecord, projects: Sequence[ProjectRecord]) -> ProjectPlace:
    """Where choosing ``project`` takes the list: it and every project under it."""
    under = project.path + PATH_SEPARATOR
    scope = frozenset(p.id for p in projects if p.id == project.id or p.path.startswith(under))
    return ProjectPlace(
        path=project.path, scope=frozenset[str | None](scope), project_id=project.id
    )


INBOX_PLACE = ProjectPlace(path="", scope=frozenset({None}))


class ProjectSidebar(KeysAsRemapped, OptionList):
    """Views first, then the Inbox and the projects; Enter chooses one for the list."""

    BINDINGS = [
        Binding("j", "cursor_down", "Next", show=False, id="sidebar_down"),
        Binding("k", "cursor_up", "Previous", show=False, id="sidebar_up"),
        Binding(
            "escape",
            "leave",
            "Back to the list",
            tooltip="Give the keys back to the list",
            id="sidebar_leave",
        ),
        Binding(
            "n",
            "new_project",
            "New project",
            tooltip="Make a project (under this one)",
            id="new_project",
        ),
        Binding("r", "rename_project", "Rename", tooltip="Rename the project", id="rename_project"),
        Binding(
            "M",
            "move_project",
            "Move",
            tooltip="Put the project under another one",
            id="move_project",
        ),
        Binding(
            "d",
            "delete_project",
            "Delete",
            tooltip="Delete the project (asks first)",
            id="delete_project",
        ),
        Binding(
            "delete",
            "delete_project",
            "Delete",
            show=False,
            tooltip="Delete the project",
            id="delete_project",
        ),
    ]

    @dataclass
    class ViewChosen(Message):
        """A view, across every project."""

        view: ViewKind

    @dataclass
    class PlaceChosen(Message):
        """The Inbox or a project (with those under it)."""

        place: ProjectPlace

    @dataclass
    class ActionAsked(Message):
        """One of the project keys, on ``project`` (None: on a view or the Inbox)."""

        action: str  # "new", "rename", "move" or "delete"
        project: ProjectRecord | None

    @dataclass
    class Left(Message):
        """Escape: the keys go back to the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.contents = SidebarContents((), TaskCounts(open=0, done=0))
        self._current_view = ViewKind.ALL
        self._current_place: ProjectPlace | None = None
        self._by_id: dict[str, ProjectRecord] = {}
        self._cursor_to: str | None = None  # where the next show() puts the cursor

    @property
    def _entry_width(self) -> int:
        """The cells an entry has: the sidebar's, less its padding and scrollbar."""
        width = self.scrollable_content_region.width
        return width if width > 0 else ENTRY_WIDTH

    def on_resize(self) -> None:
        if self.option_count:
            self.show(self.contents, self._current_view, self._current_place)

    def cursor_to_project(self, project_id: str) -> None:
        """Put the cursor on this project once it is listed (one just made)."""
        self._cursor_to = PROJECT_PREFIX + project_id

    @property
    def cursor_pending(self) -> bool:
        """A cursor_to_project not yet carried out: the project is not listed yet."""
        return self._cursor_to is not None

    # -- what it shows --------------------------------------------------------------------

    def show(self, contents: SidebarContents, view: ViewKind, place: ProjectPlace | None) -> None:
        """List ``contents``, marking where the list is; the cursor stays on its entry."""
        # The cursor stays where the user is moving it; otherwise it is where the list is.
        kept = self.highlighted_id if self.has_focus else None
        kept, self._cursor_to = self._cursor_to or kept, None
        self.contents = contents
        self._current_view, self._current_place = view, place
        self._by_id = {project.id: project for project in contents.projects}
        self.clear_options()
        self.add_options(self._entries())
        self._highlight(kept if kept is not None else self._current_id())

    def mark(self, view: ViewKind, place: ProjectPlace | None) -> None:
        """Where the list is now, with the same contents: only the two entries whose
        mark moves are drawn again (a tree of hundreds of projects costs a frame)."""
        was = self._current_id()
        self._current_view, self._current_place = view, place
        now = self._current_id()
        if now == was or not self.option_count:
            return  # nothing moved, or not listed yet (a view key typed at launch): show() marks it
        for option_id in (was, now):
            prompt = self._prompt(option_id, option_id == now)
            if prompt is not None:
                self.replace_option_prompt(option_id, prompt)
        if not self.has_focus:
            self._highlight(now)  # a key (2, say) moved the list: the cursor follows

    def _prompt(self, option_id: str, current: bool) -> Text | None:
        """The entry's line; None for a project no longer in the contents."""
        if option_id.startswith(VIEW_PREFIX):
            view = ViewKind(option_id.removeprefix(VIEW_PREFIX))
            return _entry(Text(view.label), None, current, self._entry_width)
        if option_id == INBOX_ID:
            return _entry(Text("Inbox"), self.contents.inbox.open, current, self._entry_width)
        project = self._by_id.get(option_id.removeprefix(PROJECT_PREFIX))
        if project is None:
            return None
        name = Text(INDENT * project.depth)
        name.append_text(literal(project.name))
        return _entry(name, project.open, current, self._entry_width)

    @property
    def highlighted_id(self) -> str | None:
        if self.highlighted is None or not self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def project(self, project_id: str) -> ProjectRecord | None:
        """The project by its id, as last listed (None if it is not)."""
        return self._by_id.get(project_id)

    @property
    def highlighted_project(self) -> ProjectRecord | None:
        option_id = self.highlighted_id or ""
        if option_id.startswith(PROJECT_PREFIX):
            return self._by_id.get(option_id.removeprefix(PROJECT_PREFIX))
        return None

    def _current_id(self) -> str:
        place = self._current_place
        if place is None:
            return VIEW_PREFIX + self._current_view.value
        return INBOX_ID if place.project_id is None else PROJECT_PREFIX + place.project_id

    def _highlight(self, option_id: str) -> None:
        try:
            self.highlighted = self.get_option_index(option_id)
        except OptionDoesNotExist:  # the entry is gone (a deleted project): where the list is
            try:
                self.highlighted = self.get_option_index(self._current_id())
            except OptionDoesNotExist:
                self.highlighted = 1 if self.option_count > 1 else None

    def _entries(self) -> list[Option]:
        current = self._current_id()
        views = [VIEW_PREFIX + view.value for view in ViewKind]
        places = [INBOX_ID] + [PROJECT_PREFIX + p.id for p in self.contents.projects]
        options: list[Option] = []
        for heading, ids in (("Views", views), ("Projects", places)):
            options.append(Option(Text(heading, style="bold"), disabled=True))
            for option_id in ids:
                prompt = self._prompt(option_id, option_id == current)
                if prompt is not None:
                    options.append(Option(prompt, option_id))
        if not self.contents.projects:
            new_project = cast(TaskFlowServices, self.app).key_of("new_project")
            options.append(
                Option(Text(f"{new_project} makes a project", style="dim italic"), disabled=True)
            )
        return options

    # -- choosing and the keys --------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith(VIEW_PREFIX):
            self.post_message(self.ViewChosen(ViewKind(option_id.removeprefix(VIEW_PREFIX))))
        elif option_id == INBOX_ID:
            self.post_message(self.PlaceChosen(INBOX_PLACE))
        elif (project := self.highlighted_project) is not None:
            self.post_message(self.PlaceChosen(place_of(project, self.contents.projects)))

    def action_cursor_down(self) -> None:
        # No wrapping round to the top: Down held past the last project would land on
        # All, and Enter there would quietly show every project again.
        before = self.highlighted
        super().action_cursor_down()
        if before is not None and self.highlighted is not None and self.highlighted < before:
            self.highlighted = before

    def action_cursor_up(self) -> None:
        before = self.highlighted
        super().action_cursor_up()
        if before is not None and self.highlighted is not None and self.highlighted > before:
            self.highlighted = before

    def action_leave(self) -> None:
        self.post_message(self.Left())

    def action_new_project(self) -> None:
        self.post_message(self.ActionAsked("new", self.highlighted_project))

    def action_rename_project(self) -> None:
        self._on_project("rename")

    def action_move_project(self) -> None:
        self._on_project("move")

    def action_delete_project(self) -> None:
        self._on_project("delete")

    def _on_project(self, action: str) -> None:
        project = self.highlighted_project
        if project is None:
            # Said, not greyed out: a key refused here would go on to the list's own
            # binding (d would delete the task under the list's cursor).
            cast(TaskFlowServices, self.app).say(
                f"Only a project can be {_DONE_TO[action]}: the Inbox and the views stay."
            )
            return
        self.post_message(self.ActionAsked(action, project))


def _entry(name: Text, count: int | None, current: bool, width: int) -> Text:
    """One line of ``width`` cells: the name, cut to fit, and its open tasks at the
    right edge. Plain text, not a table: hundreds of entries are measured on every
    change, and a table costs a render each."""
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    line.append("▸ " if current else "  ", style="bold" if current else "")
    if current:
        name.stylize("bold")
    number = str(count) if count else ""
    room = max(width - line.cell_len - (len(number) + 1 if number else 0), 1)
    name.truncate(room, overflow="ellipsis")
    line.append_text(name)
    if number:
        line.append(" " * max(width - line.cell_len - len(number), 1))
        line.append(number, style="dim")
    return line
