"""``storycore elements ...``: the element registry of a project (characters, locations,
props, wardrobe, vehicles, styles, audio) with versions, status and reference images.

ELEMENT is an id (``char_gaby``) or a name or alias, matched ignoring case and accents.
Every refusal (not a project, unknown element, locked element, bad ``--attr``, missing image)
prints one line on stderr, exits 2 and leaves the project unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput, StoryCoreError

if TYPE_CHECKING:
    from storycore.tools.domain import AssetMetadata
    from storycore.tools.i18n import Messages
    from storycore.tools.registry import AssetRegistry

elements_app = typer.Typer(
    name="elements",
    help="The element registry: characters, locations, props... with versions and locks.",
    add_completion=False,
    rich_markup_mode=None,
)

_DIR = typer.Argument(..., metavar="DIR", help="The project folder.", show_default=False)
_ELEMENT = typer.Argument(
    ..., metavar="ELEMENT", help="An element id (char_gaby) or name (Gaby).", show_default=False
)
_JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")
_ATTR = typer.Option(
    None,
    "--attr",
    metavar="KEY=VALUE",
    help="A named attribute (hair=blonde curly); repeat it. An empty value removes the key.",
    show_default=False,
)


@elements_app.callback(invoke_without_command=True)
def _elements_group(ctx: typer.Context) -> None:
    """The element registry: characters, locations, props... with versions and locks."""
    if ctx.invoked_subcommand is None:
        ui.out.print(ctx.get_help(), markup=False, highlight=False)


def _registry(folder: Path) -> AssetRegistry:
    from storycore.tools.project import Project
    from storycore.tools.registry import AssetRegistry

    return AssetRegistry(Project.open(folder))


def _messages(registry: AssetRegistry) -> Messages:
    """The messages in the display language: ``--language``, else the project's answer
    language (``--json`` stays English: it never reads them)."""
    from storycore.tools.i18n import Messages, display_language

    return Messages(display_language(registry.project.manifest.technical_specs.language))


def _known(key: str, fallback: str, m: Messages, /, **values: Any) -> str:
    """The message ``key`` if the catalogs have it, else ``fallback`` as it is."""
    from storycore.tools.i18n import catalog

    return m(key, **values) if key in catalog("en") else fallback


def _type(value: str, m: Messages) -> str:
    """An element type (``character``) in the messages' language (``personnage``)."""
    return _known(f"elements_cli.type.{value}", value, m)


def _status(value: str, m: Messages) -> str:
    """An element status (``draft``, ``locked``) in the messages' language; draft and
    approved are the shots' words too (``cli.shot_status``)."""
    return _known(f"elements_cli.status.{value}", _known(f"cli.shot_status.{value}", value, m), m)


def _columns(m: Messages, *names: str) -> list[str]:
    return [m("cli.status.value") if n == "value" else m(f"elements_cli.column.{n}") for n in names]


#: The notes the registry writes itself (versions' ``note``), shown in the messages' language.
_NOTES = {
    "created": "created",
    "updated": "updated",
    "added again": "added_again",
    "registered without metadata": "registered",
}
_RESTORED_NOTE = re.compile(r"restored version (\d+)")
_IMAGE_NOTE = re.compile(r"reference image (.+)", re.DOTALL)


def _note(note: str, m: Messages) -> str:
    if note in _NOTES:
        return m(f"elements_cli.note.{_NOTES[note]}")
    if found := _RESTORED_NOTE.fullmatch(note):
        return m("elements_cli.note.restored", version=found.group(1))
    if found := _IMAGE_NOTE.fullmatch(note):
        return m("elements_cli.note.reference_image", path=found.group(1))
    return note


def parse_attributes(pairs: list[str] | None) -> dict[str, str]:
    """``["hair=blonde curly", "eyes=green"]`` as a dict; refuses an item without ``=``."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--attr takes KEY=VALUE (like hair=blonde curly), not {pair!r}")
        out[key.strip()] = value.strip()
    return out


def _summary(element: AssetMetadata) -> dict[str, Any]:
    return {
        "element_id": element.element_id,
        "type": element.type.value,
        "name": element.name,
        "status": element.status.value,
        "version": element.current_version,
        "shots": len(element.shots),
    }


def _print_element(element: AssetMetadata, registry: AssetRegistry) -> None:
    out = ui.out
    m = _messages(registry)
    kind = m(
        "elements_cli.show.kind",
        type=_type(element.type.value, m),
        status=_status(element.status.value, m),
        version=element.current_version,
    )
    out.print(f"[bold]{escape(element.name)}[/]  {element.element_id}  {kind}")
    if element.aliases:
        out.print(m("elements_cli.show.aliases", aliases=escape(", ".join(element.aliases))))
    description = escape(element.canonical_description) or m("elements_cli.show.no_description")
    out.print(m("elements_cli.show.description", text=description))
    if element.attributes:
        out.print(
            ui.table(
                None,
                _columns(m, "attribute", "value"),
                [(escape(k), escape(v)) for k, v in element.attributes.items()],
            )
        )
    for ref in element.reference_images:
        out.print(
            m(
                "elements_cli.show.reference",
                role=escape(ref.role),
                path=escape(ref.path),
                sha256=ref.sha256[:12],
            )
        )
    if element.derived_from:
        out.print(m("elements_cli.show.variant_of", element_id=element.derived_from))
    variants = registry.variants_of(element.element_id)
    if variants:
        out.print(m("elements_cli.show.variants", ids=", ".join(v.element_id for v in variants)))
    shots = ", ".join(element.shots) if element.shots else m("elements_cli.show.no_shots")
    out.print(m("elements_cli.show.shots", ids=shots))


def _done(
    element: AssetMetadata,
    as_json: bool,
    registry: AssetRegistry,
    done: str,
    **values: Any,
) -> None:
    """The one line saying what happened (``elements_cli.done.<done>``), or the element as
    JSON."""
    if as_json:
        ui.emit_json(element.model_dump(mode="json"))
        return
    m = _messages(registry)
    ui.out.print(
        m(
            f"elements_cli.done.{done}",
            element=f"{element.element_id} ({escape(element.name)})",
            version=element.current_version,
            status=_status(element.status.value, m),
            **values,
        )
    )


@elements_app.command("list")
def list_elements(
    folder: Path = _DIR,
    type_: str | None = typer.Option(None, "--type", help="Only this type (character, prop...)."),
    as_json: bool = _JSON,
) -> None:
    """List the project's elements."""
    registry = _registry(folder)
    elements = registry.list(type_)
    if as_json:
        ui.emit_json([_summary(e) for e in elements])
        return
    m = _messages(registry)
    rows = [
        (
            e.element_id,
            _type(e.type.value, m),
            escape(e.name),
            _status(e.status.value, m),
            e.current_version,
            len(e.shots),
        )
        for e in elements
    ]
    columns = _columns(m, "id", "type", "name", "status", "version", "shots")
    ui.out.print(
        ui.table(
            None,
            columns,
            rows,
            justify={columns[4]: "right", columns[5]: "right"},
        )
    )


@elements_app.command("show")
def show(folder: Path = _DIR, element: str = _ELEMENT, as_json: bool = _JSON) -> None:
    """Show one element: description, attributes, references, shots, variants."""
    registry = _registry(folder)
    found = registry.resolve(element)
    if as_json:
        ui.emit_json(found.model_dump(mode="json"))
    else:
        _print_element(found, registry)


@elements_app.command("add")
def add(
    folder: Path = _DIR,
    type_: str = typer.Option(..., "--type", help="character, location, prop, wardrobe..."),
    name: str = typer.Option(..., "--name", help="The element's name.", show_default=False),
    description: str = typer.Option(
        "", "--description", help="The canonical description every prompt must say."
    ),
    attr: list[str] | None = _ATTR,
    alias: list[str] | None = typer.Option(
        None, "--alias", help="Another spelling of the name; repeat it.", show_default=False
    ),
    derived_from: str | None = typer.Option(
        None, "--derived-from", help="The element this one is a variant of (an id or name)."
    ),
    as_json: bool = _JSON,
) -> None:
    """Add an element (its folder, element.json and reference card)."""
    attributes = parse_attributes(attr)
    registry = _registry(folder)
    parent = registry.resolve(derived_from).element_id if derived_from else None
    before = _existing(registry, type_, name)
    element = registry.add(
        type_,
        name,
        canonical_description=description,
        attributes=attributes,
        aliases=alias,
        derived_from=parent,
    )
    if before is None or before.element_id != element.element_id:
        _done(element, as_json, registry, "added")
    elif element.current_version == before.current_version:
        _done(element, as_json, registry, "exists")
    else:
        # Adding a name that exists updates it: say so, and show what she looks like now.
        _done(element, as_json, registry, "updated_existing", was=before.current_version)
        if not as_json:
            _print_element(element, registry)


def _existing(registry: Any, type_: str, name: str) -> AssetMetadata | None:
    """The element that ``elements add`` with this type and name would update, if any."""
    try:
        found = registry.find(name, type=type_)
    except StoryCoreError:
        return None
    return found


@elements_app.command("update")
def update(
    folder: Path = _DIR,
    element: str = _ELEMENT,
    description: str | None = typer.Option(
        None, "--description", help="A new canonical description."
    ),
    name: str | None = typer.Option(
        None, "--name", help="A new name (the old one stays an alias)."
    ),
    attr: list[str] | None = _ATTR,
    note: str = typer.Option("", "--note", help="Why it changed (kept with the version)."),
    force: bool = typer.Option(
        False, "--force", help="Change an approved element (it returns to draft)."
    ),
    as_json: bool = _JSON,
) -> None:
    """Change an element; a real change makes a new version."""
    attributes = parse_attributes(attr)
    registry = _registry(folder)
    found = registry.resolve(element)
    updated = registry.update(
        found.element_id,
        name=name,
        canonical_description=description,
        attributes=attributes or None,
        note=note,
        force=force,
    )
    done = "updated" if updated.current_version != found.current_version else "unchanged"
    _done(updated, as_json, registry, done)


@elements_app.command("versions")
def versions(folder: Path = _DIR, element: str = _ELEMENT, as_json: bool = _JSON) -> None:
    """List an element's versions, oldest first (* marks the current one)."""
    registry = _registry(folder)
    found = registry.resolve(element)
    if as_json:
        ui.emit_json(
            {
                "element_id": found.element_id,
                "current_version": found.current_version,
                "versions": [v.model_dump(mode="json") for v in found.versions],
            }
        )
        return
    m = _messages(registry)
    rows = [
        (
            f"{'*' if v.version == found.current_version else ''}{v.version}",
            v.content_hash[:12],
            v.created_at,
            escape(_note(v.note, m)),
        )
        for v in found.versions
    ]
    columns = _columns(m, "version", "hash", "created", "note")
    ui.out.print(
        ui.table(
            f"{found.element_id} ({escape(found.name)})",
            columns,
            rows,
            justify={columns[0]: "right"},
        )
    )


@elements_app.command("restore")
def restore(
    folder: Path = _DIR,
    element: str = _ELEMENT,
    version: int = typer.Argument(..., metavar="VERSION", help="The version to bring back."),
) -> None:
    """Make a new version with the content of an earlier one (history is kept)."""
    registry = _registry(folder)
    found = registry.resolve(element)
    restored = registry.restore(found.element_id, version)
    _done(restored, False, registry, "restored", restored=version)


def _status_command(action: str, help_text: str) -> None:
    def command(folder: Path = _DIR, element: str = _ELEMENT) -> None:
        registry = _registry(folder)
        found = registry.resolve(element)
        changed = getattr(registry, action)(found.element_id)
        m = _messages(registry)
        ui.out.print(
            m(
                "elements_cli.status_changed",
                element_id=found.element_id,
                status=_status(changed.status.value, m),
            )
        )

    command.__doc__ = help_text
    elements_app.command(action)(command)


_status_command("lock", "Lock an element: its content cannot change until it is unlocked.")
_status_command("unlock", "Unlock a locked element (back to draft).")
_status_command("approve", "Approve an element's current version.")


@elements_app.command("add-image")
def add_image(
    folder: Path = _DIR,
    element: str = _ELEMENT,
    image: Path = typer.Argument(..., metavar="IMAGE", help="The image file to copy in."),
    role: str = typer.Option("reference", "--role", help="front, profile, costume..."),
    force: bool = typer.Option(False, "--force", help="Change an approved element."),
) -> None:
    """Copy a reference image into the element's references/ folder (a new version)."""
    registry = _registry(folder)
    found = registry.resolve(element)
    updated = registry.add_reference_image(found.element_id, image, role, force=force)
    m = _messages(registry)
    if updated.current_version == found.current_version:
        ui.out.print(m("elements_cli.image.already", element_id=found.element_id))
        return
    ref = updated.reference_images[-1]
    ui.out.print(
        m(
            "elements_cli.image.copied",
            path=escape(ref.path),
            sha256=ref.sha256[:12],
            element_id=found.element_id,
            version=updated.current_version,
        )
    )


def register(app: typer.Typer) -> None:
    """Add the ``elements`` group to the ``storycore`` command."""
    app.add_typer(elements_app, name="elements")
