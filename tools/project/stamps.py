"""File identities under a project root, kept current by the kernel's file change
notifications, so that checking 500 shot files costs a read of the notification queue, not
500 ``stat`` calls.

A file's identity (its stamp: inode, size, modification and change times in nanoseconds) is
how the index, the change planner and the storyboard tell that a file is still the one they
read: every project write replaces a file. Checking every file of a 500-shot project is about
1,500 ``stat`` calls a change (the plan's fingerprint at proposal and at apply, and the
panels), most of an edit's cost that grows with the project.

:func:`stamps_of` gives the identities of files below one root. On Linux, on a local file
system, it watches (inotify) each folder it was asked about *before* it looks at a file in
it, and keeps what it found; any event the kernel reports in that folder (a file written,
replaced, moved, removed, its attributes changed; a folder moved or removed; the queue
overflowed) forgets what was kept for the paths it names, which are looked at again. So a
kept identity is one no event has contradicted since it was read, and the files stay the
truth: a stamp is only ever a hint that a file is unchanged, checked by its users as before.

:meth:`Stamps.many_since` answers the same for a list of files asked about again and again
(every shot file at each proposed change): given its last answer, it looks again only at
the files an event named since (and at those it could not keep), so a 500-shot check costs
what changed, not 500 lookups. The events each drain forgets are journaled with a clock for
that; an answer older than what the journal still holds, or older than a moment everything
was forgotten (an overflow, the root replaced), is not used: the long way runs.

Not kept (always looked at): a symbolic link or a file with other hard links (changed
through another path, its folder would hear nothing), a path whose folder cannot be watched
(the watch limit, a missing folder), a root on a network or user-space file system (changes
made by another machine are not reported), and anything in a process other than the one that
started the watch (a fork shares the queue). Elsewhere than on Linux every call is a plain
``stat``.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import stat as stat_module
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

#: A file's identity: inode, size, modification and change times in nanoseconds.
Stamp = tuple[int, int, int, int]

#: How many project roots are watched at once (the most recently used; one notification
#: queue each, of the 128 a user may have).
KEEP_ROOTS = 4

#: File systems whose changes the kernel reports wherever they are made from. Anything
#: else (nfs, cifs, 9p, fuse, virtiofs, ...) is looked at with ``stat`` every time.
LOCAL_FILE_SYSTEMS = frozenset(
    {"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "f2fs", "zfs", "overlay", "jfs"}
)

#: How many forgotten names the journal holds before its older half is dropped (an answer
#: older than what it holds goes the long way).
JOURNAL_KEEP = 8192

_IN_MODIFY = 0x002
_IN_ATTRIB = 0x004
_IN_CLOSE_WRITE = 0x008
_IN_MOVED_FROM = 0x040
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_DELETE_SELF = 0x400
_IN_MOVE_SELF = 0x800
_IN_Q_OVERFLOW = 0x4000
_IN_IGNORED = 0x8000
_IN_ONLYDIR = 0x01000000
_WATCHED = (
    _IN_MODIFY
    | _IN_ATTRIB
    | _IN_CLOSE_WRITE
    | _IN_MOVED_FROM
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
)


def plain_stamp(path: str | os.PathLike[str]) -> Stamp | None:
    """The identity of the file at ``path`` (links followed), or None if there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


_OCTAL = re.compile(r"\\([0-7]{3})")


def file_system_type(path: str) -> str | None:
    """The type of the file system ``path`` is on, from ``/proc/self/mountinfo`` (None when
    it cannot be told)."""
    try:
        real = os.path.realpath(path)
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
            return mount_type(real, handle.read().splitlines())
    except OSError:
        return None


def mount_type(real: str, mountinfo: Iterable[str]) -> str | None:
    """The type of the mount holding the resolved path ``real``, by the lines of a
    ``mountinfo`` file: the longest mount point above it, the last one mounted there (a mount
    over another hides it)."""
    best, kind = -1, None
    for line in mountinfo:
        fields = line.split(" ")
        if "-" not in fields or len(fields) < 5:
            continue
        mount = _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), fields[4])  # \040: a space
        after = fields[fields.index("-") + 1 :]
        inside = real == mount or real.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= best and after:
            best, kind = len(mount), after[0]
    return kind


class Looked(NamedTuple):
    """What :meth:`Stamps.many_since` answered for ``rels``: give it back with the same files
    for the next answer. ``changed``: the positions looked at again since the answer it was
    given (None: every position, the long way); the others are the very identities it had."""

    owner: Stamps | None  # the watcher that answered (None: plain ``stat``, never reused)
    clock: int  # the watcher's journal clock when it answered
    rels: list[str]
    stamps: list[Stamp | None]
    loose: tuple[int, ...]  # positions that could not be kept (looked at every time)
    where: dict[str, int]  # rel -> its position
    changed: tuple[int, ...] | None


class Stamps:
    """The identities of the files below one root (see the module)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._lock = threading.Lock()
        #: folder below the root ("" the root) -> its watch, and the identities kept of the
        #: files in it (name -> identity, None for a file found missing).
        self._folders: dict[str, tuple[int, dict[str, Stamp | None]]] = {}
        self._by_watch: dict[int, str] = {}
        self._root_id: tuple[int, int] | None = None
        self._inotify: Any = None
        self._pid = os.getpid()
        #: Each path forgotten since (clock, path below the root; a folder's ends with "/"),
        #: oldest first; the clock counts the drains that forgot anything. An answer taken at
        #: a clock below ``_floor`` is void (the journal no longer says what happened since).
        self._clock = 0
        self._floor = 0
        self._journal: list[tuple[int, str]] = []
        if sys.platform == "linux" and file_system_type(root) in LOCAL_FILE_SYSTEMS:
            try:
                from inotify_simple import INotify

                self._inotify = INotify(nonblocking=True)
            except (ImportError, OSError):
                self._inotify = None

    @property
    def watching(self) -> bool:
        """Whether identities are kept between calls (else each one is a ``stat``)."""
        return self._inotify is not None and os.getpid() == self._pid

    def close(self) -> None:
        with self._lock:
            if self._inotify is not None and os.getpid() == self._pid:
                self._inotify.close()
            self._inotify = None
            self._folders.clear()
            self._by_watch.clear()

    def get(self, rel: str) -> Stamp | None:
        """The identity of the file at ``rel`` (a path below the root, ``/``-separated)."""
        return self.many([rel])[0]

    def many(self, rels: Iterable[str]) -> list[Stamp | None]:
        """The identities of the files at ``rels``, in order."""
        root = self.root
        if not self.watching:
            return [plain_stamp(f"{root}/{rel}") for rel in rels]
        with self._lock:
            if not self.watching:  # closed by another thread since
                return [plain_stamp(f"{root}/{rel}") for rel in rels]
            self._drain()
            folders = self._folders
            out: list[Stamp | None] = []
            append = out.append
            for rel in rels:
                folder, _, name = rel.rpartition("/")
                found = folders.get(folder)
                if found is not None and name in found[1]:
                    append(found[1][name])
                else:
                    append(self._look(folder, name))
            return out

    def many_since(self, rels: list[str], last: Looked | None = None) -> Looked:
        """The identities of the files at ``rels`` (as :meth:`many` gives them), looking
        again only at those an event named since ``last`` (this watcher's answer for the
        same ``rels``) and those it could not keep; with no usable ``last``, at every one."""
        if not self.watching:
            return self._plain_looked(rels)
        with self._lock:
            if not self.watching:
                return self._plain_looked(rels)
            self._drain()
            if (
                last is not None
                and last.owner is self
                and last.clock >= self._floor
                and last.rels == rels
            ):
                return self._since(last)
            stamps: list[Stamp | None] = []
            loose: list[int] = []
            for position, rel in enumerate(rels):
                stamp, kept = self._answer(rel)
                stamps.append(stamp)
                if not kept:
                    loose.append(position)
            where = {rel: position for position, rel in enumerate(rels)}
            return Looked(self, self._clock, rels, stamps, tuple(loose), where, None)

    def changed_since(self, clock: int) -> tuple[set[str], tuple[str, ...]] | None:
        """What was forgotten since ``clock`` (a :attr:`Looked.clock` of this watcher): the
        files and the folders (each ending with ``/``: everything below it) an event named;
        None when that is not known (not watching, or the journal no longer reaches back)."""
        if not self.watching:
            return None
        with self._lock:
            if not self.watching:
                return None
            self._drain()
            if clock < self._floor:
                return None
            start = bisect.bisect_right(self._journal, clock, key=lambda entry: entry[0])
            paths = [path for _, path in self._journal[start:]]
        folders = tuple(path for path in paths if path.endswith("/"))
        return set(paths), folders

    def _plain_looked(self, rels: list[str]) -> Looked:
        """Every file looked at with ``stat`` (an answer never brought up to date)."""
        stamps = [plain_stamp(f"{self.root}/{rel}") for rel in rels]
        where = {rel: position for position, rel in enumerate(rels)}
        return Looked(None, 0, rels, stamps, tuple(range(len(rels))), where, None)

    def _since(self, last: Looked) -> Looked:
        """``last`` brought up to date: the positions named by the journal since its clock,
        and its loose ones, looked at again."""
        redo = set(last.loose)
        start = bisect.bisect_right(self._journal, last.clock, key=lambda entry: entry[0])
        for _, path in self._journal[start:]:
            if path.endswith("/"):  # a folder: every file below it
                redo.update(i for i, rel in enumerate(last.rels) if rel.startswith(path))
            else:
                position = last.where.get(path)
                if position is not None:
                    redo.add(position)
        if not redo:
            return last._replace(clock=self._clock, changed=())
        stamps = list(last.stamps)
        loose: list[int] = []
        changed = tuple(sorted(redo))
        for position in changed:
            stamps[position], kept = self._answer(last.rels[position])
            if not kept:
                loose.append(position)
        return Looked(self, self._clock, last.rels, stamps, tuple(loose), last.where, changed)

    def _answer(self, rel: str) -> tuple[Stamp | None, bool]:
        """The identity of the file at ``rel`` and whether it is kept (an event will say
        when it changes)."""
        folder, _, name = rel.rpartition("/")
        found = self._folders.get(folder)
        if found is not None and name in found[1]:
            return found[1][name], True
        stamp = self._look(folder, name)
        found = self._folders.get(folder)
        return stamp, found is not None and name in found[1]

    def _journaled(self, path: str) -> None:
        """Note that ``path`` was forgotten at the current clock (older half of the journal
        dropped past :data:`JOURNAL_KEEP`, the answers it alone could bring up to date void)."""
        journal = self._journal
        journal.append((self._clock, path))
        if len(journal) > JOURNAL_KEEP:
            cut = len(journal) // 2
            self._floor = max(self._floor, journal[cut - 1][0])
            del journal[:cut]

    def _look(self, folder: str, name: str) -> Stamp | None:
        """Watch the folder of a file and the folders above it, then look at the file; keep
        what was found if the watches hold and the file can only change through this path."""
        kept = self._watched(folder)
        path = f"{self.root}/{folder}/{name}" if folder else f"{self.root}/{name}"
        try:
            st = os.lstat(path)
        except (OSError, ValueError):
            if kept is not None:
                kept[name] = None
            return None
        if stat_module.S_ISLNK(st.st_mode):
            return plain_stamp(path)
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if kept is not None and st.st_nlink == 1 and stat_module.S_ISREG(st.st_mode):
            kept[name] = stamp
        return stamp

    def _watched(self, folder: str) -> dict[str, Stamp | None] | None:
        """What is kept of the files in ``folder``, watched with every folder above it up to
        the root (None if one of them cannot be watched)."""
        found = self._folders.get(folder)
        if found is not None:
            return found[1]
        if folder and self._watched(folder.rpartition("/")[0]) is None:
            return None
        path = f"{self.root}/{folder}" if folder else self.root
        try:
            info = os.lstat(path)
            if stat_module.S_ISLNK(info.st_mode):
                return None  # what it points to may change without a word to this folder
            watch = self._inotify.add_watch(path, _WATCHED | _IN_ONLYDIR)
        except OSError:  # missing, not a folder, or the user's watch limit reached
            return None
        if not folder:
            self._root_id = (info.st_dev, info.st_ino)
        old = self._by_watch.get(watch)
        if old is not None and old != folder:  # the same folder, reached by another path
            return None
        kept: dict[str, Stamp | None] = {}
        self._folders[folder] = (watch, kept)
        self._by_watch[watch] = folder
        return kept

    def _drain(self) -> None:
        """Forget what every event since the last call names (everything if the root is not
        the folder that was watched: a folder above it was moved or replaced)."""
        try:
            events = self._inotify.read(timeout=0)
            info = os.stat(self.root)
        except OSError:
            self._forget_all()
            return
        if self._root_id is not None and self._root_id != (info.st_dev, info.st_ino):
            self._forget_all()
            return
        if not events:
            return
        self._clock += 1
        folders = self._folders
        for event in events:
            if event.mask & _IN_Q_OVERFLOW:
                self._forget_all()
                return
            folder = self._by_watch.get(event.wd)
            if folder is None:
                continue
            if event.mask & (_IN_IGNORED | _IN_DELETE_SELF | _IN_MOVE_SELF):
                self._forget_below(folder)
                continue
            found = folders.get(folder)
            if found is not None:
                found[1].pop(event.name, None)
            rel = f"{folder}/{event.name}" if folder else event.name
            self._journaled(rel)
            if rel in folders:  # a watched folder moved, removed or replaced
                self._forget_below(rel)

    def _forget_below(self, folder: str) -> None:
        """Forget ``folder`` and every folder below it, and stop watching them."""
        if not folder:
            self._forget_all()
            return
        prefix = f"{folder}/"
        self._journaled(prefix)
        for name in [name for name in self._folders if name == folder or name.startswith(prefix)]:
            watch, _ = self._folders.pop(name)
            self._by_watch.pop(watch, None)
            self._unwatch(watch)

    def _unwatch(self, watch: int) -> None:
        with contextlib.suppress(OSError):  # already gone with its folder
            self._inotify.rm_watch(watch)

    def _forget_all(self) -> None:
        self._clock += 1
        self._floor = self._clock  # no earlier answer can be brought up to date
        self._journal.clear()
        for watch, _ in self._folders.values():
            self._unwatch(watch)
        self._folders.clear()
        self._by_watch.clear()
        self._root_id = None


_roots: OrderedDict[str, Stamps] = OrderedDict()
_roots_lock = threading.Lock()


def stamps_of(root: str | Path) -> Stamps:
    """The identities of the files below ``root`` (one watcher per root, the
    :data:`KEEP_ROOTS` most recently used kept)."""
    key = str(root)
    with _roots_lock:
        found = _roots.get(key)
        if found is not None and found._pid != os.getpid():
            _roots.pop(key)
            found = None
        if found is None:
            found = _roots[key] = Stamps(key)
        _roots.move_to_end(key)
        while len(_roots) > KEEP_ROOTS:
            _, old = _roots.popitem(last=False)
            old.close()
        return found


def forget() -> None:
    """Stop every watch (what a new process starts with)."""
    with _roots_lock:
        for stamps in _roots.values():
            stamps.close()
        _roots.clear()
