"""What the benchmarks' sample tasks are made of, shared by both sections."""

from __future__ import annotations

# Titles are three to eight of these words: short, like real tasks, and
# searchable (the full-screen section searches for some of them).
WORDS: tuple[str, ...] = (
    "buy",
    "milk",
    "call",
    "mum",
    "pay",
    "rent",
    "fix",
    "bike",
    "book",
    "dentist",
    "read",
    "chapter",
    "rust",
    "renew",
    "passport",
    "plan",
    "trip",
    "water",
    "plants",
    "email",
    "boss",
    "report",
    "taxes",
    "clean",
    "kitchen",
    "garden",
    "fence",
    "paint",
    "door",
    "sort",
    "photos",
    "backup",
    "laptop",
    "order",
    "parts",
    "write",
    "letter",
    "return",
    "library",
    "books",
)
TAGS: tuple[str, ...] = ("home", "work", "errands", "garden", "admin")
# The owner of every benchmark database (--user / TASKFLOW_USER).
USER = "bench"
