"""What the parser knows about the project while it reads one feedback (:class:`_Reader`),
and the shape of a phrasing rule (:class:`_Rule`: a pattern and its handler).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from storycore.tools.domain import Scene
from storycore.tools.domain.modifications import Modification
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.feedback.references import _SCENE_STOP, resolve_shot_ref
from storycore.tools.feedback.text import _words_key, fold
from storycore.tools.model_registry import Kind, ModelRegistry
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry


@dataclass
class _Reader:
    """What the parser knows about the project while reading one feedback."""

    project: Project
    shot_ids: list[str]
    registry: AssetRegistry
    prompt_language: str
    last_shots: list[str] = field(default_factory=list)
    last_element: str | None = None
    text: str = ""
    _models: ModelRegistry | None = None
    _scenes: list[Scene] | None = None

    @property
    def scenes(self) -> list[Scene]:
        # Read on first use: scenes.json grows with the story, few phrasings name a scene.
        if self._scenes is None:
            from storycore.tools.planner import read_scenes

            self._scenes = read_scenes(self.project)
        return self._scenes

    @property
    def models(self) -> ModelRegistry:
        # Loaded on first use: reading the models file is most of a parse's time.
        if self._models is None:
            self._models = ModelRegistry.load(self.project.root)
        return self._models

    # -- references ----------------------------------------------------------------------

    def shots(self, refs: str) -> list[str]:
        """Shot ids of a captured list of references ("3, 4 and 6", "3-5")."""
        out: list[str] = []
        for part in re.split(r"\s*(?:,|\band\b|\bet\b|&|\+|\bor\b|\bou\b)\s*", refs.strip()):
            part = re.sub(r"^(?:(?:the|le)\s+)?(?:shots?|plans?)[\s_#]*", "", part.strip())
            if not part:
                continue
            bounds = re.split(r"\s*(?:-|\bto\b|\bthrough\b|\bthru\b|\ba\b)\s*", part)
            if len(bounds) == 2:
                first = resolve_shot_ref(bounds[0], self.shot_ids)
                last = resolve_shot_ref(bounds[1], self.shot_ids)
                i, j = self.shot_ids.index(first[0]), self.shot_ids.index(last[-1])
                if j < i:
                    i, j = j, i
                out.extend(self.shot_ids[i : j + 1])
            else:
                out.extend(resolve_shot_ref(part, self.shot_ids))
        ordered = list(dict.fromkeys(out))
        if ordered:
            self.last_shots = ordered
        return ordered

    def shot_group(self, match: re.Match[str], name: str) -> list[str]:
        refs = match.group(name)
        if refs is None:
            refs = match.group(f"{name}_id")
        return self.shots(refs)

    def element(self, original: str) -> str:
        """The id of the element a name names (NotFound, with a suggestion, otherwise)."""
        name = original.strip().strip("\"'")
        name = re.sub(r"^(?:the|le|la|les|l')\s+", "", name, flags=re.IGNORECASE)
        found = self.registry.resolve(name)
        self.last_element = found.element_id
        return found.element_id

    def model(self, text: str, *, strict: bool) -> str | None:
        """The id of the model ``text`` names; with ``strict`` an unknown model is an error,
        otherwise only one close to a known model is (None: not a model at all)."""
        name = text.strip().strip("\"'.")
        name = re.sub(r"^(?:the|le|la|l')\s+", "", name, flags=re.IGNORECASE)
        name = re.sub(r"\s+(?:model|modele|modèle)$", "", name, flags=re.IGNORECASE)
        try:
            model = self.models.get(name)
        except NotFound:
            if strict or (self.models.suggest(name) and len(name.split()) <= 3):
                raise
            return None
        if Kind.VIDEO not in model.kinds:
            kinds = ", ".join(k.value for k in model.kinds)
            raise InvalidInput(
                f"{model.name} is a {kinds} model; shots need a video model "
                "(`storycore models list --kind video`)"
            )
        return model.id

    def mentioned_elements(self, text: str) -> tuple[list[str], str | None, list[str]]:
        """(characters, location, props) a free description names: full names (or
        aliases) of any element, and single significant words of location and prop names
        ("the bridge" -> OLD BRIDGE)."""
        folded = " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "
        elements = self.registry.list()
        spellings: list[tuple[str, str]] = []
        for element in elements:
            for spelling in (element.name, *element.aliases):
                key = _words_key(spelling)
                if key:
                    spellings.append((key, element.element_id))
        spellings.sort(key=lambda item: len(item[0]), reverse=True)
        found: list[str] = []
        for key, element_id in spellings:
            if f" {key} " in folded and element_id not in found:
                found.append(element_id)
                folded = folded.replace(f" {key} ", " ")
        by_id = {e.element_id: e for e in elements}
        words = set(folded.split())
        for element in elements:
            if element.element_id in found or element.type.value not in ("location", "prop"):
                continue
            significant = [
                w for w in _words_key(element.name).split() if len(w) >= 4 and w not in _SCENE_STOP
            ]
            if any(w in words for w in significant):
                found.append(element.element_id)
        characters = [i for i in found if by_id[i].type.value == "character"]
        locations = [i for i in found if by_id[i].type.value == "location"]
        props = [i for i in found if by_id[i].type.value not in ("character", "location")]
        return characters, (locations[0] if len(locations) == 1 else None), props


_Handler = Callable[[_Reader, re.Match[str], str], list[Modification] | None]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: _Handler


def _rule(pattern: str, handler: _Handler) -> _Rule:
    return _Rule(re.compile(pattern), handler)


def _span(match: re.Match[str], original: str, name: str) -> str:
    start, end = match.span(name)
    return original[start:end]


def _seconds(match: re.Match[str], reader: _Reader) -> float:
    number = float(match.group("dur").replace(",", "."))
    unit = match.group("unit")
    if unit.startswith(("f", "i")):
        return float(number / reader.project.manifest.technical_specs.rate)
    return number
