"""``python -m storycore``: the ``storycore`` command.

This folder installs as the top of the ``storycore`` namespace (setup.py maps it), holding
only this file, so ``storycore`` stays a namespace package over ``agent/``, ``tools/`` and
``prompts/``.
"""

from storycore.agent.cli.main import entry_point

if __name__ == "__main__":
    entry_point()
