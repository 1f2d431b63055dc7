"""Reading models files: the shipped ``models.yaml``, the user's and the project's.

:func:`load_entries` finds the files in their order (shipped, user, project), checks each
document's top level (:func:`_parse_document`), and merges the entries by id
(:func:`_merge_entries`, :func:`_overlay`: a partial override changes only the fields it
gives), validating every result; any problem is a
:class:`~storycore.tools.errors.ModelRegistryError` naming the file, the model and the field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from storycore.tools.errors import InvalidInput, ModelRegistryError
from storycore.tools.model_capabilities.capability import ModelCapability
from storycore.tools.model_capabilities.vocabulary import strength_key

#: The version of the models.yaml format this code reads.
REGISTRY_SCHEMA_VERSION = 1

#: The file name of user and project overrides.
MODELS_FILE_NAME = "models.yaml"

_TOP_LEVEL_KEYS = ("schema_version", "data_date", "models")


def default_user_file() -> Path:
    """Where the user's own models.yaml lives (it need not exist)."""
    config_dir = os.environ.get("STORYCORE_CONFIG_DIR")
    if config_dir:
        return Path(config_dir).expanduser() / MODELS_FILE_NAME
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "storycore" / MODELS_FILE_NAME


def _problem(error: ValidationError) -> str:
    """The first problem of a validation error as ``field: message`` (plus a count)."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item.get("loc", ()))
        message = str(item.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        message = message.replace("Input should be", "must be")
        if item.get("type") == "extra_forbidden":
            message = "unknown field"
        elif item.get("type") == "missing":
            message = "required field is missing"
        problems.append(f"{where}: {message}" if where else message)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return (problems[0] if problems else str(error)) + more


@dataclass
class LoadedEntries:
    """The merged, validated entries of every models file, by id, with the shipped file's
    version and date and the files read (shipped file first)."""

    entries: dict[str, dict[str, Any]]
    schema_version: int
    data_date: str
    files: list[str]


def load_entries(project_dir: Path | None, user_file: Path | None) -> LoadedEntries:
    """The shipped entries merged with the user file's and the project's ``models.yaml``.

    ``user_file`` defaults to :func:`default_user_file` and is skipped when absent; an
    explicit ``user_file`` that does not exist is an error.
    """
    shipped = resources.files("storycore.tools").joinpath("data", MODELS_FILE_NAME)
    label = "storycore/tools/data/models.yaml"
    document = _parse_document(shipped.read_text(encoding="utf-8"), label)
    if "schema_version" not in document:
        raise ModelRegistryError(f"{label}: schema_version: required field is missing")
    raw: dict[str, dict[str, Any]] = {}
    _merge_entries(raw, document, label, shipped=True)
    files = [label]

    for path in _override_files(project_dir, user_file):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelRegistryError(f"{path}: cannot be read ({exc})") from None
        _merge_entries(raw, _parse_document(text, str(path)), str(path), shipped=False)
        files.append(str(path))
    return LoadedEntries(
        entries=raw,
        schema_version=int(document["schema_version"]),
        data_date=str(document.get("data_date", "")),
        files=files,
    )


def _override_files(project_dir: Path | None, user_file: Path | None) -> list[Path]:
    """The user file (when there is one) and the project's ``models.yaml`` (when present)."""
    if user_file is None:
        candidate = default_user_file()
        user_path: Path | None = candidate if candidate.is_file() else None
    else:
        user_path = Path(user_file).expanduser()
        if not user_path.is_file():
            raise ModelRegistryError(f"{user_path}: model file not found")
    overrides: list[Path] = [user_path] if user_path else []
    if project_dir is not None:
        project = Path(project_dir).expanduser()
        if not project.is_dir():
            raise InvalidInput(f"project folder {str(project)!r} does not exist")
        if (project / MODELS_FILE_NAME).is_file():
            overrides.append(project / MODELS_FILE_NAME)
    return overrides


def _load_yaml(text: str) -> Any:
    """``yaml.safe_load`` on libyaml's C parser when PyYAML has it (the same values, about
    ten times faster on the bundled registry); a file it refuses is read again by the pure
    Python parser, whose error (line, column, problem) is the one reported."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def _parse_document(text: str, label: str) -> dict[str, Any]:
    """The top level of a models file, checked: a mapping with a ``models`` list."""
    try:
        document = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ModelRegistryError(f"{label}: not valid YAML{where}: {problem}") from None
    if document is None:
        return {"models": []}
    if not isinstance(document, dict):
        raise ModelRegistryError(f"{label}: must be a mapping with a 'models' list")
    unknown = [str(k) for k in document if k not in _TOP_LEVEL_KEYS]
    if unknown:
        raise ModelRegistryError(
            f"{label}: unknown top-level key {unknown[0]!r} (use {', '.join(_TOP_LEVEL_KEYS)})"
        )
    version = document.get("schema_version", REGISTRY_SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelRegistryError(
            f"{label}: schema_version: must be a whole number, not {version!r}"
        )
    if version > REGISTRY_SCHEMA_VERSION:
        raise ModelRegistryError(
            f"{label}: schema_version {version} is newer than this StoryCore reads "
            f"({REGISTRY_SCHEMA_VERSION}); upgrade storycore-assistant"
        )
    models = document.get("models", [])
    if models is None:
        models = []
    if not isinstance(models, list):
        raise ModelRegistryError(f"{label}: models: must be a list of model entries")
    document["models"] = models
    return document


def _merge_entries(
    raw: dict[str, dict[str, Any]], document: Mapping[str, Any], label: str, *, shipped: bool
) -> None:
    """Merge a file's entries into ``raw`` (validated dicts by id), validating each result."""
    seen: set[str] = set()
    for position, entry in enumerate(document["models"], start=1):
        if not isinstance(entry, dict):
            raise ModelRegistryError(f"{label}: models entry {position}: must be a mapping")
        model_id = entry.get("id")
        if not isinstance(model_id, str) or not model_id.strip():
            raise ModelRegistryError(
                f"{label}: models entry {position}: id: required field is missing"
            )
        if model_id in seen:
            raise ModelRegistryError(f"{label}: model {model_id!r} is listed twice")
        seen.add(model_id)
        base = raw.get(model_id)
        if base is not None and shipped:
            raise ModelRegistryError(f"{label}: model {model_id!r} is listed twice")
        merged = dict(entry) if base is None else _overlay(base, entry, label, model_id)
        try:
            model = ModelCapability.model_validate(merged)
        except ValidationError as exc:
            raise ModelRegistryError(f"{label}: model {model_id!r}: {_problem(exc)}") from None
        raw[model_id] = model.model_dump(mode="json")


def _overlay(
    base: dict[str, Any], entry: dict[str, Any], label: str, model_id: str
) -> dict[str, Any]:
    """A shipped entry changed by a partial override: fields replace, strengths merge by key."""
    merged = dict(base)
    for key, value in entry.items():
        if key == "strengths" and isinstance(value, dict):
            strengths = dict(base.get("strengths") or {})
            for scene, score in value.items():
                try:
                    strengths[strength_key(str(scene))] = score
                except ValueError as exc:
                    raise ModelRegistryError(
                        f"{label}: model {model_id!r}: strengths: {exc}"
                    ) from None
            merged[key] = strengths
        else:
            merged[key] = value
    return merged
