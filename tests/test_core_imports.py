"""The deterministic core imports no language-model library, whatever module is loaded."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import importlib, json, pkgutil, sys
import storycore.tools as core
names = sorted(m.name for m in pkgutil.walk_packages(core.__path__, prefix="storycore.tools."))
for name in names:
    importlib.import_module(name)
banned = ("langchain", "langgraph", "openai")
loaded = sorted(m for m in sys.modules if m.split(".")[0].split("_")[0] in banned)
print(json.dumps({"modules": names, "llm": loaded}))
"""


def test_importing_every_core_module_loads_no_llm_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # The walk found the core (a broken walk would pass vacuously).
    assert {"storycore.tools.project", "storycore.tools.catalog"} <= set(report["modules"])
    assert len(report["modules"]) >= 20
    assert report["llm"] == [], f"the core loaded {report['llm']}"
