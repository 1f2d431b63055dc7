"""The storyboard documents are journaled by their pieces: undo still refuses a document
changed after the change (by a single byte, in any piece), and accepts one left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storycore.tools.errors import ConflictError
from storycore.tools.project import Project
from storycore.tools.project.files import PIECES_PREFIX, _sha, pieces_digest, written_as
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.storyboard.plan import STORYBOARD_HTML, STORYBOARD_JSON, STORYBOARD_MD

CHANGE = [
    {"kind": "set_shot_field", "shot_id": "shot_03", "field": "description", "value": "A gull."}
]
DOCUMENTS = (STORYBOARD_JSON, STORYBOARD_MD, STORYBOARD_HTML)


def _last_writes(project: Project) -> dict[str, dict[str, object]]:
    number = project.history()[0].number
    journal = project.root / ".storycore" / "history" / f"{number:06d}" / "journal.jsonl"
    ops = [json.loads(line) for line in journal.read_text().splitlines()]
    return {op["path"]: op for op in ops if op["op"] == "write"}


def test_the_documents_are_journaled_by_pieces_that_are_their_bytes(film: Path) -> None:
    project = Project.open(film)
    apply_changes(project, plan_changes(project, CHANGE))
    writes = _last_writes(project)
    for name in DOCUMENTS:
        op = writes[name]
        data = (film / name).read_bytes()
        assert str(op["after"]).startswith(PIECES_PREFIX)
        assert sum(op["pieces"]) == len(data)  # type: ignore[arg-type]
        assert written_as(data, op["after"], op["pieces"])


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize("where", [0.01, 0.5, 0.99])
def test_undo_refuses_a_document_changed_by_one_byte_anywhere(
    film: Path, name: str, where: float
) -> None:
    project = Project.open(film)
    apply_changes(project, plan_changes(project, CHANGE))
    path = film / name
    data = bytearray(path.read_bytes())
    at = int(len(data) * where)
    data[at] = ord("#") if data[at] != ord("#") else ord("%")  # same length, one byte
    path.write_bytes(bytes(data))
    with pytest.raises(ConflictError, match=name):
        project.undo()


def test_undo_accepts_the_documents_as_the_change_left_them(film: Path) -> None:
    project = Project.open(film)
    before = {name: (film / name).read_bytes() for name in DOCUMENTS}
    apply_changes(project, plan_changes(project, CHANGE))
    assert all((film / name).read_bytes() != before[name] for name in DOCUMENTS)
    project.undo()
    assert {name: (film / name).read_bytes() for name in DOCUMENTS} == before


def test_a_pieces_digest_is_the_same_for_equal_pieces_kept_or_new() -> None:
    pieces = [b"head\n", b"x" * 5000, b",\n", "é".encode()]
    first = pieces_digest(pieces)
    assert pieces_digest(pieces) == first  # the kept digests give the same answer
    assert pieces_digest([bytes(bytearray(p)) for p in pieces]) == first  # new objects
    assert pieces_digest([b"head\n", b"x" * 4999, b"x,\n", "é".encode()]) != first


def test_a_malformed_journal_entry_matches_nothing() -> None:
    data = b"abcdef"
    after = pieces_digest([b"abc", b"def"])
    assert written_as(data, after, [3, 3])
    assert written_as(data, _sha(data), None)  # a whole-file digest, as before
    for lengths in (None, [6], [3, 2], [3, 4], [-1, 7], ["3", "3"], [True, 5], "33", [3.0, 3.0]):
        assert not written_as(data, after, lengths)
    assert not written_as(data, None, [3, 3])
    assert not written_as(data, 7, [3, 3])
