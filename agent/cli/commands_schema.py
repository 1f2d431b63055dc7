"""``storycore schema NAME``: the JSON Schema of a domain model."""

from __future__ import annotations

import typer

from storycore.agent.cli import ui
from storycore.tools.domain import SCHEMA_MODELS
from storycore.tools.errors import InvalidInput


def schema(
    name: str = typer.Argument(..., help=f"One of: {', '.join(SCHEMA_MODELS)}."),
) -> None:
    """Print the JSON Schema of a domain model (ShotSpec, Segment, AssetMetadata...)."""
    lookup = {key.lower(): model for key, model in SCHEMA_MODELS.items()}
    model = lookup.get(name.lower().replace("_", "").replace("-", ""))
    if model is None:
        raise InvalidInput(f"unknown model {name!r}; use one of {', '.join(SCHEMA_MODELS)}")
    ui.emit_json(model.model_json_schema())


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
