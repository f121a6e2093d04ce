"""Generated regions of hand-written pages, between two marker lines."""

from __future__ import annotations


def replace_region(text: str, body: str, begin: str, end: str) -> str:
    """``text`` with what stands between the marker lines ``begin`` and ``end`` replaced by
    ``body`` (the markers and everything around them kept)."""
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"no {begin} ... {end} region")
    return text[: start + len(begin)] + "\n" + body + "\n" + text[stop:]
