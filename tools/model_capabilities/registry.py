"""The registry itself: :class:`ModelRegistry`, the models by id, name or alias.

:meth:`ModelRegistry.load` builds it from the models files (read by
:mod:`storycore.tools.model_capabilities.loading`); its queries find a model by id, name
or alias (with a "did you mean"), list the models of a kind and the upscalers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from storycore.tools.errors import ModelRegistryError, NotFound
from storycore.tools.model_capabilities.capability import ModelCapability
from storycore.tools.model_capabilities.loading import REGISTRY_SCHEMA_VERSION, load_entries
from storycore.tools.model_capabilities.vocabulary import parse_kind


def _lookup_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


class ModelRegistry:
    """The models StoryCore knows, by id: the shipped file plus the user's overrides."""

    def __init__(
        self,
        models: Iterable[ModelCapability],
        *,
        schema_version: int = REGISTRY_SCHEMA_VERSION,
        data_date: str = "",
        files: Iterable[str] = (),
    ) -> None:
        self._models: dict[str, ModelCapability] = {}
        for model in models:
            if model.id in self._models:
                raise ModelRegistryError(f"model {model.id!r} is listed twice")
            self._models[model.id] = model
        self.schema_version = schema_version
        self.data_date = data_date
        #: The files merged into this registry, shipped file first.
        self.files: list[str] = list(files)
        # Ids first, then names, then aliases: an id always wins over another model's alias.
        self._lookup: dict[str, str] = {}
        for pick in (lambda m: [m.id], lambda m: [m.name], lambda m: m.aliases):
            for model in self._models.values():
                for text in pick(model):
                    self._lookup.setdefault(_lookup_key(text), model.id)

    # ---------------------------------------------------------------- loading

    @classmethod
    def load(cls, project_dir: Path | None = None, user_file: Path | None = None) -> ModelRegistry:
        """The shipped models merged with the user file and the project's ``models.yaml``.

        ``user_file`` defaults to
        :func:`~storycore.tools.model_capabilities.loading.default_user_file` and is skipped
        when absent; an explicit ``user_file`` that does not exist is an error.
        """
        loaded = load_entries(project_dir, user_file)
        models = [ModelCapability.model_validate(entry) for entry in loaded.entries.values()]
        return cls(
            models,
            schema_version=loaded.schema_version,
            data_date=loaded.data_date,
            files=loaded.files,
        )

    # ---------------------------------------------------------------- queries

    def get(self, model_id: str) -> ModelCapability:
        """The model ``model_id`` (or a unique name or alias: "Sora-2", "Kling").

        Raises :class:`NotFound` with the closest id as a suggestion.
        """
        resolved = self._lookup.get(_lookup_key(model_id)) if model_id else None
        if resolved is None:
            raise NotFound(self.unknown_message(model_id))
        return self._models[resolved]

    def unknown_message(self, model_id: str) -> str:
        """The sentence for an unknown model id, with a "did you mean" when one is close."""
        suggestion = self.suggest(model_id)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        return f"unknown model {model_id!r}{hint} (`storycore models list` shows every id)"

    def suggest(self, text: str) -> str | None:
        """The id closest to ``text`` (spelling, name or alias), or None."""
        key = _lookup_key(text)
        if not key:
            return None
        close = difflib.get_close_matches(key, list(self._lookup), n=1, cutoff=0.6)
        if close:
            return self._lookup[close[0]]
        if len(key) >= 3:
            for known, model_id in self._lookup.items():
                if known.startswith(key) or key.startswith(known):
                    return model_id
        return None

    def models(self, kind: str | None = None, local_only: bool = False) -> list[ModelCapability]:
        """The models, in file order, optionally of one kind and only those running locally.

        Asked for a kind, only the models that make shots of it: upscalers (a step after a
        video model, never a shot's model) are listed by :meth:`upscalers`; without a kind,
        every model, upscalers included."""
        wanted = parse_kind(kind) if kind is not None else None
        return [
            m
            for m in self._models.values()
            if (wanted is None or (wanted in m.kinds and not m.is_upscaler))
            and (m.local or not local_only)
        ]

    def upscalers(self, local_only: bool = False) -> list[ModelCapability]:
        """The video upscalers (``upscale_factor``), in file order."""
        return [m for m in self._models.values() if m.is_upscaler and (m.local or not local_only)]

    def ids(self) -> list[str]:
        """Every model id, in file order."""
        return list(self._models)

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and model_id in self._models

    def __iter__(self) -> Iterator[ModelCapability]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)
