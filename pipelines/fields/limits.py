"""How much text the field readers read, so that no page makes a reader's work grow faster than the page.

- a sentence longer than ``MAX_SENTENCE`` characters (a table flattened into one line, a page that lost its
  punctuation) is read in pieces, each cut after the last clause mark (，；、) it holds, else at the limit;
  the longest sentence of the labelled pages has about 1,200 characters;
- a page longer than ``READ_HEAD + READ_TAIL`` characters is read at its head and its tail only: the
  title, number, opening and most of the body at the top, the 落款, contact lines and closing dates at the
  bottom. Its middle is left unread (the record's text keeps all of it) and the record says so;
- a ``Budget`` of seconds per page backs both up: readers not started when it is spent are skipped.
"""
from __future__ import annotations

import time
from typing import Iterator

MAX_SENTENCE = 2000
CLAUSE_MARKS = "，,；;、"
# About 300 KB of UTF-8: a five-year plan's full text (the longest policy documents) fits in it.
READ_HEAD = 90_000
READ_TAIL = 10_000


def pieces(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """The span `start`..`end` of `text` as spans of at most MAX_SENTENCE characters, cut after a clause mark."""
    end = len(text) if end is None else end
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(text.rfind(mark, start, limit) for mark in CLAUSE_MARKS) + 1
        cut = cut if cut > start else limit
        yield start, cut
        start = cut
    yield start, end


def readable_text(text: str, head: int = READ_HEAD, tail: int = READ_TAIL) -> tuple[str, int]:
    """The part of `text` the field readers read, and how many characters of its middle they skip.

    A text longer than `head` + `tail` keeps its first `head` and last `tail` characters, each cut at a line
    break where one is near, joined by a line break."""
    if len(text) <= head + tail:
        return text, 0
    head_end = text.rfind("\n", max(0, head - MAX_SENTENCE), head)
    head_end = head_end if head_end >= 0 else head
    tail_start = text.find("\n", len(text) - tail, len(text) - tail + MAX_SENTENCE)
    tail_start = tail_start + 1 if tail_start >= 0 else len(text) - tail
    return text[:head_end].rstrip("\n") + "\n" + text[tail_start:], tail_start - head_end


class Budget:
    """The time one page's processing may take: once it is spent, readers not yet started are skipped."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self._deadline = None if seconds is None else time.monotonic() + seconds

    def spent(self) -> bool:
        """Whether the time is up (never, for a budget without seconds)."""
        return self._deadline is not None and time.monotonic() >= self._deadline
