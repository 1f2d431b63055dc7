"""The memory a process keeps of its last few projects (:class:`Recent`)."""

from __future__ import annotations

from pathlib import Path

from storycore.tools.project.recent import Recent


def test_the_least_recently_used_project_is_dropped_first_and_forget_drops_all() -> None:
    recent: Recent[str] = Recent(keep=2)
    a, b, c = Path("/a"), Path("/b"), Path("/c")
    recent.put(a, "a1")
    recent.put(b, "b1")
    assert recent.get(a) == "a1"
    recent.put(a, "a2")  # a used last: b goes when c comes
    recent.put(c, "c1")
    assert (recent.get(a), recent.get(b), recent.get(c)) == ("a2", None, "c1")
    assert recent.setdefault(b, lambda kept: (kept or "") + "new") == "new"
    assert recent.setdefault(b, lambda kept: (kept or "") + "+") == "new+"
    assert len(recent) == 2 and recent.get(a) is None  # b in, a (least recent) out
    recent.forget()
    assert len(recent) == 0 and recent.get(c) is None
