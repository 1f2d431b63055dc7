"""``storycore models``: the generative models StoryCore knows, and the choice of one per shot.

``models list`` prints the capability registry (the shipped data merged with the user's and
the project's ``models.yaml``); ``models show ID`` one model; ``models select`` runs the
model selector for one shot. The work is :mod:`storycore.tools.model_registry` and
:mod:`storycore.tools.model_selector`; the scoring is documented in docs/model-selection.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput

if TYPE_CHECKING:
    from storycore.tools.model_registry import ModelCapability, ModelRegistry
    from storycore.tools.model_selector import Selection, SelectionRequest

#: The scene types, for the help text only: importing the domain (pydantic models) here would
#: slow ``storycore --help`` down; tests/test_perf.py checks this list against SceneType.
SCENE_TYPE_NAMES = (
    "atmospheric",
    "dialogue",
    "performance",
    "action",
    "establishing",
    "close_up",
    "transition",
    "insert",
)

models_app = typer.Typer(
    name="models",
    help="Generative models: list their capabilities, choose one for a shot.",
    add_completion=False,
    rich_markup_mode=None,
)

_PROJECT_HELP = "A project folder whose models.yaml adds to or overrides the registry."


@models_app.callback(invoke_without_command=True)
def _models_group(ctx: typer.Context) -> None:
    """Generative models: list their capabilities, choose one for a shot."""
    # Help on stdout with exit 0, like `storycore` alone (no_args_is_help exits 2 here).
    if ctx.invoked_subcommand is None:
        ui.out.print(ctx.get_help(), markup=False, highlight=False)


def _split_values(values: list[str] | None) -> list[str]:
    """Repeatable options also accept commas: --avoid a --avoid b, or --avoid a,b."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _clip_text(model: ModelCapability) -> str:
    limit = model.clip_limit_seconds
    if limit is None:
        return ""
    return f"{float(limit):g} s"


def _keep_whole(table: Table, column: int, ids: list[str]) -> None:
    """Model ids are what the user copies into --avoid/--prefer: never wrap or cut them."""
    table.columns[column].no_wrap = True
    table.columns[column].min_width = max((len(i) for i in ids), default=0)


def _largest(resolutions: list[str]) -> str:
    from storycore.tools.domain import parse_resolution

    sizes = [parse_resolution(r) for r in resolutions]
    return str(max(sizes, key=lambda r: r.width * r.height)) if sizes else ""


def _cost_text(model: ModelCapability) -> str:
    if model.local:
        return "local"
    if model.cost_usd_per_image is not None:
        return f"${model.cost_usd_per_image:g}/image"
    return f"${model.cost_usd_per_second:g}/s"


@models_app.command("list")
def list_models(
    kind: str | None = typer.Option(None, "--kind", help="image, video, voice or music."),
    local_only: bool = typer.Option(False, "--local-only", help="Only models run locally."),
    project: Path | None = typer.Option(None, "--project", help=_PROJECT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of models."),
) -> None:
    """List the models StoryCore knows, with their limits, VRAM and approximate cost."""
    from storycore.tools.model_registry import ModelRegistry, parse_kind

    if kind is not None:
        parse_kind(kind)  # a clear error before loading anything
    registry = ModelRegistry.load(project_dir=project)
    models = registry.models(kind=kind, local_only=local_only)
    if as_json:
        ui.emit_json([m.model_dump(mode="json") for m in models])
        return
    rows = [
        (
            m.id,
            escape(m.name),
            ", ".join(mode.value for mode in m.modes),
            _clip_text(m),
            m.native_fps or "",
            _largest(m.resolutions),
            f"{m.vram_gb:g} GB" if m.vram_gb is not None else "",
            _cost_text(m),
        )
        for m in models
    ]
    title = f"{len(models)} models (approx. figures of {registry.data_date}; --json for all fields)"
    columns = ["id", "name", "modes", "max clip", "fps", "max size", "VRAM", "cost"]
    table = ui.table(
        title, columns, rows, justify={"max clip": "right", "VRAM": "right", "cost": "right"}
    )
    _keep_whole(table, 0, registry.ids())
    ui.out.print(table)
    if len(registry.files) > 1:
        ui.out.print(f"overrides: {', '.join(registry.files[1:])}", markup=False)


@models_app.command("show")
def show_model(
    model_id: str = typer.Argument(..., metavar="ID", help="A model id (or its name)."),
    project: Path | None = typer.Option(None, "--project", help=_PROJECT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the model as JSON."),
) -> None:
    """Show everything the registry says about one model."""
    from storycore.tools.model_registry import ModelRegistry

    model = ModelRegistry.load(project_dir=project).get(model_id)
    data = model.model_dump(mode="json")
    if as_json:
        ui.emit_json(data)
        return
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v:g}" for k, v in value.items())
        rows.append((key, escape(str(value))))
    ui.out.print(ui.table(escape(f"{model.name} ({model.id})"), ["field", "value"], rows))


@models_app.command("select")
def select_model(
    scene_type: str = typer.Option(
        ...,
        "--scene-type",
        help=f"One of: {', '.join(SCENE_TYPE_NAMES)}.",
        show_default=False,
    ),
    duration: float = typer.Option(
        ..., "--duration", help="Shot length in seconds.", show_default=False
    ),
    resolution: str | None = typer.Option(
        None, "--resolution", help="Native output size the model must reach: WxH or 720p."
    ),
    target_resolution: str | None = typer.Option(
        None,
        "--target-resolution",
        help="Delivery size (the project's, as `plan` asks): a model below it gets an "
        "upscale step, costed and ranked lower.",
    ),
    aspect: str | None = typer.Option(None, "--aspect", help="Aspect ratio: 16:9, 9:16, 1:1..."),
    local_only: bool = typer.Option(False, "--local-only", help="Refuse cloud models."),
    vram: float | None = typer.Option(None, "--vram", help="GPU memory available, in GB."),
    avoid: list[str] | None = typer.Option(
        None, "--avoid", help="A model never to use (repeatable)."
    ),
    prefer: list[str] | None = typer.Option(
        None, "--prefer", help="A model to favour (repeatable, first is favoured most)."
    ),
    requires: list[str] | None = typer.Option(
        None,
        "--requires",
        help="A capability the shot needs: lip_sync, i2v, native_audio, flf2v... (repeatable).",
    ),
    budget: float | None = typer.Option(None, "--budget", help="Most this shot may cost, USD."),
    segment_model: str | None = typer.Option(
        None, "--segment-model", help="The model already used in this shot's segment."
    ),
    kind: str = typer.Option("video", "--kind", help="image, video, voice or music."),
    project: Path | None = typer.Option(None, "--project", help=_PROJECT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the selection as JSON."),
) -> None:
    """Choose the model for one shot: hard constraints, then a score, then fallbacks."""
    from storycore.tools.model_registry import ModelRegistry
    from storycore.tools.model_selector import ModelSelector

    request = _selection_request(
        scene_type=scene_type,
        duration=duration,
        resolution=resolution,
        target_resolution=target_resolution,
        aspect=aspect,
        local_only=local_only,
        vram=vram,
        budget=budget,
        avoid=avoid,
        prefer=prefer,
        requires=requires,
        segment_model=segment_model,
        kind=kind,
    )
    registry = ModelRegistry.load(project_dir=project)
    selection = ModelSelector(registry).select(request)
    if as_json:
        ui.emit_json(selection.model_dump(mode="json"))
        return
    _print_selection(selection, request, registry)


def _selection_request(
    *,
    scene_type: str,
    duration: float,
    resolution: str | None,
    target_resolution: str | None,
    aspect: str | None,
    local_only: bool,
    vram: float | None,
    budget: float | None,
    avoid: list[str] | None,
    prefer: list[str] | None,
    requires: list[str] | None,
    segment_model: str | None,
    kind: str,
) -> SelectionRequest:
    """The options as a ``SelectionRequest``, each checked so the message names its option."""
    from storycore.tools.domain import SceneType, parse_aspect_ratio, parse_resolution
    from storycore.tools.model_registry import parse_kind
    from storycore.tools.model_selector import SelectionRequest

    if not duration > 0:
        raise InvalidInput(f"--duration must be greater than 0 seconds, not {duration:g}")
    if vram is not None and not vram > 0:
        raise InvalidInput(f"--vram must be greater than 0 GB, not {vram:g}")
    if budget is not None and budget < 0:
        raise InvalidInput(f"--budget must be 0 or more, not {budget:g}")
    try:
        scene = SceneType.parse(scene_type)
    except ValueError as exc:
        raise InvalidInput(f"--scene-type: {exc}") from None
    size = _parsed("--resolution", resolution, parse_resolution)
    target = _parsed("--target-resolution", target_resolution, parse_resolution)
    ratio = _parsed("--aspect", aspect, parse_aspect_ratio)
    return SelectionRequest.from_input(
        scene_type=scene,
        duration_seconds=duration,
        resolution=size,
        target_resolution=target,
        aspect_ratio=ratio,
        local_only=local_only,
        vram_gb=vram,
        budget_usd=budget,
        avoid=_split_values(avoid),
        prefer=_split_values(prefer),
        requires=_split_values(requires),
        segment_model=segment_model,
        kind=parse_kind(kind),
    )


def _parsed(option: str, value: str | None, parse: Callable[[str], Any]) -> Any:
    """``parse(value)``, or None for an option not given; a bad value names ``option``."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def _print_selection(
    selection: Selection, request: SelectionRequest, registry: ModelRegistry
) -> None:
    """The chosen model, its clips, upscale and cost, then the candidates and the rejected."""
    from storycore.tools.model_registry import Kind
    from storycore.tools.model_selector import SPLIT_PENALTY

    chosen = registry.get(selection.model_id)
    ui.out.print(f"[bold]{escape(chosen.name)}[/] ({chosen.id})", highlight=False)
    ui.out.print(selection.reason, markup=False, highlight=False)
    if request.kind is Kind.IMAGE:
        clips = "one image"
    elif selection.split == 1:
        clips = "1 clip (fits)"
    else:
        clips = f"{selection.split} clips of {selection.clip_seconds:g} s (split the shot)"
    ui.out.print(f"clips: {clips}", markup=False, highlight=False)
    if selection.upscaler:
        ui.out.print(
            f"upscale: {selection.upscale_from} -> {selection.upscale_to} with "
            f"{selection.upscaler} (included in the cost)",
            markup=False,
            highlight=False,
        )
    ui.out.print(f"estimated cost: ${selection.estimated_cost_usd:.2f}", markup=False)
    rows = [
        (
            rank,
            c.model_id,
            f"{c.score:.3f}",
            f"{c.components['fit']:.3f}",
            f"{c.components['preference'] + c.components['consistency']:.3f}",
            f"{c.components['cost']:.3f}",
            c.split,
            f"${c.estimated_cost_usd:.2f}",
        )
        for rank, c in enumerate(selection.candidates, start=1)
    ]
    candidates = ui.table(
        "Candidates (1 is chosen, the rest are fallbacks in order)",
        ["#", "model", "score", "fit", "bonus", "cost", "clips", "USD"],
        rows,
        justify={c: "right" for c in ("#", "score", "fit", "bonus", "cost", "clips", "USD")},
    )
    _keep_whole(candidates, 1, registry.ids())
    ui.out.print(candidates)
    ui.out.print(
        "score = fit + bonus (preferred, segment model) + cost - "
        f"{SPLIT_PENALTY:g} per extra clip; see docs/model-selection.md",
        markup=False,
        highlight=False,
    )
    if selection.rejected:
        ruled_out = ui.table(
            "Ruled out",
            ["model", "reason"],
            [(m, escape(why)) for m, why in sorted(selection.rejected.items())],
        )
        _keep_whole(ruled_out, 0, registry.ids())
        ui.out.print(ruled_out)


def register(app: typer.Typer) -> None:
    """Add the ``models`` group to the ``storycore`` command."""
    app.add_typer(models_app, name="models")
