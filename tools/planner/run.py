"""Every phase in order: :func:`plan_project` (for the benchmarks and library users) and
:class:`PlanGuard`, which leaves the output folder as it was when a plan fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from storycore.tools.card_encoding import LaterCards
from storycore.tools.errors import NotAProject, ProjectError
from storycore.tools.model_capabilities.loading import MODELS_FILE_NAME, _override_files
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.planner.elements import _register_elements
from storycore.tools.planner.intake import Overrides, create_structure, understand
from storycore.tools.planner.shots import (
    _choose_models,
    _segments_phase,
    build_storyboard,
    mark_planned,
    run_breakdown,
)
from storycore.tools.planner.summary import PlanSummary, summarize
from storycore.tools.project import (
    INTERNAL,
    Project,
    begin_plan,
    end_plan,
    interrupted_plan,
)
from storycore.tools.storyboard.ahead import AHEAD_MIN_PANELS, workers_started

Progress = Callable[[str], None]


def plan_project(
    text: str,
    out_dir: Path | str,
    *,
    source_name: str | None = None,
    overrides: Overrides | None = None,
    progress: Progress | None = None,
) -> PlanSummary:
    """Plan a brief or screenplay into ``out_dir`` with the deterministic engine.

    Nothing half-written is left behind: if any phase fails, a folder this call created is
    removed and an existing project is rolled back to what it was.
    """
    say = progress or (lambda _message: None)
    existing = Project.is_project(Path(out_dir))
    registry = load_registry(Path(out_dir) if existing else None)
    say("understanding the brief")
    brief = understand(text, source_name=source_name, overrides=overrides, registry=registry)
    with PlanGuard(Path(out_dir)), LaterCards() as cards, contextlib.ExitStack() as stack:
        say("creating the project structure")
        project = create_structure(out_dir, brief)
        say("breaking down scenes and shots")
        breakdown = run_breakdown(project, files=False)
        # A new large storyboard's panel workers start now (their imports), not when its
        # phase begins (a re-plan may have most panels drawn already).
        stack.enter_context(workers_started(0 if existing else len(breakdown.shots)))
        say("registering elements")
        # The reference cards' PNGs are encoded on other threads while the next phases run,
        # and written in a transaction of their own once the storyboard is (no phase in
        # between changes an element); not for a storyboard whose panels are drawn by
        # worker processes, which need the spare core then.
        large = len(breakdown.shots) >= AHEAD_MIN_PANELS
        _register_elements(project, shots=breakdown.shots, cards=None if large else cards)
        # The shots go from phase to phase in memory: the breakdown, models and segments
        # phases record the shots in the manifest, their phase (and the segments) but leave
        # the shot.json files to the storyboard phase, which writes each once with its
        # model, segment and prompts. A crash in between is rolled back whole like any other
        # (PlanGuard, begin_plan).
        say("choosing a model for every shot")
        _, shots = _choose_models(project, registry, breakdown.shots, write=False)
        say("building segments")
        _, shots = _segments_phase(project, shots, write=False)
        say("writing the storyboard and documents")
        build_storyboard(project, shots, unwritten=True)
        cards.write(project)
        mark_planned(project)
    return summarize(project, [*brief.warnings, *breakdown.warnings], registry=registry)


_registry_guard = threading.Lock()
_registry_cache: dict[str | None, tuple[tuple[object, ...], ModelRegistry]] = {}


def _registry_stamp(project_dir: Path | None) -> tuple[object, ...]:
    """Which files :meth:`ModelRegistry.load` reads for ``project_dir`` and what they are on
    disk now (path, inode, size, modification and change times)."""
    shipped = resources.files("storycore.tools").joinpath("data", MODELS_FILE_NAME)
    stamp: list[object] = []
    for path in [str(shipped), *map(str, _override_files(project_dir, None))]:
        info = os.stat(path)
        stamp.append((path, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return tuple(stamp)


def load_registry(project_dir: Path | None = None) -> ModelRegistry:
    """``ModelRegistry.load(project_dir)``, read again only when one of its files changed.

    Every call checks the files the registry is read from (the shipped one, the user's, the
    project's ``models.yaml``: which exist and their stat) and reads them again when they
    are not the ones the kept registry was read from."""
    key = None if project_dir is None else str(Path(project_dir).resolve())
    try:
        stamp = _registry_stamp(project_dir)
    except OSError:  # not plain files (a zipped install): read every time
        return ModelRegistry.load(project_dir)
    with _registry_guard:
        kept = _registry_cache.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1]
    registry = ModelRegistry.load(project_dir)
    with _registry_guard:
        _registry_cache[key] = (stamp, registry)
    return registry


class PlanGuard:
    """Leaves ``out_dir`` exactly as it was if planning fails, even if the process dies.

    A folder that did not exist (or was empty) is removed (emptied) again; an existing
    project is rolled back through its undo history to the state it had on entry. While the
    plan runs, a mark in ``.storycore/`` tells the next :meth:`Project.open` to do the same
    after a crash (``kill -9``, a power cut): see :func:`storycore.tools.project.begin_plan`.
    A folder left by an interrupted plan into a new folder is replaced by the next plan.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self._replace_interrupted_new_plan()
        self.existed = self.out_dir.exists()
        if self.existed and not self.out_dir.is_dir():
            raise ProjectError(f"{self.out_dir} is a file, not a folder")
        self.was_project = self.existed and Project.is_project(self.out_dir)
        if (
            self.existed
            and not self.was_project
            and any(child.name != INTERNAL for child in self.out_dir.iterdir())
        ):
            raise NotAProject(
                f"{self.out_dir} is not empty and is not a StoryCore project; "
                "choose a new or empty folder"
            )
        if self.was_project:
            Project.open(self.out_dir)  # rolls back an earlier interrupted plan first
        self.mark = _history_mark(self.out_dir) if self.was_project else 0

    def _replace_interrupted_new_plan(self) -> None:
        """Empty a folder that an interrupted plan into a new folder left behind."""
        if not self.out_dir.is_dir() or self.out_dir.is_symlink():
            return
        data = interrupted_plan(self.out_dir)
        if data is None or not data["new"]:
            return
        for child in self.out_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()

    def __enter__(self) -> PlanGuard:
        begin_plan(self.out_dir, new=not self.was_project)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            end_plan(self.out_dir)
            return
        if not self.was_project:
            if self.existed:
                for child in self.out_dir.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
            else:
                shutil.rmtree(self.out_dir, ignore_errors=True)
            return
        project = Project(self.out_dir)
        while _history_mark(self.out_dir) > self.mark:
            project.undo()
        end_plan(self.out_dir)


def _history_mark(root: Path) -> int:
    entries = Project(root).history()
    return entries[0].number if entries else 0
