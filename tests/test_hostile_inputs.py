"""Hostile inputs to the command line, each run in a subprocess bounded in time and memory.

Every case must end with one error line on stderr and exit 2 (or succeed, where marked), in
under the time limit, within the address-space limit, and without writing anything outside
the folder it was given. Hypothesis adds generated text for the parsers that take user
input directly. Figures are in docs/trust.md.
"""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storycore.tools.errors import StoryCoreError

from .conftest import snapshot, storycore_executable

#: Per case: wall time and address space (the CLI imports LangGraph: about 600 MiB virtual).
TIME_LIMIT_S = 90
MEMORY_LIMIT = 1536 * 1024 * 1024

BILLION_LAUGHS = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "title: *i\n"
    "---\n"
    "A woman walks in the rain.\n"
)
PROSE = "A woman walks along the river in the rain. She meets an old friend under a bridge.\n"


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _storycore(args: list[str], cwd: Path, stdin: bytes | None = None) -> tuple[int, str, str]:
    done = subprocess.run(
        [storycore_executable(), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=TIME_LIMIT_S,
        preexec_fn=_limit,
        check=False,
    )
    return (
        done.returncode,
        done.stdout.decode(errors="replace"),
        done.stderr.decode(errors="replace"),
    )


def _brief_cases(work: Path) -> dict[str, list[str]]:
    os.mkfifo(work / "fifo.md")
    (work / "laughs.md").write_text(BILLION_LAUGHS)
    (work / "duration.md").write_text(f"---\nduration: {'9' * 400}\n---\n{PROSE}")
    scenes = "".join(f"\nINT. ROOM {i} - DAY\n\nShe waits.\n" for i in range(1, 1101))
    (work / "many.fountain").write_text(f"Title: Many\n{scenes}")
    return {
        "/dev/zero as the brief": ["plan", "/dev/zero", "--out", "out", "--yes"],
        "a FIFO as the brief": ["plan", "fifo.md", "--out", "out", "--yes"],
        "billion laughs front matter": ["plan", "laughs.md", "--out", "out", "--yes"],
        "a 400-digit duration": ["plan", "duration.md", "--out", "out", "--yes"],
        "1100 scenes": ["plan", "many.fountain", "--out", "out", "--yes"],
        "a 5000-digit timecode": ["timecode", "convert", "9" * 5000, "--fps", "24"],
        "a 5000-digit frame rate": ["timecode", "convert", "10", "--fps", "9" * 5000],
        "a 5000-character --out": ["plan", "duration.md", "--out", "o" * 5000, "--yes"],
        "--out under /proc": ["plan", "duration.md", "--out", "/proc/self/x", "--yes"],
        "a control-character title": ["status", "\x1b]0;pwned\x07"],
    }


CASES = [
    "/dev/zero as the brief",
    "a FIFO as the brief",
    "billion laughs front matter",
    "a 400-digit duration",
    "1100 scenes",
    "a 5000-digit timecode",
    "a 5000-digit frame rate",
    "a 5000-character --out",
    "--out under /proc",
    "a control-character title",
]


@pytest.mark.parametrize("case", CASES)
def test_hostile_cli_input_is_one_line_exit_2_bounded(tmp_path: Path, case: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    args = _brief_cases(work)[case]
    before = snapshot(tmp_path)
    code, _out, err = _storycore(args, work)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (code, err[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), err[-2000:]
    assert len(lines[0]) < 800
    assert "Traceback" not in err
    assert "\x1b" not in err and "\x07" not in err
    assert snapshot(tmp_path) == before


# -- generated input for the parsers that read user text ---------------------------------------

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_TEXT | st.from_regex(r"-?[0-9:;.,]{0,60}", fullmatch=True))
def test_timecode_parsing_never_crashes(value: str) -> None:
    from storycore.tools.timecode import parse_timecode

    try:
        frames = parse_timecode(value, "24")
    except StoryCoreError as exc:
        assert "\n" not in str(exc)
    else:
        assert frames >= 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.dictionaries(
        st.sampled_from(["title", "fps", "duration", "aspect_ratio", "resolution", "budget"]),
        _TEXT | st.integers() | st.floats() | st.lists(st.integers(), max_size=3),
        max_size=4,
    ),
    body=_TEXT,
)
def test_brief_parsing_never_crashes(head: dict[str, object], body: str) -> None:
    import yaml

    from storycore.tools.brief import parse_brief

    text = f"---\n{yaml.safe_dump(head)}---\n{body}\n" if head else body
    try:
        parse_brief(text)
    except StoryCoreError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_fountain_parsing_never_crashes(text: str) -> None:
    from storycore.tools.fountain import parse_fountain

    try:
        parse_fountain("Title: T\n\nINT. ROOM - DAY\n\n" + text)
    except StoryCoreError as exc:
        assert "\n" not in str(exc)
