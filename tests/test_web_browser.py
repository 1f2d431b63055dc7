"""The web studio driven in a real browser: headless Chromium from the OS packages, through
Playwright for Python (``.ci/run`` installs Debian's chromium; Playwright's own browser
download cannot work here).

Set ``STORYCORE_SCREENSHOTS=docs/images`` to refresh the documentation's screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from storycore.agent.context import Context
from storycore.agent.web.app import create_app
from storycore.agent.web.labels import FR
from storycore.tools.project import Project
from storycore.tools.structure import read_shot

from .conftest import snapshot
from .test_web_api import LiveServer, plan_example

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OFFLINE = Context.from_env(offline=True)
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium; "
        ".ci/run installs it)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    base = tmp_path_factory.mktemp("examples")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        yield {
            "en": plan_example("ad_brief.md", base / "ad"),
            "fr": plan_example("french_prose_brief.md", base / "fr"),
        }


def serve(templates: dict[str, Path], tmp_path: Path, language: str = "en") -> tuple[Path, Any]:
    root = Path(shutil.copytree(templates[language], tmp_path / language))
    return root, LiveServer(create_app(root, context=OFFLINE))


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("window.StoryCoreStudio && document.querySelector('[data-shot-id]')")
    return page


def say(page: Any, text: str) -> None:
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def shot_size(root: Path, shot_id: str) -> str:
    return read_shot(Project.open(root), shot_id).shot_size.value


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("STORYCORE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def propose_close_up(page: Any) -> Any:
    """Ask for shot 4 (a wide shot of the ad) as a close-up; the change card, once shown."""
    say(page, "make shot 4 a close-up")
    change = page.locator("[data-confirmation][data-kind=changes]")
    change.wait_for()
    return change


def test_every_shot_has_a_card_with_a_visible_image(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    shots = [ref.shot_id for ref in Project.open(root).manifest.shots]
    with server as url:
        page = open_page(browser, url)
        cards = page.locator(".shot-card[data-shot-id]")
        assert cards.evaluate_all("els => els.map(e => e.dataset.shotId)") == shots

        # The board may be drawn again while this runs (a live event): query by shot id each
        # time instead of holding an element that may be replaced.
        for shot_id in shots:
            image = page.locator(f'.shot-card[data-shot-id="{shot_id}"] img')
            page.wait_for_function(
                """id => {
                    const img = document.querySelector(`.shot-card[data-shot-id="${id}"] img`);
                    if (!img) return false;
                    img.scrollIntoView({block: "center"});
                    return img.complete && img.naturalWidth > 0;
                }""",
                arg=shot_id,
            )
            expect(image).to_be_visible()
        assert page.locator("#mode").inner_text() == "Offline"
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.errors == []


def test_a_change_is_shown_then_approved_and_the_card_and_the_project_change(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    with server as url:
        page = open_page(browser, url)
        card = page.locator('.shot-card[data-shot-id="shot_04"]')
        assert card.get_attribute("data-shot-size") == "WS"

        change = propose_close_up(page)
        assert "shot_04" in change.inner_text()
        page.wait_for_selector('.shot-card[data-shot-id="shot_04"].will-regenerate')
        expect(page.locator(".shot-card.will-regenerate")).to_have_count(1)
        assert shot_size(root, "shot_04") == "WS"
        screenshot(page, "studio-change-en.png")

        change.get_by_role("button", name="Approve").click()

        page.wait_for_selector('.shot-card[data-shot-id="shot_04"][data-shot-size="CU"]')
        # The board can be redrawn by the live event before the chat's answer removes the card.
        page.locator("[data-confirmation]").wait_for(state="detached")
        expect(page.locator(".shot-card.will-regenerate")).to_have_count(0)
        assert shot_size(root, "shot_04") == "CU"
        assert page.errors == []


def test_reject_leaves_the_card_and_the_project_unchanged(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    before = snapshot(root)
    with server as url:
        page = open_page(browser, url)
        propose_close_up(page)

        page.get_by_role("button", name="Reject").click()

        page.locator("[data-confirmation]").wait_for(state="detached")
        page.get_by_text("Nothing was changed.").wait_for()
        assert (
            page.locator('.shot-card[data-shot-id="shot_04"]').get_attribute("data-shot-size")
            == "WS"
        )
    assert snapshot(root) == before


def test_a_pending_confirmation_is_shown_again_after_a_reload(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    with server as url:
        page = open_page(browser, url)
        propose_close_up(page)

        page.close()
        again = open_page(browser, url)

        change = again.locator("[data-confirmation][data-kind=changes]")
        change.wait_for()
        expect(again.locator('.shot-card[data-shot-id="shot_04"].will-regenerate')).to_have_count(1)
        for name in ("Approve", "Edit", "Feedback", "Reject"):
            assert change.get_by_role("button", name=name, exact=True).is_visible()
        change.get_by_role("button", name="Approve").click()
        again.wait_for_selector('.shot-card[data-shot-id="shot_04"][data-shot-size="CU"]')
    assert shot_size(root, "shot_04") == "CU"


def test_the_edit_form_is_validated_before_it_is_sent(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    with server as url:
        page = open_page(browser, url)
        change = propose_close_up(page)
        change.get_by_role("button", name="Edit").click()
        form = change.get_by_role("form", name="Edit")
        form.get_by_label("shot_id").fill("shot_99")
        form.get_by_role("button", name="Send edit").click()
        change.get_by_role("alert").filter(has_text="shot_99").wait_for()
        assert shot_size(root, "shot_99".replace("99", "04")) == "WS"

        form.get_by_label("shot_id").fill("shot_04")
        form.get_by_label("value").select_option("ECU")
        form.get_by_role("button", name="Send edit").click()
        # The edited change comes back to approve, as in the chat.
        page.locator("[data-confirmation] td", has_text="-> ECU").wait_for()
        page.locator("[data-confirmation]").get_by_role("button", name="Approve").click()
        page.wait_for_selector('.shot-card[data-shot-id="shot_04"][data-shot-size="ECU"]')
    assert shot_size(root, "shot_04") == "ECU"


def test_two_tabs_see_each_others_changes(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    with server as url:
        first = open_page(browser, url)
        second = open_page(browser, url)
        say(first, "make shot 4 a close-up")
        second.locator("[data-confirmation][data-kind=changes]").wait_for()

        second.get_by_role("button", name="Approve").click()

        first.wait_for_selector('.shot-card[data-shot-id="shot_04"][data-shot-size="CU"]')
        first.locator("[data-confirmation]").wait_for(state="detached")
    assert shot_size(root, "shot_04") == "CU"


def test_timeline_and_elements_views(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    manifest = Project.open(root).manifest
    with server as url:
        page = open_page(browser, url)
        page.get_by_role("tab", name="Timeline").click()
        assert page.locator("#timeline-total").inner_text() == "00:00:30:00"
        ticks = page.locator(".ruler .tick span").all_inner_texts()
        assert ticks[0] == "00:00:00:00" and ticks[-1] == "00:00:30:00"
        blocks = page.locator(".tshot[data-shot-id]")
        assert blocks.count() == len(manifest.shots)
        widths = blocks.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
        frames = [read_shot(Project.open(root), r.shot_id).duration_frames for r in manifest.shots]
        # Proportional to their length.
        scale = sum(widths) / sum(frames)
        for width, count in zip(widths, frames, strict=True):
            assert abs(width - count * scale) < 1.5
        screenshot(page, "studio-timeline-en.png")

        page.locator('.tshot[data-shot-id="shot_05"]').click()
        focused = page.locator('.shot-card[data-shot-id="shot_05"]')
        assert focused.is_visible() and "focused" in (focused.get_attribute("class") or "")

        page.get_by_role("tab", name="Elements").click()
        cards = page.locator(".element-card[data-element-id]")
        assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.elementId)")) == sorted(
            e.element_id for e in manifest.elements
        )
        gaby = page.locator('.element-card[data-element-id="char_gaby"]')
        assert "v1" in gaby.inner_text()
        gaby.get_by_role("button", name="shot_02").click()
        assert page.locator('.shot-card[data-shot-id="shot_02"]').is_visible()


def test_a_french_project_speaks_french_and_takes_french_feedback(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path, "fr")
    assert shot_size(root, "shot_04") != "CU"
    with server as url:
        page = open_page(browser, url)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_role("tab", name="Éléments").is_visible()
        assert page.locator("#mode").inner_text() == "Hors ligne"
        send = page.get_by_role("button", name="Send", exact=True)
        assert send.inner_text() == "Envoyer"  # the accessible name stays the contract's
        # The project is vertical: its panels are shown 9:16, not letterboxed into 16:9.
        page.wait_for_function(
            """() => {
                const img = document.querySelector('.shot-card[data-shot-id="shot_01"] img');
                const box = img && img.getBoundingClientRect();
                return box && box.height > 0 && Math.abs(box.width / box.height - 9 / 16) < 0.02;
            }"""
        )
        # Camera words are in French too, by the shot's own values.
        first = read_shot(Project.open(root), "shot_01")
        card_text = page.locator('.shot-card[data-shot-id="shot_01"]').inner_text()
        assert FR[f"vocab.movement.{first.camera_movement.value}"] in card_text
        assert FR[f"vocab.angle.{first.camera_angle.value}"] in card_text
        assert FR[f"vocab.shot_status.{first.status.value}"] in card_text
        assert first.status.value not in card_text.split()
        screenshot(page, "studio-storyboard-fr.png")

        say(page, "Mets le plan 4 en gros plan")

        change = page.locator("[data-confirmation][data-kind=changes]")
        change.wait_for()
        approve = change.get_by_role("button", name="Approve")
        assert approve.inner_text() == "Approuver"
        page.wait_for_selector('.shot-card[data-shot-id="shot_04"].will-regenerate')
        assert "Sera régénéré" in page.locator('.shot-card[data-shot-id="shot_04"]').inner_text()
        screenshot(page, "studio-change-fr.png")
        approve.click()
        page.wait_for_selector('.shot-card[data-shot-id="shot_04"][data-shot-size="CU"]')
        page.get_by_role("tab", name="Timeline").click()
        screenshot(page, "studio-timeline-fr.png")
    assert shot_size(root, "shot_04") == "CU"


def test_undo_from_the_page_restores_the_shot(
    browser: Any, templates: dict[str, Path], tmp_path: Path
) -> None:
    root, server = serve(templates, tmp_path)
    with server as url:
        page = open_page(browser, url)
        propose_close_up(page).get_by_role("button", name="Approve").click()
        page.wait_for_selector('.shot-card[data-shot-id="shot_04"][data-shot-size="CU"]')

        say(page, "/undo")

        page.wait_for_selector('.shot-card[data-shot-id="shot_04"][data-shot-size="WS"]')
        page.get_by_text("undone:").first.wait_for()
    assert shot_size(root, "shot_04") == "WS"
