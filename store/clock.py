"""The store's clock: "now" in UTC, which every change is stamped with (tests inject their own)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
