"""File identities kept current by the kernel's change notifications
(:mod:`storycore.tools.project.stamps`): every answer is what ``stat`` says now, whatever
changed the file and however, and a file nothing changed is not looked at again.

These tests check answers and what is looked at, never timing (bench/edit_bench.py measures).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from storycore.tools.project import stamps as stamps_module
from storycore.tools.project.stamps import (
    Stamps,
    file_system_type,
    mount_type,
    plain_stamp,
    stamps_of,
)

RELS = ["project.json", "02_shots/01_Opening/shot.json", "02_shots/02_Close/shot.json"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "projects" / "film"
    for rel in RELS:
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(f"{rel}\n", encoding="utf-8")
    return base


def _truth(root: Path, rels: list[str]) -> list[tuple[int, int, int, int] | None]:
    return [plain_stamp(f"{root}/{rel}") for rel in rels]


def _count_looks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    looked: list[str] = []
    real = os.lstat

    def counting(path: object, *args: object, **kwargs: object) -> os.stat_result:
        looked.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stamps_module.os, "lstat", counting)
    return looked


watched = pytest.mark.skipif(
    sys.platform != "linux", reason="change notifications are Linux's (inotify)"
)


def test_the_identities_are_what_stat_says(root: Path) -> None:
    rels = [*RELS, "02_shots/03_Missing/shot.json", "02_shots/01_Opening/panel.png"]
    stamps = Stamps(str(root))
    assert stamps.many(rels) == _truth(root, rels)
    assert stamps.many(rels) == _truth(root, rels)  # the kept answers are the same
    assert stamps.get("project.json") == _truth(root, ["project.json"])[0]
    assert stamps.many(rels)[3] is None


@watched
def test_a_file_nothing_changed_is_not_looked_at_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamps = Stamps(str(root))
    assert stamps.watching, f"a {file_system_type(str(root))} folder should be watched"
    stamps.many(RELS)
    looked = _count_looks(monkeypatch)
    assert stamps.many(RELS) == _truth(root, RELS)
    assert looked == []


@watched
@pytest.mark.parametrize(
    "change",
    ["append in place", "rewrite same size", "replace", "remove", "touch", "chmod"],
)
def test_every_kind_of_change_to_a_file_is_seen(root: Path, change: str) -> None:
    stamps = Stamps(str(root))
    rel = RELS[1]
    path = root / rel
    before = stamps.many(RELS)
    if change == "append in place":
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("more\n")
    elif change == "rewrite same size":
        os.utime(path, ns=(0, 0))  # an old time, so the rewrite below gets a new one
        stamps.many(RELS)
        with open(path, "r+b") as handle:
            handle.write(b"X")
    elif change == "replace":
        other = root / "new.json"
        other.write_text("another file\n", encoding="utf-8")
        os.replace(other, path)
    elif change == "remove":
        path.unlink()
    elif change == "touch":
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    else:
        path.chmod(0o600)
    after = stamps.many(RELS)
    assert after == _truth(root, RELS)
    assert after[1] != before[1]
    assert after[0] == before[0] and after[2] == before[2]


@watched
def test_a_missing_file_that_appears_is_seen(root: Path) -> None:
    stamps = Stamps(str(root))
    rel = "02_shots/01_Opening/panel.png"
    assert stamps.get(rel) is None
    (root / rel).write_bytes(b"png")
    assert stamps.get(rel) == _truth(root, [rel])[0] is not None


@watched
@pytest.mark.parametrize("moved", ["02_shots/01_Opening", "02_shots", "root", "above root"])
def test_a_folder_replaced_by_another_is_seen(root: Path, tmp_path: Path, moved: str) -> None:
    """A folder (or one above it, the project itself or a folder above the project) moved
    aside and another put at its path: the files at the same paths are other files."""
    stamps = Stamps(str(root))
    before = stamps.many(RELS)
    folder = {"root": root, "above root": root.parent}.get(moved, root / moved)
    aside = tmp_path / "aside"
    os.rename(folder, aside)
    shutil.copytree(aside, folder)
    after = stamps.many(RELS)
    assert after == _truth(root, RELS)
    changed = [rel for rel, a, b in zip(RELS, before, after, strict=True) if a != b]
    expected = RELS if "root" in moved else [rel for rel in RELS if rel.startswith(moved + "/")]
    assert changed == expected


@watched
def test_a_linked_file_changed_through_its_other_path_is_seen(root: Path, tmp_path: Path) -> None:
    """A symbolic link, or a file with a second hard link elsewhere, can change without a
    word to the project's folder: such files are always looked at."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "target.json"
    target.write_text("target\n", encoding="utf-8")
    (root / "02_shots/01_Opening/shot.json").unlink()
    (root / "02_shots/01_Opening/shot.json").symlink_to(target)
    os.link(root / RELS[2], outside / "second_link.json")
    stamps = Stamps(str(root))
    stamps.many(RELS)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write("changed through the target\n")
    with open(outside / "second_link.json", "a", encoding="utf-8") as handle:
        handle.write("changed through the other link\n")
    assert stamps.many(RELS) == _truth(root, RELS)


@watched
def test_an_overflowed_queue_looks_at_everything_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel drops events when its queue is full and says so once: nothing kept is
    trusted then."""
    stamps = Stamps(str(root))
    stamps.many(RELS)
    looked = _count_looks(monkeypatch)
    overflow = stamps_module._IN_Q_OVERFLOW
    real_read = stamps._inotify.read
    monkeypatch.setattr(
        stamps._inotify, "read", lambda timeout=None: [*real_read(timeout=0), _Event(overflow)]
    )
    assert stamps.many(RELS) == _truth(root, RELS)
    assert len(looked) >= len(RELS)


class _Event:
    def __init__(self, mask: int) -> None:
        self.wd, self.mask, self.cookie, self.name = -1, mask, 0, ""


def test_a_network_file_system_is_looked_at_every_time(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamps_module, "file_system_type", lambda path: "nfs4")
    stamps = Stamps(str(root))
    assert not stamps.watching
    stamps.many(RELS)
    (root / RELS[0]).write_text("changed\n", encoding="utf-8")
    assert stamps.many(RELS) == _truth(root, RELS)


@watched
def test_a_forked_process_does_not_read_the_parent_s_queue(root: Path) -> None:
    """A fork shares the notification queue: the child must not take events the parent
    needs, so it gets a watcher of its own."""
    parent = stamps_of(root)
    parent.many(RELS)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        ok = not parent.watching and stamps_of(root) is not parent
        (root / RELS[0]).write_text("written by the child\n", encoding="utf-8")
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    os.close(read)
    assert answer == b"1"
    assert parent.many(RELS) == _truth(root, RELS)
    assert stamps_of(root) is parent


def test_file_system_type_names_the_mount_of_a_path(tmp_path: Path) -> None:
    if not Path("/proc/self/mountinfo").exists():
        pytest.skip("no /proc/self/mountinfo here")
    assert file_system_type(str(tmp_path)) not in (None, "")
    assert file_system_type("/proc/self") == "proc"


def test_the_mount_of_a_path_is_the_deepest_and_last_one_above_it() -> None:
    """A network share mounted at a path with a space or an accent is told apart from the
    local disk above it; a mount over another hides it."""
    lines = [
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw",
        # the kernel writes a space in a mount point as \040, other characters as they are
        "40 22 0:50 / /mnt/réseau\\040partagé rw - nfs4 srv:/export rw",
        "41 22 0:51 / /srv rw - ext4 /dev/vdb rw",
        "42 41 0:52 / /srv rw - fuse.sshfs host:/ rw",
    ]
    assert mount_type("/mnt/réseau partagé/film", lines) == "nfs4"
    assert mount_type("/mnt/réseau", lines) == "ext4"
    assert mount_type("/srv/film", lines) == "fuse.sshfs"
    assert mount_type("/home/film", lines) == "ext4"
