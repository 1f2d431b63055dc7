"""After production, a one-shot change renders that one shot and re-joins its segment and the
film by stream copy: no other clip is encoded again, and the joined files hold the clips'
own encoded packets, byte for byte."""

from __future__ import annotations

import sys
from pathlib import Path

import av
import pytest

from storycore.tools.feedback import SetShotField
from storycore.tools.production import animatic, assembly
from storycore.tools.production.producer import Production
from storycore.tools.production.records import media_records
from storycore.tools.production.run import run_production
from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import produce_bench  # noqa: E402


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [bytes(p) for p in container.demux(stream) if p.size]


def test_a_one_shot_change_encodes_one_clip_and_joins_the_others_by_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "p"
    produce_bench.build(root, 12, 64, 36)
    first = run_production(Production(Project.open(root), "animatic"))
    assert not first.failed and first.final
    before = {p: p.read_bytes() for p in (root / "03_videos").glob("*.mp4")}
    project = Project.open(root)
    change = plan_changes(
        project, [SetShotField(shot_id="shot_004", field="shot_size", value="ECU")]
    )
    apply_changes(project, change)
    calls: list[list[str]] = []
    for module in (animatic, assembly):
        original = module.run_ffmpeg

        def counting(args, *, what, _original=original):  # type: ignore[no-untyped-def]
            calls.append(list(args))
            _original(args, what=what)

        monkeypatch.setattr(module, "run_ffmpeg", counting)
    again = run_production(Production(Project.open(root), "animatic"))
    assert again.rendered == ["shot_004"]
    encodes = [a for a in calls if "libx264" in a]
    assert len(encodes) == 1  # the changed shot only
    joins = [a for a in calls if "concat" in a]
    assert len(joins) == 2 and all(a[a.index("-c") + 1] == "copy" for a in joins)
    for path, content in before.items():  # every other clip untouched (v1 of shot_004 too)
        assert path.read_bytes() == content, path.name
    # the film is the clips' own packets in order: nothing decoded and encoded again
    project = Project.open(root)
    media = media_records(project)
    clips = [
        root / media[s.shot_id].path
        for seg in project.manifest.segments
        for s in (
            next(sp for sp in project.manifest.shots if sp.shot_id == i) for i in seg.shot_ids
        )
    ]
    expected = [packet for clip in clips for packet in _packets(clip)]
    assert again.final is not None
    film = _packets(root / again.final["path"])
    assert len(film) == len(expected)
    # each packet is the clip's own; at a clip's first frame the join adds the clip's
    # parameter sets (SPS/PPS) in band, since the clips' headers differ: the picture itself
    # (the packet's last NAL unit, the IDR slice) is the clip's, byte for byte
    for index, (joined, clip_packet) in enumerate(zip(film, expected, strict=True)):
        assert joined == clip_packet or joined.endswith(_last_nal(clip_packet)), index


def _last_nal(packet: bytes) -> bytes:
    """The last NAL unit of a length-prefixed (MP4) H.264 packet, with its length."""
    at = last = 0
    while at + 4 <= len(packet):
        last = at
        at += 4 + int.from_bytes(packet[at : at + 4], "big")
    return packet[last:]


@pytest.mark.parametrize("failing", ["seg_01", "seg_02"])
def test_a_failed_segment_join_commits_the_segments_before_it_and_nothing_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    from storycore.tools.errors import ProjectError
    from storycore.tools.production.ledger import RENDERS_DIR

    root = tmp_path / "p"
    produce_bench.build(root, 12, 64, 36)  # seg_01: 10 shots, seg_02: 2 (joined side by side)
    original = assembly.count_packets

    def miscounting(path):  # type: ignore[no-untyped-def]
        count = original(path)
        return count + 1 if Path(path).name.startswith(f".{failing}.") else count

    monkeypatch.setattr(assembly, "count_packets", miscounting)
    with pytest.raises(ProjectError, match=f"joining .*{failing}.mp4 gave"):
        run_production(Production(Project.open(root), "animatic"))
    sequences = {p.name for p in (root / "05_sequences").rglob("*.mp4")}
    # as when they were joined one after the other: those before the failure are in
    assert sequences == ({"seg_01.mp4"} if failing == "seg_02" else set())
    assert not list((root / RENDERS_DIR / "joins").glob("*.mp4"))  # nothing left staged
    monkeypatch.setattr(assembly, "count_packets", original)
    production = Production(Project.open(root), "animatic")
    joined = production.assemble().joined
    assert joined == (["seg_02", "film"] if failing == "seg_02" else ["seg_01", "seg_02", "film"])
