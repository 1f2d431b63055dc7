"""``storycore schema NAME``: the JSON Schema of a domain model."""

from __future__ import annotations

import typer

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput

#: The names of SCHEMA_MODELS, for the help text only: importing the domain (pydantic models)
#: here would slow ``storycore --help`` down; tests/test_perf.py checks it against the domain.
SCHEMA_NAMES = (
    "TechnicalSpecs",
    "CreativeBrief",
    "Scene",
    "ShotSpec",
    "Segment",
    "AssetMetadata",
    "ProjectManifest",
)


def schema(
    name: str = typer.Argument(..., help=f"One of: {', '.join(SCHEMA_NAMES)}."),
) -> None:
    """Print the JSON Schema of a domain model (ShotSpec, Segment, AssetMetadata...)."""
    from storycore.tools.domain import SCHEMA_MODELS

    lookup = {key.lower(): model for key, model in SCHEMA_MODELS.items()}
    model = lookup.get(name.lower().replace("_", "").replace("-", ""))
    if model is None:
        raise InvalidInput(f"unknown model {name!r}; use one of {', '.join(SCHEMA_MODELS)}")
    ui.emit_json(model.model_json_schema())


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
