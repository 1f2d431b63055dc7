"""``comfyui.yaml``: where the ComfyUI servers are and how each workflow template is filled.

Merged like ``models.yaml`` (later wins):

1. the shipped file ``tools/data/comfyui.yaml``;
2. the user file ``$STORYCORE_CONFIG_DIR/comfyui.yaml``, else
   ``$XDG_CONFIG_HOME/storycore/comfyui.yaml``, else ``~/.config/storycore/comfyui.yaml``;
3. the project file ``<project>/comfyui.yaml``;
4. ``STORYCORE_COMFYUI_URL`` (comma-separated) replaces ``servers``.

A template entry given again changes only the fields it names (``models`` merges slot by
slot); a relative ``file`` is read from the folder of the YAML file that names it, so a project
replaces a template with its own API-format export by naming it in its ``comfyui.yaml``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from storycore.tools.errors import InvalidInput

__all__ = [
    "COMFYUI_FILE_NAME",
    "ComfyUIConfig",
    "ComfyUIConfigError",
    "TemplateSettings",
    "load_config",
]

COMFYUI_FILE_NAME = "comfyui.yaml"
URL_ENV = "STORYCORE_COMFYUI_URL"
CONFIG_SCHEMA_VERSION = 1
_TOP_KEYS = (
    "schema_version",
    "servers",
    "image_model",
    "keyframe_template",
    "timeouts",
    "poll_interval_s",
    "retries",
    "templates",
)


class ComfyUIConfigError(InvalidInput):
    """A comfyui.yaml that cannot be read, or a value in it that cannot be used."""


class TemplateSettings(BaseModel):
    """How one API-format workflow file is filled in (see tools/data/comfyui.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    file: str  # an absolute path once loaded
    kind: Literal["image", "video"]
    family: str = ""
    size_multiple: int = Field(16, ge=1, le=256)
    length_step: int = Field(4, ge=1, le=64)  # video lengths are length_step * k + 1
    fps: str = "24"
    steps: int | None = Field(None, ge=1, le=500)
    cfg: float | None = Field(None, gt=0, le=100)
    negative: str = ""
    max_frames: int | None = Field(None, ge=1)
    models: dict[str, str] = Field(default_factory=dict)  # slot -> model file name
    notes: str = ""

    @field_validator("fps", mode="before")
    @classmethod
    def _fps(cls, value: Any) -> str:
        return str(value).strip()


class ComfyUIConfig(BaseModel):
    """The merged configuration: servers, timeouts, the image model, the templates by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    servers: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8188"], min_length=1)
    image_model: str = "flux1_dev"
    keyframe_template: str | None = None  # keyframes with the shot's element references
    timeouts: dict[str, float] = Field(default_factory=dict)
    poll_interval_s: float = Field(1.0, gt=0, le=60)
    retries: int = Field(4, ge=1, le=20)
    templates: dict[str, TemplateSettings] = Field(default_factory=dict)
    files: list[str] = Field(default_factory=list)

    def timeout(self, kind: str) -> float:
        """The time limit of one job of ``kind`` ("image" or "video"), in seconds."""
        return float(self.timeouts.get(f"{kind}_s", 600.0 if kind == "image" else 3600.0))

    def template(self, name: str) -> TemplateSettings:
        """The settings of template ``name``; a clear error when none is configured."""
        found = self.templates.get(name)
        if found is None:
            known = ", ".join(sorted(self.templates)) or "none"
            raise ComfyUIConfigError(
                f"no ComfyUI workflow template {name!r} (known: {known}); add it to a "
                "comfyui.yaml with `file:` naming your API-format export (docs/comfyui.md)"
            )
        return found


def default_user_file() -> Path:
    """Where the user's comfyui.yaml lives (it need not exist)."""
    base = os.environ.get("STORYCORE_CONFIG_DIR")
    if base:
        return Path(base).expanduser() / COMFYUI_FILE_NAME
    xdg = os.environ.get("XDG_CONFIG_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return root / "storycore" / COMFYUI_FILE_NAME


def parse_servers(text: str) -> list[str]:
    """Server URLs from a comma-separated list ("host:8188" gets ``http://``)."""
    servers: list[str] = []
    for part in text.split(","):
        url = part.strip().rstrip("/")
        if not url:
            continue
        if "://" not in url:
            url = f"http://{url}"
        if not url.startswith(("http://", "https://")):
            raise ComfyUIConfigError(f"{URL_ENV}: {part.strip()!r} is not an http(s) URL")
        if url not in servers:
            servers.append(url)
    if not servers:
        raise ComfyUIConfigError(f"{URL_ENV}: no server URL given")
    return servers


def _read(path: Path | Any, label: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ComfyUIConfigError(f"{label}: cannot be read ({exc})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ComfyUIConfigError(f"{label}: not valid YAML{where}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ComfyUIConfigError(f"{label}: must be a mapping")
    unknown = [str(k) for k in document if k not in _TOP_KEYS]
    if unknown:
        raise ComfyUIConfigError(
            f"{label}: unknown key {unknown[0]!r} (use {', '.join(_TOP_KEYS)})"
        )
    version = document.get("schema_version", CONFIG_SCHEMA_VERSION)
    if version != CONFIG_SCHEMA_VERSION:
        raise ComfyUIConfigError(f"{label}: schema_version must be {CONFIG_SCHEMA_VERSION}")
    return document


def _merge(
    merged: dict[str, Any], document: Mapping[str, Any], base_dir: Path | None, label: str
) -> None:
    for key, value in document.items():
        if key == "schema_version":
            continue
        if key == "templates":
            if not isinstance(value, dict):
                raise ComfyUIConfigError(f"{label}: templates: must be a mapping by name")
            templates = merged.setdefault("templates", {})
            for name, entry in value.items():
                if not isinstance(entry, dict):
                    raise ComfyUIConfigError(f"{label}: templates.{name}: must be a mapping")
                current = dict(templates.get(name) or {"name": str(name)})
                for field, item in entry.items():
                    if field == "models" and isinstance(item, dict):
                        current["models"] = {**(current.get("models") or {}), **item}
                    elif field == "file" and isinstance(item, str):
                        current["file"] = _resolve(item, base_dir)
                    else:
                        current[field] = item
                current["_source"] = label
                templates[str(name)] = current
        elif key == "timeouts" and isinstance(value, dict):
            merged["timeouts"] = {**merged.get("timeouts", {}), **value}
        elif key == "servers":
            if isinstance(value, str):
                value = parse_servers(value)
            merged["servers"] = value
        else:
            merged[key] = value


def _resolve(file: str, base_dir: Path | None) -> str:
    path = Path(file).expanduser()
    if not path.is_absolute():
        if base_dir is None:
            shipped = resources.files("storycore.tools").joinpath("data", "comfyui", file)
            return str(shipped)
        path = base_dir / path
    return str(path)


def load_config(project_dir: Path | None = None, user_file: Path | None = None) -> ComfyUIConfig:
    """The shipped comfyui.yaml merged with the user's and the project's, then the URL env."""
    shipped = resources.files("storycore.tools").joinpath("data", COMFYUI_FILE_NAME)
    label = "storycore/tools/data/comfyui.yaml"
    merged: dict[str, Any] = {}
    files = [label]
    _merge(merged, _read(shipped, label), None, label)
    candidates: list[Path] = []
    user = Path(user_file).expanduser() if user_file else default_user_file()
    if user.is_file():
        candidates.append(user)
    elif user_file is not None:
        raise ComfyUIConfigError(f"{user}: comfyui.yaml not found")
    if project_dir is not None and (Path(project_dir) / COMFYUI_FILE_NAME).is_file():
        candidates.append(Path(project_dir) / COMFYUI_FILE_NAME)
    for path in candidates:
        _merge(merged, _read(path, str(path)), path.parent.resolve(), str(path))
        files.append(str(path))
    env = os.environ.get(URL_ENV, "").strip()
    if env:
        merged["servers"] = parse_servers(env)
    templates = {}
    for name, entry in (merged.pop("templates", None) or {}).items():
        source = entry.pop("_source", label)
        try:
            templates[name] = TemplateSettings.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise ComfyUIConfigError(
                f"{source}: templates.{name}.{where}: {first.get('msg', 'invalid')}"
            ) from None
    try:
        return ComfyUIConfig.model_validate({**merged, "templates": templates, "files": files})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ComfyUIConfigError(f"comfyui.yaml: {where}: {first.get('msg', 'invalid')}") from None
