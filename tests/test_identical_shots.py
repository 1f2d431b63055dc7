"""Each shot of a plan differs from every other in framing, subject or action: coverage that
fills a long target from few beats varies its set-ups instead of repeating one (issue 11).

The briefs are written here; none is an example's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycore.tools.critic import critique
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

# Few beats, a long target: each beat needs several coverage shots.
BRIEFS = {
    "en": """---
title: Lantern Song
duration: 60s
aspect_ratio: "9:16"
fps: 24
---

A music video. Ada, a singer with a shaved head and a green velvet coat, sings on a night
ferry. She walks along the rail while the harbour lights pass. On the top deck she meets
Ravi, a guitarist in a white shirt, who plays beside her. The ferry reaches the far shore at
dawn.
""",
    "fr": """---
title: Chanson du phare
duration: 60s
aspect_ratio: "9:16"
fps: 24
---

Un clip musical. Ada, une chanteuse au crâne rasé et au manteau de velours vert, chante sur
un ferry de nuit. Elle marche le long du bastingage pendant que les lumières du port
défilent. Sur le pont supérieur, elle retrouve Ravi, un guitariste en chemise blanche, qui
joue à côté d'elle. Le ferry atteint l'autre rive à l'aube.
""",
}


@pytest.mark.parametrize("language", sorted(BRIEFS))
def test_no_shot_repeats_another(language: str, tmp_path: Path) -> None:
    root = tmp_path / "plan"
    plan_project(BRIEFS[language], root, source_name=f"song_{language}.md")
    report = critique(root, kinds=["identical_shots"])
    assert report.findings == [], [f.line() for f in report.findings]
    shots = load_shots(Project.open(root))
    seen: dict[tuple[object, ...], str] = {}
    for shot in shots:
        key = (
            shot.shot_size,
            shot.framing,
            shot.camera_angle,
            shot.camera_movement,
            shot.description,
            # the beat it covers: "Gros plan d'Ada." at another moment of the song is
            # another shot (its prompts say that moment)
            shot.action,
            tuple(sorted(shot.characters)),
        )
        assert key not in seen, f"{shot.shot_id} repeats {seen[key]}"
        seen[key] = shot.shot_id
