"""The planner's reference cards, encoded while the later phases run and written in a
transaction of their own (:class:`storycore.tools.card_encoding.LaterCards`): the same
files as cards written by the elements phase, and a card that fails leaves nothing."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
import yaml

from storycore.tools import asset_generator, card_encoding, i18n
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry, content

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from plan_bench import screenplay

SCENES = 2


def _files(root: Path) -> dict[str, bytes]:
    """Every file of the project outside ``.storycore``, cards included."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".storycore" not in p.parts
    }


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Element versions (and so the cards' embedded metadata) carry this time."""
    monkeypatch.setattr(content, "_now", lambda: "2026-12-03T00:00:00+00:00")


@pytest.fixture
def cards_in_the_elements_phase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The files of a plan whose cards are written by the elements phase (one core)."""
    with monkeypatch.context() as patch:
        patch.setattr(card_encoding, "_cores", lambda: 1)
        root = tmp_path / "one-core"
        plan_project(screenplay(SCENES), root, source_name="cards.fountain")
        notes = [entry.note for entry in Project.open(root).history()]
        assert card_encoding.CARDS_NOTE not in notes
        return _files(root)


def test_cards_written_later_are_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards_in_the_elements_phase: dict
) -> None:
    monkeypatch.setattr(card_encoding, "_cores", lambda: 2)
    root = tmp_path / "later"
    plan_project(screenplay(SCENES), root, source_name="cards.fountain")
    files = _files(root)
    cards = [rel for rel in files if rel.startswith("01_elements/") and rel.endswith(".png")]
    assert len(cards) >= 2 * 4
    assert files == cards_in_the_elements_phase
    project = Project.open(root)
    notes = [entry.note for entry in project.history()]
    assert notes.index(card_encoding.CARDS_NOTE) < notes.index("storyboard")  # newest first
    for element in AssetRegistry(project).list():  # every card is current: not redrawn
        assert asset_generator.write_reference_card(project, element)
    assert _files(root) == files


def test_cards_kept_beyond_the_limit_are_written_by_the_elements_phase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards_in_the_elements_phase: dict
) -> None:
    monkeypatch.setattr(card_encoding, "_cores", lambda: 2)
    monkeypatch.setattr(card_encoding, "LATER_MAX", 2)
    root = tmp_path / "limit"
    plan_project(screenplay(SCENES), root, source_name="cards.fountain")
    assert _files(root) == cards_in_the_elements_phase


def test_cards_no_thread_has_started_are_encoded_by_the_writer_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards_in_the_elements_phase: dict
) -> None:
    """The card thread held on its first card: the thread writing the cards encodes every
    other one itself instead of waiting, and no card is encoded twice."""
    monkeypatch.setattr(card_encoding, "_cores", lambda: 2)  # one card thread
    cards = [
        rel
        for rel in cards_in_the_elements_phase
        if rel.startswith("01_elements/") and rel.endswith(".png") and "_mini" not in rel
    ]
    assert len(cards) >= 4
    release = threading.Event()
    encoded: list[tuple[str, bool]] = []
    real = asset_generator._card_pngs

    def held(element, folder):  # type: ignore[no-untyped-def]
        here = threading.current_thread() is threading.main_thread()
        if not here:
            assert release.wait(30)
        encoded.append((element.element_id, here))
        if sum(1 for _, by_main in encoded if by_main) == len(cards) - 1:
            release.set()  # every other card is done: the held one may end
        return real(element, folder)

    monkeypatch.setattr(asset_generator, "_card_pngs", held)
    root = tmp_path / "stolen"
    plan_project(screenplay(SCENES), root, source_name="cards.fountain")
    assert _files(root) == cards_in_the_elements_phase
    assert len({element for element, _ in encoded}) == len(encoded) == len(cards)
    assert [here for _, here in encoded].count(False) == 1


@pytest.mark.parametrize("existing", [False, True])
def test_a_card_that_fails_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    root = tmp_path / "failing"
    if existing:
        plan_project(screenplay(1), root, source_name="first.fountain")
    before = _files(root) if existing else None
    monkeypatch.setattr(card_encoding, "_cores", lambda: 2)
    real = asset_generator.render_card

    def failing(element, folder=None):  # type: ignore[no-untyped-def]
        if element.name.upper() == "HUGO":  # an element of the second plan only
            raise RuntimeError("a broken font")
        return real(element, folder)

    monkeypatch.setattr(asset_generator, "render_card", failing)
    with pytest.raises(RuntimeError, match="broken font"):
        plan_project(screenplay(8), root, source_name="cards.fountain")
    if existing:
        assert _files(root) == before
    else:
        assert not root.exists()


@pytest.mark.parametrize("language", i18n.languages())
def test_catalogs_read_with_the_c_loader_are_the_pure_python_ones(language: str) -> None:
    path = Path(i18n.__file__).parent / "data" / "messages" / f"{language}.yaml"
    pure = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert i18n.catalog(language) == i18n._flatten(pure)
