"""Keys typed ahead of the screen or field they are meant for.

A key that opens a field or a screen (``/``, ``a``, ``e``, ``d``, ``?``, Enter on a
form) is often followed, in the same burst, by what the user means to type next: a
paste, a fast typist, a slow SSH link that delivers several keys in one read.

Textual hands each key to the widget that has focus at the moment the app reads
it, by posting it to that widget's queue; the key's binding runs later, when the
key has bubbled back up to the app. So the keys of one burst are all sent to the
old focus before the first one has opened anything: ``/xmas`` would mark a task
done (``x``) and open New task (``a``) instead of searching. And a screen still
being mounted, or a form still saving, has nothing focused yet: keys sent to it
are lost.

So the app hands on one key (or paste) at a time: the next waits until the one
before has been through every widget it bubbles through, and until the screen on
top is ready for keys. A screen says when it is through ``ready_for_keys``;
Textual's own screens (the command palette) are ready once mounted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from textual import events
from textual.dom import DOMNode
from textual.screen import Screen
from textual.timer import Timer

# While keys wait for a screen: how often to look whether it is ready.
RECHECK_SECONDS = 0.02
# A key whose path is cut (a widget removed before the key came through it) is
# taken as handled after this long, so that the keys behind it never wait forever.
# Long: on a loaded machine a key's binding may take a while to run, and letting the
# next key go before it would bring back the very mix-up this module prevents. A node
# that closes is seen at once (call_later refuses), so this is only the last resort.
GIVE_UP_SECONDS = 3.0

TypedEvent = events.Key | events.Paste


@runtime_checkable
class TakesTypedAhead(Protocol):
    """A screen that says when keys may reach it (focused where they go, not busy)."""

    @property
    def ready_for_keys(self) -> bool: ...


def screen_ready_for_keys(screen: Screen[object]) -> bool:
    if not screen.is_mounted:
        return False
    if isinstance(screen, TakesTypedAhead):
        return screen.ready_for_keys
    return True


class TypeAhead:
    """The keys the app has read from the terminal but not yet handed on."""

    def __init__(
        self,
        deliver: Callable[[TypedEvent], Awaitable[None]],
        current_screen: Callable[[], Screen[object]],
        focused: Callable[[], DOMNode | None],
        start_timer: Callable[[float, Callable[[], Awaitable[None]]], Timer],
    ) -> None:
        self._deliver = deliver
        self._current_screen = current_screen
        self._focused = focused
        self._start_timer = start_timer
        self._held: deque[TypedEvent] = deque()
        self._in_flight: TypedEvent | None = None
        self._recheck_timer: Timer | None = None
        self._give_up_timer: Timer | None = None

    @property
    def held(self) -> int:
        """Keys read but not handed on yet (the one on its way not included)."""
        return len(self._held)

    async def receive(self, event: TypedEvent) -> None:
        """A key or paste from the terminal: it goes behind any held ones."""
        self._held.append(event)
        await self.flush()

    async def flush(self) -> None:
        """Hand on the next held key, if the one before is through and the screen is ready."""
        while self._held and self._in_flight is None:
            if not screen_ready_for_keys(self._current_screen()):
                self._recheck_later()
                return
            event = self._held.popleft()
            target = self._focused() or self._current_screen()
            await self._deliver(event)
            if event.is_forwarded:
                # Posted to the focused widget: the next key waits until this one has
                # been through that widget and each one above it, up to the app,
                # where its binding (if any) runs.
                self._in_flight = event
                self._give_up_timer = self._start_timer(GIVE_UP_SECONDS, self._give_up)
                path = target.ancestors_with_self
                await self._follow(event, path, then=path)

    async def _follow(
        self, event: TypedEvent, path: list[DOMNode], then: list[DOMNode] | None = None
    ) -> None:
        # A callback queued behind the key at each node, one node after the other:
        # a queue is first in, first out, and a node passes the key on to its parent
        # while it handles it, so each callback runs after the key left that node.
        # Then the same way once more: what the key set off on that path (Enter's
        # binding posts Input.Submitted, which the form handles by starting to save)
        # is handled before the next key is let through.
        while path:
            node, rest = path[0], path[1:]
            if node.call_later(self._follow, event, rest, then):
                return
            path = rest  # that node is closing: go on above it
        if then:
            await self._follow(event, then)
            return
        await self._through(event)

    async def _through(self, event: TypedEvent) -> None:
        if self._in_flight is not event:
            return  # already given up on
        self._in_flight = None
        if self._give_up_timer is not None:
            self._give_up_timer.stop()
            self._give_up_timer = None
        await self.flush()

    async def _give_up(self) -> None:
        self._give_up_timer = None
        if self._in_flight is not None:
            await self._through(self._in_flight)

    def _recheck_later(self) -> None:
        if self._recheck_timer is None:
            self._recheck_timer = self._start_timer(RECHECK_SECONDS, self._recheck)

    async def _recheck(self) -> None:
        self._recheck_timer = None
        await self.flush()
