"""Doing each computation once: the selection cache, the panel pool, the imports of --help.

These tests check behaviour (same answers, fewer computations, which modules load), never
timing: speed is measured by bench/ and reported in docs/benchmarks.md.
"""

from __future__ import annotations

from pathlib import Path

from storycore.tools.model_registry import ModelRegistry
from storycore.tools.model_selector import ModelSelector, SelectionRequest


def _requests() -> list[SelectionRequest]:
    return [
        SelectionRequest(scene_type="dialogue", duration_seconds=4.0, shot_id=f"shot_{i:02d}")
        for i in range(1, 7)
    ] + [SelectionRequest(scene_type="action", duration_seconds=2.5, shot_id="shot_07")]


def test_selection_is_computed_once_per_distinct_request(monkeypatch) -> None:
    """Seven shots asking two distinct questions evaluate the registry twice, not seven times,
    and give exactly the selections an uncached selector gives."""
    registry = ModelRegistry.load()
    expected = [ModelSelector(registry).select(r) for r in _requests()]
    selector = ModelSelector(registry)
    calls: list[str | None] = []
    original = selector._evaluate_uncached

    def counting(request: SelectionRequest, *, raise_if_empty: bool) -> object:
        calls.append(request.shot_id)
        return original(request, raise_if_empty=raise_if_empty)

    monkeypatch.setattr(selector, "_evaluate_uncached", counting)
    got = selector.select_plan(_requests())
    assert len(calls) == 2
    assert got == expected


def test_cached_selection_still_names_its_own_shot() -> None:
    """The cache key leaves out the shot id, but each answer keeps its own request."""
    selector = ModelSelector(ModelRegistry.load())
    first, second = (selector._evaluate(r) for r in _requests()[:2])
    assert first.request.shot_id == "shot_01"
    assert second.request.shot_id == "shot_02"
    assert first.candidates == second.candidates


HELP_SCRIPT = r"""
import json, sys
from storycore.agent.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

#: Libraries no command may import before it runs (each costs 0.1-1.5 s to import).
HEAVY = (
    "langgraph",
    "langchain_core",
    "langchain_openai",
    "openai",
    "opentimelineio",
    "PIL",
    "yaml",
    "mcp",
    "starlette",
    "uvicorn",
    "storycore.tools.domain",
    "storycore.tools.model_registry",
    "storycore.tools.planner",
    "storycore.agent.graph",
)


def _modules_loaded_by(*argv: str) -> tuple[int, list[str]]:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], report["modules"]


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_help_imports_only_the_cli_shell() -> None:
    """``storycore --help`` loads typer, rich and the command modules, nothing heavy: the
    list of StoryCore modules it imports is exactly the CLI's own and the error types."""
    code, modules = _modules_loaded_by("--help")
    assert code == 0
    assert _heavy(modules) == []
    assert "pydantic" not in modules
    ours = sorted(m for m in modules if m.startswith("storycore."))
    assert "storycore.agent.cli.commands_plan" in ours  # the commands did register
    assert all(
        m.startswith("storycore.agent.cli") or m in {"storycore.agent", "storycore.tools"}
        for m in ours
        if m != "storycore.tools.errors"
    ), ours


def test_timecode_convert_imports_only_what_it_uses() -> None:
    code, modules = _modules_loaded_by("timecode", "convert", "00:00:10:00", "--fps", "24")
    assert code == 0
    assert "storycore.tools.timecode" in modules
    # Its text and flag parameters are read without pydantic (storycore.agent.cli.params).
    assert "pydantic" not in modules
    # Non-drop SMPTE is integer arithmetic: OpenTimelineIO is loaded for drop-frame only.
    assert _heavy(modules) == []
    code, modules = _modules_loaded_by("timecode", "convert", "00:01:00;02", "--fps", "29.97")
    assert code == 0
    assert "pydantic" not in modules
    assert [m for m in _heavy(modules) if not m.startswith("opentimelineio")] == []


def test_help_lists_match_the_domain() -> None:
    """The help texts' copies of the domain's names (kept out of --help's imports)."""
    from storycore.agent.cli.commands_models import SCENE_TYPE_NAMES
    from storycore.agent.cli.commands_schema import SCHEMA_NAMES
    from storycore.tools.domain import SCHEMA_MODELS, SceneType

    assert tuple(SCHEMA_MODELS) == SCHEMA_NAMES
    assert tuple(s.value for s in SceneType) == SCENE_TYPE_NAMES


def test_list_shots_pages_cover_every_shot_once(film) -> None:
    """The default page is small whatever the film's length, and following ``next_offset``
    from page to page gives every shot once, in timeline order."""
    from storycore.tools.catalog import LIST_SHOTS_PAGE, ListShotsArgs, list_shots
    from storycore.tools.project import Project
    from storycore.tools.structure import load_shots

    project = Project.open(film)
    every = [s.shot_id for s in load_shots(project)]
    assert len(every) > 3
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        answer = list_shots(project, ListShotsArgs(offset=offset, limit=3))
        assert answer["total"] == len(every)
        assert len(answer["shots"]) <= 3
        seen += [s["shot_id"] for s in answer["shots"]]
        offset = answer["next_offset"]
    assert seen == every
    first = list_shots(project, ListShotsArgs())
    assert len(first["shots"]) == min(LIST_SHOTS_PAGE, len(every))


def test_project_layout_stays_one_page_and_list_shots_gives_every_folder(film, monkeypatch) -> None:
    """project_layout lists the first page of shots and says how many there are; the folder
    of every shot is in list_shots' pages, as the layout says."""
    from storycore.tools import catalog
    from storycore.tools.catalog import ListShotsArgs, NoArgs, list_shots, project_layout
    from storycore.tools.project import Project

    LIST_SHOTS_PAGE = 4  # a film longer than a page
    monkeypatch.setattr(catalog, "LIST_SHOTS_PAGE", LIST_SHOTS_PAGE)
    project = Project.open(film)
    refs = project.manifest.shots
    layout = project_layout(project, NoArgs())
    assert len(layout["shots"]) == min(LIST_SHOTS_PAGE, len(refs))
    assert list(layout["shots"]) == [r.shot_id for r in refs][:LIST_SHOTS_PAGE]
    assert len(refs) > LIST_SHOTS_PAGE
    assert layout["shots_total"] == len(refs) and "list_shots" in layout["more"]
    folders: dict[str, str] = {}
    offset: int | None = 0
    while offset is not None:
        answer = list_shots(project, ListShotsArgs(offset=offset, limit=5))
        folders.update({s["shot_id"]: s["folder"] for s in answer["shots"]})
        offset = answer["next_offset"]
    assert folders == {r.shot_id: f"02_shots/{r.folder}" for r in refs}
    assert all(folders[k] == v for k, v in layout["shots"].items())
    for folder in folders.values():
        assert (film / folder / "shot.json").is_file()


def test_list_elements_pages_cover_every_element_once_with_its_folder(film) -> None:
    """The default page is small however large the cast; following ``next_offset`` gives
    every element once, in the registry's order, each with the folder it is in on disk; the
    type filter pages the same way."""
    from storycore.tools.catalog import LIST_ELEMENTS_PAGE, ListElementsArgs, list_elements
    from storycore.tools.project import Project
    from storycore.tools.registry import AssetRegistry

    project = Project.open(film)
    every = [e.element_id for e in AssetRegistry(project).list()]
    assert len(every) > 2
    for kind in (None, "character"):
        wanted = [e.element_id for e in AssetRegistry(project).list(kind)] if kind else every
        seen: list[str] = []
        offset: int | None = 0
        while offset is not None:
            answer = list_elements(project, ListElementsArgs(type=kind, offset=offset, limit=2))
            assert answer["total"] == len(wanted) and len(answer["elements"]) <= 2
            for row in answer["elements"]:
                assert (film / row["folder"] / "element.json").is_file()
            seen += [row["element_id"] for row in answer["elements"]]
            offset = answer["next_offset"]
        assert seen == wanted
    first = list_elements(project, ListElementsArgs())
    assert len(first["elements"]) == min(LIST_ELEMENTS_PAGE, len(every))


def test_project_layout_lists_a_page_of_elements_and_list_elements_gives_the_rest(
    film, monkeypatch
) -> None:
    """project_layout names the first page of elements with their total and points to
    list_elements, whose pages give the same folder for every element."""
    from storycore.tools import catalog
    from storycore.tools.catalog import ListElementsArgs, NoArgs, list_elements, project_layout
    from storycore.tools.project import Project

    monkeypatch.setattr(catalog, "LIST_ELEMENTS_PAGE", 2)  # a cast larger than a page
    project = Project.open(film)
    refs = project.manifest.elements
    assert len(refs) > 2
    layout = project_layout(project, NoArgs())
    assert list(layout["elements"]) == [r.element_id for r in refs][:2]
    assert layout["elements_total"] == len(refs) and "list_elements" in layout["more"]
    folders: dict[str, str] = {}
    offset: int | None = 0
    while offset is not None:
        answer = list_elements(project, ListElementsArgs(offset=offset, limit=3))
        folders.update({row["element_id"]: row["folder"] for row in answer["elements"]})
        offset = answer["next_offset"]
    assert folders == {r.element_id: f"01_elements/{r.folder}" for r in refs}
    assert all(folders[k] == v for k, v in layout["elements"].items())


def test_the_system_prompt_names_a_page_of_the_cast_and_counts_the_rest(film, monkeypatch) -> None:
    """The model is told the first elements by id and name, and how many more there are
    (list_elements has them), not the whole cast."""
    from storycore.agent import conversation
    from storycore.tools.project import Project

    project = Project.open(film)
    refs = project.manifest.elements
    whole = conversation._system_prompt(project, "en")
    assert all(f"{r.element_id} = {r.name}" in whole for r in refs)  # a small cast: all
    monkeypatch.setattr(conversation, "PROMPT_ELEMENTS", 2)
    prompt = conversation._system_prompt(project, "en")
    assert all(f"{r.element_id} = {r.name}" in prompt for r in refs[:2])
    assert not any(f"{r.element_id} = " in prompt for r in refs[2:])
    assert f"and {len(refs) - 2} more (list_elements)" in prompt


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ad_brief.md"


def test_an_offline_plan_does_not_load_the_feedback_parser(tmp_path: Path) -> None:
    """Planning reads shot hashes (regeneration) and tells the descriptions' language (which
    folds text), but never parses feedback: the parser's ~200 patterns are compiled only
    when a change is asked for; nor does it load the critic's checks for that language."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from storycore.tools.planner import plan_project\n"
        f"plan_project(Path({str(EXAMPLE)!r}).read_text(), Path({str(tmp_path / 'p')!r}),"
        " source_name='ad_brief.md')\n"
        "print(sorted(m for m in sys.modules if m.startswith('storycore.tools.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    loaded = done.stdout.strip().splitlines()[-1]
    assert "storycore.tools.text_language" in loaded and "storycore.tools.regeneration" in loaded
    assert "storycore.tools.critic" not in loaded
    assert "storycore.tools.feedback.parser" not in loaded
    assert "storycore.tools.regeneration.simulator" not in loaded
