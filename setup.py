"""Installs agent/, tools/ and prompts/ as storycore.agent, storycore.tools, storycore.prompts,
and _storycore/ (only ``__main__.py``: ``python -m storycore``) as the top of ``storycore``.

The package list is derived, not written out: an explicit list silently leaves new
subpackages out of the wheel (see stack.md). A test builds the wheel and imports from it.
"""

from setuptools import find_packages, setup

found = find_packages(include=["agent", "agent.*", "tools", "tools.*", "prompts", "prompts.*"])
setup(
    packages=["storycore", *(f"storycore.{name}" for name in found)],
    package_dir={
        "storycore": "_storycore",
        **{f"storycore.{name}": name.replace(".", "/") for name in found},
    },
)
