"""The project as the graph's nodes open it: one validated manifest per ``project.json``.

Every node opens the project afresh (:meth:`Project.open` rolls back what a crashed process
left unfinished, and another process may have changed the project since the last turn), and a
fresh :class:`Project` validates ``project.json`` again the first time its manifest is read:
about 10 ms at 500 shots, and a chat turn opens the project several times. Here the validated
manifest is kept per project folder with the identity of the file it was read from (inode,
size, modification and change times in nanoseconds) and given to the next :class:`Project`
opened on that folder only while the file on disk is still that one; a rewritten, replaced or
hand-edited ``project.json`` is read and validated again. Every project write replaces the
file (a new inode and change time), so the identity changes with every change StoryCore makes.

The shared manifest is never changed in place: a transaction works on its own copy read from
the file (:meth:`Project.transaction`).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from storycore.tools.domain import ProjectManifest
from storycore.tools.project import MANIFEST, Project

__all__ = ["forget_manifests", "open_project"]

_Stamp = tuple[int, int, int, int]

#: Project folders whose manifest is kept (the least recently used is dropped first).
MAX_PROJECTS = 8

_manifests: OrderedDict[Path, tuple[_Stamp, ProjectManifest]] = OrderedDict()
_lock = threading.Lock()


def _stamp(path: Path) -> tuple[_Stamp, tuple[int, int]] | None:
    """The file's identity, and the part of it :class:`Project` compares (mtime, size)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), (st.st_mtime_ns, st.st_size)


def open_project(root: Path | str) -> Project:
    """:meth:`Project.open` (checks and crash recovery included), its manifest taken from the
    one validated before in this process when ``project.json`` is still the same file."""
    project = Project.open(root)
    path = project.root / MANIFEST
    before = _stamp(path)
    if before is None:
        return project  # Project.manifest says what is missing
    with _lock:
        known = _manifests.get(project.root)
        if known is not None and known[0] == before[0]:
            _manifests.move_to_end(project.root)
            # Project.manifest compares (mtime, size) with the file at every read.
            project._manifest, project._manifest_stamp = known[1], before[1]
            return project
    manifest = project.manifest
    if _stamp(path) == before:  # not changed while it was read
        with _lock:
            _manifests[project.root] = (before[0], manifest)
            _manifests.move_to_end(project.root)
            while len(_manifests) > MAX_PROJECTS:
                _manifests.popitem(last=False)
    return project


def forget_manifests() -> None:
    """Drop every kept manifest (tests; a long-lived host that wants the memory back)."""
    with _lock:
        _manifests.clear()
