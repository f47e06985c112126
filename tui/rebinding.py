"""TaskFlow's screens and widgets take the config file's [keys] as they are built.

Textual's own keymap (App.set_keymap) would do the remapping too, but on every key
press, and it moves each remapped binding to the end of its node's bindings: the
Footer then shows "Add" after "Structure", and a dialog's remapped "No" after its
"Cancel" (which the Footer, showing one key an action, then hides). Remapped here,
once, each binding keeps its place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.binding import Binding, BindingsMap


class KeysAsRemapped:
    """A mixin, first among the bases: the node's bindings under the app's ``keymap``
    (binding id -> "key,key", as tui.keymap settled it), in their declared order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            keymap: Mapping[str, str] = getattr(self.app, "keymap", {})  # type: ignore[attr-defined]
        except RuntimeError:  # Textual's NoActiveAppError: built outside an app, as is
            return
        if keymap:
            self._bindings = remapped(self._bindings, keymap)  # type: ignore[has-type]


def remapped(bindings: BindingsMap, keymap: Mapping[str, str]) -> BindingsMap:
    """``bindings`` with each one whose id ``keymap`` names on its keys there, in the
    place the binding was declared."""
    keys: dict[str, list[Binding]] = {}
    for key, held in bindings.key_to_bindings.items():
        for binding in held:
            new_keys = keymap.get(binding.id or "")
            if new_keys is None:
                keys.setdefault(key, []).append(binding)
                continue
            for new_key in new_keys.split(","):
                keys.setdefault(new_key, []).append(binding.with_key(new_key, key_display=None))
    return BindingsMap.from_keys(keys)
