"""Plain text and flag parameters read without pydantic (storycore.agent.cli.params): a
command receives exactly what Typer's own checks give it, for every kind of parameter."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from storycore.agent.cli.params import plain_params


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def _app(seen: dict[str, Any]) -> typer.Typer:
    app = typer.Typer(context_settings={"help_option_names": ["-h", "--help"]})

    @app.command()
    def run(
        name: str = typer.Argument(...),
        title: str | None = typer.Option(None, "--title"),
        count: int = typer.Option(3, "--count"),
        ratio: float = typer.Option(1.5, "--ratio", min=0),
        where: Path = typer.Option(Path("."), "--where"),
        colour: Colour = typer.Option(Colour.RED, "--colour"),
        loud: bool = typer.Option(False, "--loud"),
        drop: bool | None = typer.Option(None, "--drop/--no-drop"),
        tags: list[str] = typer.Option([], "--tag"),
    ) -> None:
        seen.update(
            name=name,
            title=title,
            count=count,
            ratio=ratio,
            where=where,
            colour=colour,
            loud=loud,
            drop=drop,
            tags=tags,
        )

    @app.command()
    def other() -> None:
        seen["other"] = True

    return app


@pytest.mark.parametrize(
    "args",
    [
        ["run", "x"],
        [
            "run",
            "été",
            "--title",
            "Le film",
            "--count",
            "7",
            "--ratio",
            "2.25",
            "--where",
            "a/b",
            "--colour",
            "blue",
            "--loud",
            "--drop",
            "--tag",
            "a",
            "--tag",
            "b",
        ],
        ["run", "x", "--no-drop", "--title", ""],
    ],
)
def test_values_are_the_ones_typer_gives(args: list[str]) -> None:
    typer_own: dict[str, Any] = {}
    typer.main.get_command(_app(typer_own))(args=args, standalone_mode=False)
    light: dict[str, Any] = {}
    plain_params(typer.main.get_command(_app(light)))(args=args, standalone_mode=False)
    assert light == typer_own and light


def _refusal(command: Any, args: list[str]) -> str:
    with pytest.raises(typer.BadParameter) as refused:
        command(args=args, standalone_mode=False)
    return refused.value.format_message()


@pytest.mark.parametrize(
    "args", [["run", "x", "--count", "many"], ["run"], ["run", "x", "--colour", "green"]]
)
def test_bad_values_are_refused_as_typer_refuses_them(args: list[str]) -> None:
    typer_own = typer.main.get_command(_app({}))
    light = plain_params(typer.main.get_command(_app({})))
    assert _refusal(light, args) == _refusal(typer_own, args)


def test_help_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    command = plain_params(typer.main.get_command(_app({})))
    command(args=["run", "-h"], standalone_mode=False)
    assert "--count" in capsys.readouterr().out
