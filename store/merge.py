"""Merging an edit with a change made elsewhere meanwhile, field by field.

An editor opens a task at one version (the *base*); when it saves, someone else
may have changed the task since (*theirs*). Comparing only the two final states
cannot tell who changed what, and "overwrite with mine" would then put back the
old value of every field the other writer changed: a lost update. Against the
base it is clear: a field only they changed keeps their value, a field only I
changed gets mine, and only a field both changed, to different values, needs
the user to choose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from store.records import TaskRecord

# Every field a person edits, in the order a dialog lists them. ``completed`` is not
# in an editor's form, but another window may have changed it: it is compared too.
MERGED_FIELDS = ("title", "description", "due", "priority", "tags", "repeat", "completed")


@dataclass(frozen=True)
class FieldClash:
    """A field both sides changed since the base, to different values."""

    name: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class EditMerge:
    """What saving ``mine`` on top of ``theirs`` means, field by field."""

    theirs: TaskRecord
    # Fields I changed that they did not (or changed the same way): apply these.
    mine_only: Mapping[str, Any] = field(default_factory=dict)
    # Fields they changed that I did not: their value stays.
    theirs_only: tuple[str, ...] = ()
    clashes: tuple[FieldClash, ...] = ()

    def changes(self, *, clashes_to: str) -> dict[str, Any]:
        """The changes to save against ``theirs``: mine where only I changed a field,
        and for the fields both changed, ``clashes_to`` "mine" or "theirs"."""
        if clashes_to not in ("mine", "theirs"):
            raise ValueError(f"clashes_to must be 'mine' or 'theirs', not {clashes_to!r}")
        changes = dict(self.mine_only)
        if clashes_to == "mine":
            changes.update({clash.name: clash.mine for clash in self.clashes})
        return changes


def merge_edit(base: TaskRecord, mine: Mapping[str, Any], theirs: TaskRecord) -> EditMerge:
    """Merge the field values of an edit (``mine``: the fields the form holds, any of
    MERGED_FIELDS) that started from ``base`` with the task as it is now (``theirs``)."""
    unknown = set(mine) - set(MERGED_FIELDS)
    if unknown:
        raise ValueError(f"Not a mergeable field: {', '.join(sorted(unknown))}")
    mine_only: dict[str, Any] = {}
    theirs_only: list[str] = []
    clashes: list[FieldClash] = []
    for name in MERGED_FIELDS:
        before, now = getattr(base, name), getattr(theirs, name)
        they_changed = not same_value(name, before, now)
        if name not in mine or same_value(name, mine[name], before):
            if they_changed:
                theirs_only.append(name)
            continue
        value = mine[name]
        if not they_changed or same_value(name, value, now):
            mine_only[name] = value
        else:
            clashes.append(FieldClash(name, before, value, now))
    return EditMerge(theirs, mine_only, tuple(theirs_only), tuple(clashes))


def same_value(name: str, left: Any, right: Any) -> bool:
    """Equal as the store keeps the field: tags ignoring case and order, notes
    ignoring trailing white space, a title ignoring the space around it."""
    if name == "tags":
        return _tag_set(left) == _tag_set(right)
    if name == "description":
        return str(left).rstrip() == str(right).rstrip()
    if name == "title":
        return str(left).strip() == str(right).strip()
    return bool(left == right)


def _tag_set(tags: Sequence[str]) -> frozenset[str]:
    return frozenset(tag.casefold() for tag in tags)
