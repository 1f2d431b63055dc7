"""The Production view in headless Chromium (Debian's, through Playwright's executable_path):
press Produce, approve each segment's review card, and watch the film in a <video>."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from storycore.agent.web.app import create_app
from storycore.tools.production.records import media_records
from storycore.tools.project import Project

from .test_web_api import LiveServer
from .test_web_browser import browser as browser  # the module's Chromium fixture
from .test_web_browser import open_page, screenshot
from .test_web_browser import pytestmark as browser_marks
from .test_web_production import offline, tiny_planned

pytestmark = [*browser_marks, pytest.mark.slow]


def test_produce_review_the_segments_and_watch_the_film(browser: Any, tmp_path: Path) -> None:
    root = tiny_planned(tmp_path / "p")
    segments = [s.segment_id for s in Project.open(root).manifest.segments]
    with LiveServer(create_app(root, context=offline())) as url:
        page = open_page(browser, url)
        tab = page.get_by_role("tab", name="Production")
        tab.click()
        view = page.locator("#view-production")
        expect(view.locator("[data-production-shot]")).to_have_count(
            len(Project.open(root).manifest.shots)
        )
        view.get_by_role("button", name="Produce").click()
        for segment_id in segments:
            card = view.locator(
                f'[data-confirmation][data-kind="segment"]:has-text("{segment_id}")'
            )
            card.wait_for()
            # the segment's shots are done before it is reviewed, and its file is playable
            seg = view.locator(f'[data-segment-id="{segment_id}"]')
            # (the status view is redrawn by its own event: let it catch up)
            expect(seg.locator("[data-production-shot]:not([data-state=done])")).to_have_count(0)
            assert seg.locator('[data-state="done"]').count() > 0
            if segment_id == segments[0]:
                screenshot(page, "production.png")
            card.get_by_role("button", name="Approve").click()
        final = view.locator('[data-confirmation][data-kind="final"]')
        final.wait_for()
        video = view.locator('.production-film video[data-video="film"]')
        video.wait_for()
        page.wait_for_function(
            "document.querySelector('.production-film video').readyState >= 1", timeout=30_000
        )
        source = video.get_attribute("src")
        assert source and source.startswith("/files/")
        response = page.request.get(url + source)
        assert response.status == 200 and response.body()[4:8] == b"ftyp"
        duration = page.evaluate("document.querySelector('.production-film video').duration")
        assert duration > 0
        screenshot(page, "production-film.png")
        final.get_by_role("button", name="Approve").click()
        page.wait_for_function("!document.querySelector('#view-production [data-confirmation]')")
        assert not page.errors
    assert set(media_records(Project.open(root))) == {
        r.shot_id for r in Project.open(root).manifest.shots
    }
