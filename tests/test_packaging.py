"""The wheel ships every module and data file: a module left out of it fails here.

Editable installs import straight from the repo, so they hide a package missing from the
wheel (stack.md). This builds the wheel from a clean copy of the sources and imports every
module from it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = {"agent": "storycore.agent", "tools": "storycore.tools", "prompts": "storycore.prompts"}


def _source_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [f for f in listed if (REPO / f).is_file()]


def _expected_modules(files: list[str]) -> list[str]:
    modules = []
    for rel in files:
        top, _, rest = rel.partition("/")
        if top in PACKAGES and rel.endswith(".py"):
            dotted = rest[:-3].replace("/", ".")
            dotted = dotted.removesuffix(".__init__").removesuffix("__init__")
            modules.append(f"{PACKAGES[top]}.{dotted}".rstrip("."))
    return sorted(modules)


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    files = _source_files()
    for rel in files:  # a clean copy: no stale build/ folder can leak into the wheel
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    wheels = list(out.glob("storycore_assistant-*.whl"))
    assert len(wheels) == 1
    unpacked = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(wheels[0]) as archive:
        archive.extractall(unpacked)
    return unpacked


@pytest.mark.slow
def test_every_module_imports_from_the_wheel(wheel_dir: Path) -> None:
    modules = _expected_modules(_source_files())
    assert "storycore.tools.domain" in modules
    code = (
        "import importlib, sys\n"
        f"root = {str(wheel_dir)!r}\n"
        "bad = []\n"
        f"for name in {modules!r}:\n"
        "    module = importlib.import_module(name)\n"
        "    if not module.__file__.startswith(root):\n"
        "        bad.append((name, module.__file__))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(wheel_dir)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=wheel_dir
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_wheel_ships_data_files_and_the_command(wheel_dir: Path) -> None:
    files = _source_files()
    data = [f for f in files if f.split("/")[0] in PACKAGES and not f.endswith(".py")]
    for rel in data:
        top, _, rest = rel.partition("/")
        assert (wheel_dir / "storycore" / top / rest).is_file(), f"{rel} is not in the wheel"
    entry_points = next(wheel_dir.glob("*.dist-info")) / "entry_points.txt"
    assert "storycore = storycore.agent.cli.main:entry_point" in entry_points.read_text()


@pytest.mark.slow
def test_python_m_storycore_runs_from_the_wheel(wheel_dir: Path) -> None:
    assert (wheel_dir / "storycore" / "__main__.py").is_file()
    assert not (wheel_dir / "storycore" / "__init__.py").exists()  # still a namespace
    env = {**os.environ, "PYTHONPATH": str(wheel_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "storycore", "-h"],
        env=env,
        capture_output=True,
        text=True,
        cwd=wheel_dir,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: storycore" in result.stdout


def test_python_m_storycore_runs_in_this_install(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "storycore", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.1.0"
