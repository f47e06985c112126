"""How times and user text are shown. Pure functions: the clock is always passed in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text

from store import DateStyle, Due

# One text policy for the app and the command line (see tui/text.py for the rule);
# re-exported: the screens take it from here with the other formatting.
from tui.text import visible

# Between the levels of a place, as in "Work > Q4 > Launch" with this angle.
BREADCRUMB = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "


def fit_breadcrumb(levels: list[str], width: int) -> str:
    """The levels of a place as "Work > Q4 > " (drawn with BREADCRUMB's angle), in at
    most ``width`` cells. Where it does not fit, the nearest level says the most: levels
    give way from the top ("… > Draft > "), then the nearest is shortened ("… > Dra… > ");
    the trailing angle always stays, before the title."""
    crumb = BREADCRUMB.join(levels) + BREADCRUMB
    if cell_len(crumb) <= width:
        return crumb
    for start in range(1, len(levels)):
        crumb = BREADCRUMB.join(["…", *levels[start:]]) + BREADCRUMB
        if cell_len(crumb) <= width:
            return crumb
    above = "…" + BREADCRUMB if len(levels) > 1 else ""
    nearest = Text(levels[-1], no_wrap=True, end="")
    nearest.truncate(max(width - cell_len(above + BREADCRUMB), 1), overflow="ellipsis")
    return above + nearest.plain + BREADCRUMB


def literal(text: str, style: str = "") -> Text:
    """User text as a Rich Text that is never parsed as markup."""
    return Text(visible(text), style=style, no_wrap=True, end="")


def single_line(text: str) -> str:
    """A multi-line text squeezed onto one line (for previews)."""
    return " ".join(text.split())


def short_title(title: str, limit: int = 40) -> str:
    """A task's title on one line, cut to ``limit`` with an ellipsis: for a message."""
    flat = visible(single_line(title))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def relative_time(moment: datetime, now: datetime) -> str:
    """Short and human: 'just now', '5m ago', '3h ago', 'yesterday', '4d ago', 'Nov 3'."""
    local_moment = moment.astimezone()
    local_now = now.astimezone()
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "just now" if seconds > -60 else local_time_short(moment, now)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    days = (local_now.date() - local_moment.date()).days
    if days == 0:
        return f"{int(seconds // 3600)}h ago"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days}d ago"
    return local_time_short(moment, now)


def local_time_short(moment: datetime, now: datetime) -> str:
    local = moment.astimezone()
    if local.year == now.astimezone().year:
        return f"{local:%b} {local.day}"
    return f"{local:%b %Y}"


def day_words(due: Due, *, with_time: bool = True, style: DateStyle | None = None) -> str:
    """A due date as a record names it, absolute and short: 'Mon 30 Nov', 'Mon 30 Nov
    09:00' or 'Mon 30 Nov 9am' (for the year and how far off it is, see Due.long)."""
    text = f"{due.day:%a} {due.day.day} {due.day:%b}"
    if due.at is None or not with_time:
        return text
    return f"{text} {(style or DateStyle()).time(due.at)}"


def local_time(moment: datetime, style: DateStyle | None = None) -> str:
    """A full local timestamp for the detail screen: '2026-11-20 10:30 (UTC+01:00)'."""
    local = moment.astimezone()
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("", "+0000") else "UTC"
    return f"{local:%Y-%m-%d} {(style or DateStyle()).time(local.time())} ({zone})"


def home_relative(location: str) -> str:
    """A path under the home folder written as ~/..., as shells show it."""
    home = str(Path.home())
    if home not in ("", "/") and (location == home or location.startswith(home + "/")):
        return "~" + location[len(home) :]
    return location
