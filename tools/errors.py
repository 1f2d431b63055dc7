"""The typed exceptions of StoryCore.

Every error a user can cause is a :class:`StoryCoreError` whose message is one sentence
saying what was wrong and, where it helps, what to do. The CLI prints the message on one
line of stderr and exits 2; the library lets callers catch the precise type.
"""

from __future__ import annotations


class StoryCoreError(Exception):
    """Base of every error caused by input: a bad value, a bad file, a bad project."""

    exit_code = 2

    def __str__(self) -> str:
        # One line, always: the CLI prints it as is.
        return " ".join(super().__str__().split())


class InvalidInput(StoryCoreError, ValueError):
    """A value given by the user (a CLI argument, a field, a feedback) is not acceptable."""


class TimecodeError(InvalidInput):
    """A timecode, frame rate or duration that does not exist or cannot be parsed."""


class UnsafeName(InvalidInput):
    """A name from user text that cannot be made into a safe folder name."""


class ConfinementError(StoryCoreError):
    """A path would leave the project folder. This is refused, never repaired silently."""


class ProjectError(StoryCoreError):
    """The project on disk is missing, not a StoryCore project, or inconsistent."""


class NotAProject(ProjectError):
    """The folder exists but is not a StoryCore project."""


class ConflictError(StoryCoreError):
    """The change conflicts with the state of the project (a locked item, a duplicate id)."""


class NotFound(StoryCoreError, KeyError):
    """An id (shot, element, segment, model, thread) that the project does not have."""

    def __str__(self) -> str:
        # KeyError.__str__ would quote the message (and StoryCoreError's super() reaches it).
        return " ".join(BaseException.__str__(self).split())


class BriefError(InvalidInput):
    """A brief or screenplay that cannot be read or planned."""


class ModelSelectionError(StoryCoreError):
    """No generative model satisfies the hard constraints of a shot."""


class ModelRegistryError(InvalidInput):
    """A model capability file that is malformed or names an unknown model."""
