"""A plan is one change as seen from outside: the plan mark and its recovery.

Planning runs in several phases, each a transaction. :func:`begin_plan` marks the folder,
:func:`end_plan` removes the mark; a mark whose process is gone (:func:`interrupted_plan`) is
rolled back to where the plan started the next time the project is opened
(:func:`recover_interrupted_plan`).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storycore.tools.errors import ConflictError, ProjectError
from storycore.tools.project.files import INTERNAL, _now, current_atomic_write, dumps_json
from storycore.tools.project.safety import _read_limited

if TYPE_CHECKING:
    from storycore.tools.project.store import Project

#: Written while ``plan`` runs into a folder; a crash leaves it behind for the next open.
PLAN_MARKER = "plan.json"


def begin_plan(root: Path, *, new: bool) -> None:
    """Mark ``root`` as being planned by this process (``new``: the folder was empty).

    Planning runs in several phases, each a transaction. If the process dies between them,
    the next :meth:`Project.open` undoes the finished phases of an existing project back to
    the mark, and refuses a new folder as an interrupted plan (planning again replaces it)."""
    from storycore.tools.project.store import Project  # the store imports this module

    mark = 0
    if not new:
        entries = Project(root).history()
        mark = entries[0].number if entries else 0
    (root / INTERNAL).mkdir(parents=True, exist_ok=True)
    data = {"pid": os.getpid(), "host": _host(), "new": new, "mark": mark, "started_at": _now()}
    current_atomic_write()(root / INTERNAL / PLAN_MARKER, dumps_json(data))


def end_plan(root: Path) -> None:
    """Remove the plan mark: the plan finished, or was rolled back by its own process."""
    with contextlib.suppress(FileNotFoundError):
        (root / INTERNAL / PLAN_MARKER).unlink()


def interrupted_plan(root: Path) -> dict[str, Any] | None:
    """The plan mark of ``root`` if the process that wrote it is gone, else None."""
    path = Path(root) / INTERNAL / PLAN_MARKER
    try:
        data = json.loads(_read_limited(path, 64 * 1024))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ProjectError(f"{path} is not a readable plan mark ({exc}); remove it") from None
    if not isinstance(data, dict) or not isinstance(data.get("new"), bool):
        raise ProjectError(f"{path} is not a valid plan mark; remove it")
    pid = data.get("pid")
    if isinstance(pid, int) and data.get("host") == _host() and _alive(pid):
        return None
    return data


def recover_interrupted_plan(project: Project) -> None:
    """Undo what an interrupted plan finished (call with the lock held); see :func:`begin_plan`."""
    data = interrupted_plan(project.root)
    if data is None:
        return
    if data["new"] or not isinstance(data.get("mark"), int):
        raise ProjectError(
            f"{project.root} holds a plan that was interrupted before it finished; "
            "run plan into this folder again to replace it"
        )
    mark = data["mark"]
    try:
        while (entries := project.history()) and entries[0].number > mark:
            project.undo()
    except ConflictError as exc:
        raise ProjectError(
            f"cannot roll back the interrupted plan of {project.root}: {exc}"
        ) from None
    end_plan(project.root)


def _host() -> str:
    return os.uname().nodename


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
