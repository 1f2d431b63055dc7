"""Installs agent/, tools/ and prompts/ as storycore.agent, storycore.tools, storycore.prompts.

The package list is derived, not written out: an explicit list silently leaves new
subpackages out of the wheel (see stack.md). A test builds the wheel and imports from it.
"""

from setuptools import find_packages, setup

found = find_packages(include=["agent", "agent.*", "tools", "tools.*", "prompts", "prompts.*"])
setup(
    packages=[f"storycore.{name}" for name in found],
    package_dir={f"storycore.{name}": name.replace(".", "/") for name in found},
)
