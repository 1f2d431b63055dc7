"""The project as the graph's nodes open it: one validated manifest per ``project.json``.

Every node opens the project afresh (:meth:`Project.open` rolls back what a crashed process
left unfinished, and another process may have changed the project since the last turn), and a
fresh :class:`Project` validates ``project.json`` again the first time its manifest is read:
about 10 ms at 500 shots, and a chat turn opens the project several times. Here the validated
manifest is kept per project folder with the identity of the file it was read from (inode,
size, modification and change times in nanoseconds) and given to the next :class:`Project`
opened on that folder only while the file on disk is still that one; a rewritten, replaced or
hand-edited ``project.json`` is read and validated again. Every project write replaces the
file (a new inode and change time), so the identity changes with every change StoryCore makes;
the manifest a change of this process committed is the one given next
(:func:`~storycore.tools.project.store.committed_manifest`: the file it wrote, still that
file), so the turn after a change validates nothing either, and the next change starts from
it without reading the file again. A change that failed after changing in place entries it
shared with the kept manifest makes every kept manifest stale
(:func:`~storycore.tools.project.store.spoiled`).

The shared manifest is never changed in place: a transaction works on its own copy read from
the file (:meth:`Project.transaction`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from storycore.tools.project import MANIFEST, Project
from storycore.tools.project.stamps import plain_stamp
from storycore.tools.project.store import Committed, committed_manifest, spoiled

__all__ = ["forget_manifests", "open_project"]


#: Project folders whose manifest is kept (the least recently used is dropped first).
MAX_PROJECTS = 8

#: By project folder: the manifest and its file, and :func:`spoiled` when it was kept.
_manifests: OrderedDict[Path, tuple[Committed, int]] = OrderedDict()
_lock = threading.Lock()


def open_project(root: Path | str) -> Project:
    """:meth:`Project.open` (checks and crash recovery included), its manifest taken from the
    one validated or committed before in this process when ``project.json`` is still the
    same file."""
    project = Project.open(root)
    identity = plain_stamp(project.root / MANIFEST)
    if identity is None:
        return project  # Project.manifest says what is missing
    with _lock:
        entry = _manifests.get(project.root)
        if entry is not None and entry[0].identity == identity and entry[1] == spoiled():
            _manifests.move_to_end(project.root)
            project.adopt_manifest(entry[0])
            return project
    generation = spoiled()
    # A change this process committed since (a transaction's own manifest, checked then).
    known = committed_manifest(project.root)
    if known is None or known.identity != identity:
        _ = project.manifest  # read and validated (raises what is wrong with it)
        known = project.known_manifest()
        if known is None or known.identity != identity:  # changed while it was read
            return project
    else:
        project.adopt_manifest(known)
    with _lock:
        _manifests[project.root] = (known, generation)
        _manifests.move_to_end(project.root)
        while len(_manifests) > MAX_PROJECTS:
            _manifests.popitem(last=False)
    return project


def forget_manifests() -> None:
    """Drop every kept manifest (tests; a long-lived host that wants the memory back)."""
    with _lock:
        _manifests.clear()
