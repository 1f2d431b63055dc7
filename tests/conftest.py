"""Shared fixtures. Tests never touch the network or the user's config."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from storycore.tools.project import stamps

# Language-model test fixtures (docs/llm-and-cassettes.md): the scripted OpenAI-compatible
# stub, the cassette settings, and the endpoint a cassette test talks to.
from .cassette_support import llm_endpoint, scripted_llm, vcr_cassette_dir, vcr_config  # noqa: F401
from .openai_stub import openai_stub  # noqa: F401

# Speed is measured by the benchmarks in bench/, never asserted by tests: hypothesis's
# per-example deadline is a timing assertion that fails on a loaded shared machine.
settings.register_profile("storycore", deadline=None)
settings.load_profile("storycore")


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    # A user's own models.yaml or API keys must not change what the tests see.
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("STORYCORE_CONFIG_DIR", str(config))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "STORYCORE_MODEL"):
        monkeypatch.delenv(name, raising=False)
    yield


def files_under(root: Path) -> set[str]:
    """Every file and folder below ``root``, as relative POSIX paths."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """The project's content as a user sees it (StoryCore's own .storycore/ left out):
    every file with its bytes, every folder with None."""
    out: dict[str, bytes | None] = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if rel == ".storycore" or rel.startswith(".storycore/"):
            continue
        out[rel] = path.read_bytes() if path.is_file() else None
    return out


def storycore_executable() -> str:
    """The installed ``storycore`` command of the environment running the tests (CI calls
    ``.venv/bin/python`` without activating the environment, so PATH may not have it)."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "storycore"
    if beside.is_file():
        return str(beside)
    found = shutil.which("storycore")
    if found is None:
        raise RuntimeError("the storycore command is not installed in this environment")
    return found


@pytest.fixture(scope="module")
def film_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example short film planned offline once per test module (do not change it)."""
    from .fake_chat import plan_film

    base = tmp_path_factory.mktemp("film")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        yield plan_film(base / "film")


@pytest.fixture
def film(film_template: Path, tmp_path: Path) -> Path:
    """A planned short film of this test's own."""
    return Path(shutil.copytree(film_template, tmp_path / "film"))


@pytest.fixture(params=["notified", "not notified"])
def notified(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[bool]:
    """Each test with the kernel's notifications, and without them (the full check)."""
    stamps.forget()
    if request.param == "not notified":
        monkeypatch.setattr(stamps.Stamps, "watching", property(lambda self: False))
    yield request.param == "notified"
    stamps.forget()
