"""The element registry: storage, versions, status rules, relationships, lookup by name,
hostile names and concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storycore.tools import structure
from storycore.tools.domain import AssetMetadata, ElementStatus, ElementType
from storycore.tools.errors import ConflictError, InvalidInput, NotFound
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry, name_key

from .conftest import files_under, snapshot

HOSTILE = ["../../x", "/etc/passwd", "a/b", "CON", "y" * 300, "🎬 scène"]


@pytest.fixture
def registry(tmp_path: Path) -> AssetRegistry:
    return AssetRegistry(Project.create(tmp_path / "film", title="Film"))


def gaby(registry: AssetRegistry) -> AssetMetadata:
    return registry.add(
        "character",
        "GaBy",
        canonical_description="A young woman, short black hair, red raincoat.",
        attributes={"hair": "short black", "eyes": "green"},
    )


def sidecar(registry: AssetRegistry, element_id: str) -> dict:
    folder = structure.element_folder(registry.project, element_id)
    return json.loads((folder / "element.json").read_text(encoding="utf-8"))


# -- storage ------------------------------------------------------------------------------


def test_add_writes_a_readable_sidecar_in_a_numbered_folder(registry: AssetRegistry) -> None:
    element = gaby(registry)
    assert element.element_id == "char_gaby"
    assert element.current_version == 1 and element.status is ElementStatus.DRAFT
    root = registry.project.root
    assert (root / "01_elements/01_GaBy/element.json").is_file()
    data = sidecar(registry, "char_gaby")
    assert AssetMetadata.model_validate(data) == element
    assert data["canonical_description"] == "A young woman, short black hair, red raincoat."
    assert data["versions"][0]["content"]["attributes"] == {"hair": "short black", "eyes": "green"}
    # human-readable: indented JSON, one key per line
    text = (root / "01_elements/01_GaBy/element.json").read_text(encoding="utf-8")
    assert '\n  "element_id": "char_gaby",\n' in text
    ref = registry.project.manifest.elements[0]
    assert (ref.element_id, ref.type, ref.folder) == ("char_gaby", ElementType.CHARACTER, "01_GaBy")
    assert registry.get("char_gaby") == element


def test_adding_the_same_element_again_changes_nothing(registry: AssetRegistry) -> None:
    gaby(registry)
    before = snapshot(registry.project.root)
    again = gaby(registry)
    same_name_other_case = registry.add("char", "GABY")
    assert again.current_version == same_name_other_case.current_version == 1
    assert snapshot(registry.project.root) == before
    assert len(registry.list()) == 1


def test_adding_an_existing_id_with_new_content_is_an_update(registry: AssetRegistry) -> None:
    gaby(registry)
    element = registry.add("character", "Gaby", attributes={"hair": "blonde curly"})
    assert element.current_version == 2
    # what was not given is kept; what was given is merged
    assert element.canonical_description == "A young woman, short black hair, red raincoat."
    assert element.attributes == {"hair": "blonde curly", "eyes": "green"}


def test_type_and_id_are_checked(registry: AssetRegistry) -> None:
    with pytest.raises(InvalidInput, match="unknown element type"):
        registry.add("spaceship", "Nostromo")
    with pytest.raises(InvalidInput, match="not an element id"):
        registry.add("prop", "Cup", element_id="../cup")
    registry.add("prop", "Cup", element_id="cup")
    with pytest.raises(ConflictError, match="already a prop"):
        registry.add("character", "Cup", element_id="cup")


def test_get_unknown_suggests(registry: AssetRegistry) -> None:
    gaby(registry)
    with pytest.raises(NotFound, match="did you mean char_gaby"):
        registry.get("char_gabi")
    with pytest.raises(NotFound, match="did you mean char_gaby"):
        registry.get("Gaby")  # a name, not an id
    assert registry.resolve("Gaby").element_id == "char_gaby"


def test_list_by_type_in_manifest_order(registry: AssetRegistry) -> None:
    gaby(registry)
    registry.add("location", "Old bridge")
    registry.add("character", "Judas")
    assert [e.element_id for e in registry.list()] == ["char_gaby", "loc_old_bridge", "char_judas"]
    assert [e.name for e in registry.list("character")] == ["GaBy", "Judas"]
    assert [e.name for e in registry.list(ElementType.LOCATION)] == ["Old bridge"]
    assert registry.list("prop") == []


# -- versions -----------------------------------------------------------------------------


def test_every_change_makes_a_version_and_keeps_the_old_ones(registry: AssetRegistry) -> None:
    gaby(registry)
    v2 = registry.update("char_gaby", attributes={"hair": "blonde curly"}, note="feedback")
    v3 = registry.update("char_gaby", canonical_description="A young woman in a red raincoat.")
    versions = registry.versions("char_gaby")
    assert [v.version for v in versions] == [1, 2, 3]
    assert v3.current_version == 3
    assert len({v.content_hash for v in versions}) == 3
    assert versions[0].content.attributes["hair"] == "short black"
    assert versions[1].content.attributes["hair"] == "blonde curly"
    assert versions[1].note == "feedback"
    assert versions[2].content.canonical_description == "A young woman in a red raincoat."
    for version in versions:
        assert version.content_hash == version.content.digest()
    assert v2.attributes == {"hair": "blonde curly", "eyes": "green"}
    assert sidecar(registry, "char_gaby")["current_version"] == 3


def test_a_no_op_update_makes_no_version_and_writes_nothing(registry: AssetRegistry) -> None:
    element = gaby(registry)
    before = snapshot(registry.project.root)
    history = registry.project.history()
    same = registry.update(
        "char_gaby",
        canonical_description=element.canonical_description,
        attributes={"hair": "short black"},
    )
    assert same.current_version == 1
    assert snapshot(registry.project.root) == before
    assert registry.project.history() == history


def test_an_empty_attribute_value_removes_the_key(registry: AssetRegistry) -> None:
    gaby(registry)
    element = registry.update("char_gaby", attributes={"eyes": "", "Costume Colour": "red"})
    assert element.attributes == {"hair": "short black", "costume_colour": "red"}
    assert element.current_version == 2


def test_restore_makes_a_new_version_with_the_old_content(registry: AssetRegistry) -> None:
    gaby(registry)
    registry.update("char_gaby", attributes={"hair": "blonde curly"})
    restored = registry.restore("char_gaby", 1)
    versions = registry.versions("char_gaby")
    assert [v.version for v in versions] == [1, 2, 3]
    assert restored.current_version == 3
    assert versions[2].content == versions[0].content
    assert versions[2].content_hash == versions[0].content_hash
    assert versions[1].content.attributes["hair"] == "blonde curly"  # history kept
    assert restored.attributes["hair"] == "short black"
    assert "restored version 1" in versions[2].note
    # restoring what is already current changes nothing
    before = snapshot(registry.project.root)
    assert registry.restore("char_gaby", 1).current_version == 3
    assert snapshot(registry.project.root) == before
    with pytest.raises(NotFound, match="has no version 9"):
        registry.restore("char_gaby", 9)


def test_rename_keeps_the_id_renames_the_folder_and_keeps_the_old_name(
    registry: AssetRegistry,
) -> None:
    gaby(registry)
    element = registry.update("char_gaby", name="Gabrielle")
    assert element.element_id == "char_gaby" and element.current_version == 2
    assert element.aliases == ["GaBy"]
    assert structure.element_folder(registry.project, "char_gaby").name == "01_Gabrielle"
    assert not (registry.project.root / "01_elements/01_GaBy").exists()
    assert registry.project.manifest.elements[0].name == "Gabrielle"
    found = registry.find("gaby")
    assert found is not None and found.element_id == "char_gaby"


def test_a_change_is_undoable(registry: AssetRegistry) -> None:
    gaby(registry)
    before = snapshot(registry.project.root)
    registry.update("char_gaby", attributes={"hair": "blonde curly"})
    registry.project.undo()
    assert snapshot(registry.project.root) == before
    assert registry.get("char_gaby").current_version == 1


def test_a_failure_inside_a_caller_transaction_rolls_the_registry_back(
    registry: AssetRegistry,
) -> None:
    gaby(registry)
    before = snapshot(registry.project.root)
    with pytest.raises(RuntimeError), registry.project.transaction("plan"):
        registry.add("location", "Old bridge")
        registry.update("char_gaby", attributes={"hair": "blonde"})
        registry.link_shot("char_gaby", "shot_01")
        raise RuntimeError("the planner failed")
    assert snapshot(registry.project.root) == before


# -- status ------------------------------------------------------------------------------


def test_a_locked_element_says_how_to_unlock(registry: AssetRegistry) -> None:
    gaby(registry)
    assert registry.lock("char_gaby").status is ElementStatus.LOCKED
    with pytest.raises(ConflictError) as refused:
        registry.update("char_gaby", attributes={"hair": "blonde"})
    message = str(refused.value)
    assert "char_gaby is locked" in message
    assert "storycore elements unlock DIR char_gaby" in message
    assert registry.get("char_gaby").attributes["hair"] == "short black"


def test_locked_refusals_leave_the_project_unchanged(registry: AssetRegistry) -> None:
    gaby(registry)
    registry.update("char_gaby", attributes={"hair": "blonde"})
    registry.lock("char_gaby")
    before = snapshot(registry.project.root)
    attempts = [
        lambda: registry.update("char_gaby", canonical_description="x", force=True),
        lambda: registry.restore("char_gaby", 1),
        lambda: registry.remove("char_gaby", force=True),
        lambda: registry.add("character", "Gaby", attributes={"eyes": "blue"}),
    ]
    for attempt in attempts:
        with pytest.raises(ConflictError, match="locked"):
            attempt()
    assert snapshot(registry.project.root) == before
    # a no-op on a locked element is not an error
    assert registry.update("char_gaby", attributes={"hair": "blonde"}).current_version == 2
    # shot links are not content: the planner may use a locked character
    assert registry.link_shot("char_gaby", "shot_01").shots == ["shot_01"]
    unlocked = registry.unlock("char_gaby")
    assert unlocked.status is ElementStatus.DRAFT
    assert registry.update("char_gaby", canonical_description="x").current_version == 3


def test_an_approved_element_changes_only_with_force_and_returns_to_draft(
    registry: AssetRegistry,
) -> None:
    gaby(registry)
    assert registry.approve("char_gaby").status is ElementStatus.APPROVED
    with pytest.raises(ConflictError, match="approved; pass --force"):
        registry.update("char_gaby", attributes={"hair": "blonde"})
    assert registry.get("char_gaby").current_version == 1
    changed = registry.update("char_gaby", attributes={"hair": "blonde"}, force=True)
    assert changed.current_version == 2
    assert changed.status is ElementStatus.DRAFT
    # status changes make no version
    registry.approve("char_gaby")
    registry.lock("char_gaby")
    assert registry.approve("char_gaby").status is ElementStatus.LOCKED  # locked stays locked
    assert registry.set_status("char_gaby", "draft").status is ElementStatus.DRAFT
    assert registry.get("char_gaby").current_version == 2
    with pytest.raises(InvalidInput, match="unknown element status"):
        registry.set_status("char_gaby", "final")


# -- relationships -----------------------------------------------------------------------


def test_shot_links_both_ways_without_versions(registry: AssetRegistry) -> None:
    gaby(registry)
    registry.add("location", "Old bridge")
    registry.link_shot("char_gaby", "shot_10")
    registry.link_shot("char_gaby", "shot_02")
    registry.link_shot("char_gaby", "shot_02a")
    registry.link_shot("char_gaby", "shot_02")  # twice: once
    registry.link_shot("loc_old_bridge", "shot_02")
    assert registry.shots_using("char_gaby") == ["shot_02", "shot_02a", "shot_10"]
    assert [e.element_id for e in registry.elements_in_shot("shot_02")] == [
        "char_gaby",
        "loc_old_bridge",
    ]
    assert [e.element_id for e in registry.elements_in_shot("shot_10")] == ["char_gaby"]
    assert registry.elements_in_shot("shot_99") == []
    registry.unlink_shot("char_gaby", "shot_02")
    assert registry.shots_using("char_gaby") == ["shot_02a", "shot_10"]
    assert sidecar(registry, "char_gaby")["shots"] == ["shot_02a", "shot_10"]
    assert registry.get("char_gaby").current_version == 1
    with pytest.raises(InvalidInput, match="not a shot id"):
        registry.link_shot("char_gaby", "../shot")
    with pytest.raises(NotFound):
        registry.link_shot("char_nobody", "shot_01")


def test_set_shot_links_replaces_one_shots_links_in_one_transaction(
    registry: AssetRegistry,
) -> None:
    gaby(registry)
    registry.add("location", "Old bridge")
    registry.add("prop", "Red umbrella")
    registry.link_shot("char_gaby", "shot_01")
    registry.link_shot("loc_old_bridge", "shot_01")
    registry.link_shot("loc_old_bridge", "shot_02")
    history = len(registry.project.history())
    changed = registry.set_shot_links("shot_01", ["char_gaby", "prop_red_umbrella"])
    assert sorted(changed) == ["loc_old_bridge", "prop_red_umbrella"]
    assert len(registry.project.history()) == history + 1  # one transaction
    assert [e.element_id for e in registry.elements_in_shot("shot_01")] == [
        "char_gaby",
        "prop_red_umbrella",
    ]
    assert registry.shots_using("loc_old_bridge") == ["shot_02"]  # other shots untouched
    before = snapshot(registry.project.root)
    with pytest.raises(NotFound, match="char_nobody"):
        registry.set_shot_links("shot_01", ["loc_old_bridge", "char_nobody"])
    assert snapshot(registry.project.root) == before
    assert registry.set_shot_links("shot_01", ["char_gaby", "prop_red_umbrella"]) == []


def test_variants_and_lineage(registry: AssetRegistry) -> None:
    gaby(registry)
    coat = registry.add("wardrobe", "Gaby raincoat", derived_from="char_gaby")
    wet = registry.add("wardrobe", "Gaby raincoat wet", derived_from=coat.element_id)
    registry.add("character", "Judas")
    assert [v.element_id for v in registry.variants_of("char_gaby")] == [coat.element_id]
    assert [v.element_id for v in registry.variants_of("char_gaby", recursive=True)] == [
        coat.element_id,
        wet.element_id,
    ]
    assert [e.element_id for e in registry.lineage(wet.element_id)] == [
        wet.element_id,
        coat.element_id,
        "char_gaby",
    ]
    assert [e.element_id for e in registry.lineage("char_judas")] == ["char_judas"]
    registry.link_shot(wet.element_id, "shot_05")
    registry.link_shot("char_gaby", "shot_01")
    assert registry.shots_using("char_gaby") == ["shot_01"]
    assert registry.shots_using("char_gaby", include_variants=True) == ["shot_01", "shot_05"]
    with pytest.raises(ConflictError, match="already derives"):
        registry.set_derived_from("char_gaby", wet.element_id)
    with pytest.raises(InvalidInput, match="variant of itself"):
        registry.set_derived_from("char_gaby", "char_gaby")
    with pytest.raises(NotFound):
        registry.add("wardrobe", "Orphan", derived_from="char_nobody")
    assert not registry.exists("ward_orphan")


def test_remove_is_refused_while_used_and_forced_removal_repoints_variants(
    registry: AssetRegistry,
) -> None:
    gaby(registry)
    coat = registry.add("wardrobe", "Gaby raincoat", derived_from="char_gaby")
    wet = registry.add("wardrobe", "Gaby raincoat wet", derived_from=coat.element_id)
    registry.link_shot(coat.element_id, "shot_03")
    before = snapshot(registry.project.root)
    with pytest.raises(ConflictError, match=r"used by 1 shot\(s\) \(shot_03\)"):
        registry.remove(coat.element_id)
    registry.unlink_shot(coat.element_id, "shot_03")
    with pytest.raises(ConflictError, match="has variants"):
        registry.remove(coat.element_id)
    registry.link_shot(coat.element_id, "shot_03")
    assert snapshot(registry.project.root) == before
    registry.remove(coat.element_id, force=True)
    assert not registry.exists(coat.element_id)
    assert registry.get(wet.element_id).derived_from == "char_gaby"
    assert [r.folder for r in registry.project.manifest.elements] == [
        "01_GaBy",
        "02_Gaby_Raincoat_Wet",
    ]


# -- lookup by name -----------------------------------------------------------------------


def test_find_ignores_case_and_accents(registry: AssetRegistry) -> None:
    gaby(registry)
    registry.add("character", "Gérard Dépardieu", aliases=["Gégé"])
    for spelling in ["Gaby", "GABY", "GaBy", "gaby", " gaby ", "GaBy's", "char_gaby", "Gäby"]:
        found = registry.find(spelling)
        assert found is not None and found.element_id == "char_gaby", spelling
    for spelling in ["gerard depardieu", "GÉRARD DÉPARDIEU", "Gerard-Depardieu", "gege"]:
        found = registry.find(spelling)
        assert found is not None and found.element_id == "char_gerard_depardieu", spelling
    assert registry.find("Judas") is None
    assert registry.find("") is None


def test_find_prefers_names_and_reports_ambiguity(registry: AssetRegistry) -> None:
    registry.add("location", "Bridge")
    registry.add("prop", "Bridge")
    registry.add("character", "Ana", aliases=["Bridge keeper"])
    with pytest.raises(ConflictError, match="names 2 elements"):
        registry.find("bridge")
    found = registry.find("bridge", type="prop")
    assert found is not None and found.element_id == "prop_bridge"
    registry.add("character", "Ana", aliases=["Ana B"])
    found = registry.find("ana b")
    assert found is not None and found.element_id == "char_ana"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flips=st.lists(st.booleans(), min_size=4, max_size=4))
def test_any_casing_finds_the_element(registry: AssetRegistry, flips: list[bool]) -> None:
    if not registry.exists("char_gaby"):
        gaby(registry)
    spelling = "".join(c.upper() if up else c.lower() for c, up in zip("gaby", flips, strict=True))
    found = registry.find(spelling)
    assert found is not None and found.element_id == "char_gaby"


def test_aliases_are_not_content(registry: AssetRegistry) -> None:
    gaby(registry)
    element = registry.update("char_gaby", aliases=["Gabs", "la petite", "gaby"])
    assert element.aliases == ["Gabs", "la petite"]  # the name itself is not an alias
    assert element.current_version == 1
    assert registry.update("char_gaby", aliases=["Gabs"]).aliases == ["Gabs"]  # replaced
    # adding an existing id under another name records the spelling, it does not rename
    again = registry.add("character", "Gabrielle", element_id="char_gaby")
    assert (again.name, again.aliases, again.current_version) == ("GaBy", ["Gabs", "Gabrielle"], 1)
    found = registry.find("gabrielle")
    assert found is not None and found.element_id == "char_gaby"


def test_name_key_folds_case_accents_and_punctuation() -> None:
    assert name_key("GaBy") == name_key("gäby") == "gaby"
    assert name_key("Jean-Luc  Picard") == "jean luc picard"
    assert name_key("北京") == "北京"


# -- hostile names ------------------------------------------------------------------------


def test_hostile_names_make_safe_folders_inside_the_project(tmp_path: Path) -> None:
    root = tmp_path / "inside" / "p"
    registry = AssetRegistry(Project.create(root))
    for name in HOSTILE:
        element = registry.add("prop", name, canonical_description=f"a {name}")
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,63}", element.element_id), element.element_id
    # nothing outside the project
    assert files_under(tmp_path) - {"inside"} == {
        f"inside/p/{rel}" if rel else "inside/p" for rel in ["", *files_under(root)]
    }
    refs = registry.project.manifest.elements
    assert len(refs) == len(HOSTILE)
    for ref in refs:
        assert re.fullmatch(r"\d{2,3}_[A-Za-z0-9_]{1,44}", ref.folder), ref.folder
        assert (root / "01_elements" / ref.folder / "element.json").is_file()
    names = [e.name for e in registry.list()]
    assert names[:4] == ["../../x", "/etc/passwd", "a/b", "CON"]
    assert names[4] == "y" * 200  # names are bounded, not refused
    assert names[5] == "🎬 scène"
    found = registry.find("🎬 SCÈNE")
    assert found is not None and found.name == "🎬 scène"


@pytest.mark.parametrize("name", ["", "   ", "\n\t", "\x00\x07"])
def test_an_empty_name_is_refused(registry: AssetRegistry, name: str) -> None:
    before = snapshot(registry.project.root)
    with pytest.raises(InvalidInput, match="an element needs a name"):
        registry.add("character", name)
    gaby(registry)
    with pytest.raises(InvalidInput, match="an element needs a name"):
        registry.update("char_gaby", name=name)
    registry.project.undo()
    assert snapshot(registry.project.root) == before


def test_control_characters_are_dropped_from_names(registry: AssetRegistry) -> None:
    element = registry.add("character", "Ga\x00By\n\x1b[31m")
    assert element.name == "GaBy [31m"


def test_an_overlong_description_is_refused(registry: AssetRegistry) -> None:
    with pytest.raises(InvalidInput, match="keep it under 4000"):
        registry.add("character", "Verbose", canonical_description="word " * 1000)
    assert registry.list() == []


# -- elements registered by the structure manager alone -----------------------------------


def test_a_folder_without_sidecar_reads_as_version_one(registry: AssetRegistry) -> None:
    with registry.project.transaction("planner") as tx:
        structure.add_element_folder(tx, "char_judas", ElementType.CHARACTER, "Judas")
    element = registry.get("char_judas")
    assert (element.name, element.current_version) == ("Judas", 1)
    updated = registry.update("char_judas", canonical_description="A tall man in grey.")
    assert updated.current_version == 2
    assert sidecar(registry, "char_judas")["versions"][0]["content"]["name"] == "Judas"


# -- concurrency with real processes ------------------------------------------------------


def _worker(root: str, worker: int, count: int) -> None:
    registry = AssetRegistry(Project.open(root))
    registry.add("prop", f"Prop {worker}", canonical_description=f"made by worker {worker}")
    for i in range(count):
        registry.update("char_gaby", attributes={f"w{worker}": str(i)}, note=f"w{worker}-{i}")
        registry.link_shot("char_gaby", f"shot_{worker * count + i + 1:02d}")


@pytest.mark.slow
def test_concurrent_processes_lose_no_element_and_no_version(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    registry = AssetRegistry(project)
    gaby(registry)
    workers, count = 4, 6
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_worker, args=(str(project.root), w, count)) for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(300)
        assert proc.exitcode == 0
    fresh = AssetRegistry(Project.open(project.root))
    element = fresh.get("char_gaby")
    numbers = [v.version for v in element.versions]
    assert sorted(numbers) == list(range(1, workers * count + 2))  # each exactly once
    assert element.current_version == workers * count + 1
    notes = sorted(v.note for v in element.versions[1:])
    assert notes == sorted(f"w{w}-{i}" for w in range(workers) for i in range(count))
    # every version is the previous one plus exactly one change: nothing was overwritten
    for before, after in zip(element.versions, element.versions[1:], strict=False):
        changed = {
            k
            for k in before.content.attributes.keys() | after.content.attributes.keys()
            if before.content.attributes.get(k) != after.content.attributes.get(k)
        }
        assert len(changed) == 1, (before.version, after.version)
    assert element.attributes == {
        "hair": "short black",
        "eyes": "green",
        **{f"w{w}": str(count - 1) for w in range(workers)},
    }
    assert len(element.shots) == workers * count
    ids = {e.element_id for e in fresh.list()}
    assert ids == {"char_gaby", *(f"prop_prop_{w}" for w in range(workers))}
    assert len(list((project.root / "01_elements").iterdir())) == workers + 1
