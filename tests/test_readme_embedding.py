"""The README's embedding section: each way in is code from docs/examples/ that a test runs."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from storycore.tools.project import Project
from storycore.tools.structure import load_shots

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"


def _lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if line.strip()]


def _example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_embedding_block_of_the_readme_is_a_tested_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Embedding") :]
    section = section[: section.index("\n## ")]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 4  # the Python API, a subgraph, tools in a host agent, MCP
    sources = [_lines(p.read_text(encoding="utf-8")) for p in EXAMPLES.glob("*.py")]
    for block in blocks:
        wanted = [line for line in _lines(block) if not line.startswith("# ...")]
        found = any(
            source[i : i + len(wanted)] == wanted
            for source in sources
            for i in range(len(source) - len(wanted) + 1)
        )
        assert found, f"README block not in docs/examples/: {block[:80]!r}"


def test_the_python_api_example_plans_to_the_first_question(tmp_path: Path) -> None:
    example = _example("python_api")
    question = example.plan_until_first_question(ROOT / "examples" / "ad_brief.md", tmp_path / "ad")
    assert question["kind"] == "confirm_brief"
    assert {"approve", "reject"} <= set(question["actions"])


def test_the_python_api_example_corrects_a_shot(film: Path) -> None:
    example = _example("python_api")
    before = {s.shot_id: s.shot_size for s in load_shots(Project(film))}
    assert before["shot_02"] != "ECU"
    example.correct(film, "make shot 2 an extreme close-up")
    after = {s.shot_id: s.shot_size for s in load_shots(Project(film))}
    assert after["shot_02"] == "ECU"
    assert {k: v for k, v in after.items() if k != "shot_02"} == {
        k: v for k, v in before.items() if k != "shot_02"
    }
