"""The user's language: message catalogs, and French everywhere a person reads in a French
project (progress, confirmations, the plan summary, status, the storyboard, the offline chat,
the web studio's confirmation cards); ``--language`` overrides it for what is printed.

The briefs here are not the examples' text: a bakery at dawn, a lighthouse keeper."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent.cli import commands_plan, render
from storycore.agent.cli.main import main
from storycore.agent.context import Context
from storycore.agent.session import Session
from storycore.tools import i18n
from storycore.tools.domain import CreativeBrief
from storycore.tools.errors import InvalidInput

REPO = Path(__file__).resolve().parents[1]
OFFLINE = Context.from_env(offline=True)

#: A French prose brief (answers in French by its own words) with paid models: every
#: confirmation of a plan (brief, cost, storyboard) is asked.
BAKERY = """Réponds-moi en français, s'il te plaît. Un petit film de 20 secondes, en 16:9,
25 images par seconde.

À l'aube, une boulangère aux cheveux gris lève le rideau de sa boutique. Un livreur à vélo
s'arrête devant la vitrine. Elle lui tend un croissant chaud. Il sourit et repart dans la rue
encore vide.
"""

LIGHTHOUSE = """---
title: The Keeper
duration: 12s
---

A lighthouse keeper climbs the spiral stairs at dusk and lights the great lamp.
"""


# -- the catalogs ------------------------------------------------------------------------------


def test_every_english_key_exists_in_french_with_the_same_placeholders() -> None:
    english, french = i18n.catalog("en"), i18n.catalog("fr")
    assert len(english) > 200
    assert sorted(set(english) - set(french)) == []
    assert sorted(set(french) - set(english)) == []  # a stray key is a typo
    for key, text in english.items():
        assert i18n.placeholders(french[key]) == i18n.placeholders(text), key
        assert french[key].strip(), key


def test_english_fills_what_a_language_lacks_and_an_unknown_key_fails() -> None:
    assert i18n.languages()[0] == "en" and "fr" in i18n.languages()
    assert i18n.t("confirm.brief.question", "de") == "Plan this brief?"  # no German catalog
    assert i18n.t("confirm.brief.question", "fr-CA") == "Planifier ce brief ?"
    assert i18n.catalog_language("ja") == "en" and i18n.catalog_language("FR") == "fr"
    assert i18n.count(1, "shot", "fr") == "1 plan" and i18n.count(0, "shot", "fr") == "0 plan"
    assert i18n.count(0, "shot", "en") == "0 shots"
    with pytest.raises(KeyError):
        i18n.t("confirm.no_such_message", "fr")


def test_the_catalogs_are_package_data_of_the_wheel() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["storycore.tools"]
    catalogs = sorted((REPO / "tools" / "data" / "messages").glob("*.yaml"))
    assert {p.stem for p in catalogs} >= {"en", "fr"}
    for path in catalogs:
        rel = path.relative_to(REPO / "tools").as_posix()
        assert any(fnmatch.fnmatch(rel, pattern) for pattern in patterns), rel


def test_the_web_labels_come_from_the_catalogs() -> None:
    from storycore.agent.web.labels import LABELS, labels_for

    code, labels = labels_for("fr-FR")
    assert code == "fr" and i18n.section("web", "fr").items() <= labels.items()
    assert labels["vocab.movement.dolly_in"] == i18n.t("vocab.movement.dolly_in", "fr")
    assert labels_for("ko") == ("en", LABELS["en"])
    assert LABELS["fr"]["approve"] == "Approuver" and LABELS["en"]["approve"] == "Approve"
    assert set(LABELS["fr"]) == set(LABELS["en"])


def test_every_status_and_element_type_has_a_label_in_each_language() -> None:
    """The studio's cards show a shot's status and an element's type and status by these labels,
    so a French studio never shows ``pending`` or ``character``."""
    from storycore.agent.web.labels import LABELS
    from storycore.tools.domain import ElementStatus, ElementType, ShotStatus

    for code, labels in LABELS.items():
        for kind, enum in (
            ("shot_status", ShotStatus),
            ("element_status", ElementStatus),
            ("element_type", ElementType),
        ):
            for member in enum:
                assert labels.get(f"vocab.{kind}.{member.value}"), (code, kind, member.value)
    assert LABELS["fr"]["vocab.shot_status.pending"] == "à produire"
    assert LABELS["fr"]["vocab.element_type.character"] == "personnage"


# -- planning a French brief at the terminal ----------------------------------------------------


def plan_at_terminal(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    brief_text: str,
    *args: str,
    name: str = "brief.md",
) -> tuple[int, list[dict[str, Any]], list[str], Path]:
    """``storycore plan`` answered "y" at every confirmation: (exit code, the confirmations
    shown, the prompts asked, the project folder)."""
    brief = tmp_path / name
    brief.write_text(brief_text, encoding="utf-8")
    shown: list[dict[str, Any]] = []
    asked: list[str] = []
    original = render.render_confirmation
    monkeypatch.setattr(commands_plan, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(commands_plan, "_prompt", lambda q: asked.append(q) or "y")
    monkeypatch.setattr(render, "render_confirmation", lambda p: shown.append(p) or original(p))
    out = tmp_path / "out"
    code = main(["plan", str(brief), "--out", str(out), "--offline", *args])
    return code, shown, asked, out


def by_kind(shown: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {payload["kind"]: payload for payload in shown}


def test_a_french_brief_is_planned_in_french_from_progress_to_storyboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown, asked, out = plan_at_terminal(tmp_path, monkeypatch, BAKERY)
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    kinds = by_kind(shown)
    assert {"confirm_brief", "confirm_cost", "confirm_storyboard"} <= set(kinds)
    assert all(p["language"] == "fr" for p in shown)
    assert asked and set(asked) == {"Votre réponse"}

    brief = kinds["confirm_brief"]
    assert brief["question"] == "Planifier ce brief ?" and brief["title"].startswith("Brief : ")
    rows = dict(brief["rows"])
    assert rows["durée"] == "20 s" and rows["cadence"] == "25" and rows["réponses en"] == "français"
    cost = kinds["confirm_cost"]
    assert cost["title"] == "Le plan utilise des modèles payants"
    assert re.fullmatch(r"Approuver une génération estimée à \d+\.\d\d \$ \?", cost["question"])
    model_rows = [value for key, value in cost["rows"] if key not in ("total", "budget")]
    assert any(
        re.search(
            r"\d+ plans?, [\d.]+ s( à l\'écran, facturés [\d.]+ s)? x [\d.]+ \$/s = [\d.,]+ \$", v
        )
        for v in model_rows
    )
    assert any("secondes facturées" in line for line in cost["details"])
    board = kinds["confirm_storyboard"]
    assert board["question"] == "Approuver ce plan, ou faire une remarque ?"
    assert {"scènes", "plans", "durée", "coût estimé"} <= set(dict(board["rows"]))
    assert "approuver (o)" in stderr and "refuser (n)" in stderr

    # Progress and the summary.
    assert "découpage: 1 scène" in stderr and "Le plan est prêt : " in stderr
    assert "Coût estimé" in stdout and "Cadence" in stdout and "Storyboard : " in stdout
    assert "Estimated cost" not in stdout and "Frame rate" not in stdout

    # The storyboard documents.
    page = (out / "storyboard.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "<dt>Focale</dt>" in page and "<dt>Mouvement</dt>" in page and "<span>Scène " in page
    assert "<dt>Lens</dt>" not in page and "<summary>Prompts</summary>" in page
    assert re.search(r"<dt>Angle</dt><dd>(à hauteur d&#x27;yeux|plongée|contre-plongée)", page)
    markdown = (out / "storyboard.md").read_text(encoding="utf-8")
    assert "| Plan | Scène | Début | Fin | Images |" in markdown
    assert re.search(r"\d+ images \([\d.]+ s\) · \d+ plans", markdown)

    # status follows the project's language; --language en overrides it.
    assert main(["status", str(out)]) == 0
    french_status = capsys.readouterr().out
    assert "Vérifications" in french_status and "Langue des réponses" in french_status
    assert main(["--language", "en", "status", str(out)]) == 0
    english_status = capsys.readouterr().out
    assert "Checkpoint gates" in english_status and "Answer language" in english_status
    assert "Vérifications" not in english_status
    assert i18n.display_language("fr") == "fr"  # the override lasted one command


def test_the_french_example_is_planned_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = (REPO / "examples" / "french_prose_brief.md").read_text(encoding="utf-8")
    code, shown, _, out = plan_at_terminal(
        tmp_path, monkeypatch, example, name="french_prose_brief.md"
    )
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    kinds = by_kind(shown)
    assert kinds["confirm_brief"]["question"] == "Planifier ce brief ?"
    assert kinds["confirm_storyboard"]["title"].startswith("Storyboard : ")
    assert "Avertissements" in stdout
    assert '<html lang="fr">' in (out / "storyboard.html").read_text(encoding="utf-8")


def test_language_en_gives_english_for_the_same_french_brief(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown, asked, out = plan_at_terminal(tmp_path, monkeypatch, BAKERY, "--language", "en")
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    kinds = by_kind(shown)
    assert kinds["confirm_brief"]["question"] == "Plan this brief?"
    assert kinds["confirm_cost"]["title"] == "The plan uses paid models"
    assert kinds["confirm_storyboard"]["question"] == "Approve this plan, or give feedback?"
    assert set(asked) == {"Your answer"} and "Estimated cost" in stdout
    assert "breakdown: 1 scene" in stderr
    assert '<html lang="en">' in (out / "storyboard.html").read_text(encoding="utf-8")


def test_language_fr_prints_an_english_project_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown, _, _out = plan_at_terminal(tmp_path, monkeypatch, LIGHTHOUSE, "--language", "fr")
    capsys.readouterr()
    assert code == 0
    # plan's --language is the brief's answer language: the project is French now.
    assert by_kind(shown)["confirm_brief"]["question"] == "Planifier ce brief ?"
    from storycore.tools.planner import plan_project

    english = tmp_path / "english"
    plan_project(LIGHTHOUSE, english, source_name="keeper.md")
    assert main(["status", str(english), "--language=fr"]) == 0
    assert "Vérifications" in capsys.readouterr().out
    assert main(["--language", "klingon", "status", str(english)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--language" in err and "klingon" in err


# -- the offline chat and the web studio --------------------------------------------------------


@pytest.fixture
def bakery(tmp_path: Path) -> Path:
    from storycore.tools.planner import plan_project

    root = tmp_path / "bakery"
    plan_project(BAKERY, root, source_name="boulangerie.md")
    return root


def test_the_offline_chat_answers_in_the_projects_language(bakery: Path) -> None:
    session = Session(bakery, context=OFFLINE, checkpointer=InMemorySaver())
    answer = session.say("combien dure la scène 1 ?")
    assert re.fullmatch(
        r"La scène 1 dure [\d.]+ s \(\d+ plans : de shot_\d+ à shot_\d+\)\.", answer.messages[-1]
    )
    assert session.say("how many shots?").messages[-1].startswith("Le plan compte ")
    lost = session.say("rends l'ambiance plus mélancolique et bleutée partout")
    assert lost.messages[-1].startswith("Je n'ai pas pu faire un changement de « ")
    change = session.say("le plan 2 en gros plan")
    card = change.interrupt
    assert card is not None and card["kind"] == "confirm_changes" and card["language"] == "fr"
    assert (
        card["title"] == "Changements proposés"
        and card["question"] == "Appliquer ces changements ?"
    )
    assert any(
        line.startswith("Sera régénéré : ") and "shot_02" in line for line in card["details"]
    )
    done = session.resume("oui")
    assert done.messages[-1].startswith("Appliqué : ")

    i18n.set_display_language("en")
    try:
        english = Session(bakery, context=OFFLINE, checkpointer=InMemorySaver())
        assert english.say("how long is scene 1?").messages[-1].startswith("Scene 1 lasts ")
    finally:
        i18n.set_display_language(None)


def test_the_web_studio_shows_a_french_confirmation_card(bakery: Path) -> None:
    from starlette.testclient import TestClient

    from storycore.agent.web.app import create_app

    with TestClient(create_app(bakery, context=OFFLINE), base_url="http://127.0.0.1") as client:
        head = client.get("/api/project").json()
        response = client.post(
            "/api/threads/main/messages?wait=1", json={"text": "le plan 3 en gros plan"}
        )
        assert response.status_code == 200, response.text
        card = response.json()["interrupt"]
        pending = client.get("/api/threads/main").json()["pending"]
    assert head["language"] == "fr" and head["labels"]["approve"] == "Approuver"
    assert card["kind"] == "confirm_changes" and card["language"] == "fr"
    assert card["title"] == "Changements proposés"
    assert card["question"] == "Appliquer ces changements ?"
    assert card["rows"][0][0] == "changement"
    assert (
        "Les documents (storyboard, liste des plans, timelines) sont réécrits." in card["details"]
    )
    assert pending["title"] == "Changements proposés"


def test_every_message_formats_with_its_own_placeholders() -> None:
    for code in i18n.languages():
        for key, text in i18n.catalog(code).items():
            filled = i18n.t(key, code, **{name: "X" for name in i18n.placeholders(text)})
            assert "{" not in filled.replace("{json}", ""), (code, key)


def test_check_and_the_terminal_chat_speak_the_projects_language(
    bakery: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    main(["check", str(bakery)])
    assert re.search(r"^Boulangerie : (\d+ remarque\(s\)|aucune remarque)", capsys.readouterr().out)

    monkeypatch.setattr("sys.stdin", io.StringIO("combien dure la scène 1 ?\n/quit\n"))
    assert main(["chat", "--project", str(bakery), "--offline", "--new"]) == 0
    out, err = capsys.readouterr()
    assert "La scène 1 dure " in out
    assert "Commandes : /status" in err and "hors ligne : " in err and "Au revoir." in err

    monkeypatch.setattr("sys.stdin", io.StringIO("how long is scene 1?\n/quit\n"))
    assert main(["--language", "en", "chat", "--project", str(bakery), "--offline", "--new"]) == 0
    out, err = capsys.readouterr()
    assert "Scene 1 lasts " in out and "Commands: /status" in err and "Bye." in err


def test_production_and_gate_confirmations_and_a_refused_answer_speak_french() -> None:
    from storycore.agent import confirmations as c

    cost = c.production_cost_confirmation(
        {"total_usd": 4.5, "spent_usd": 1.0, "budget_usd": None, "per_model_usd": {"kling": 4.5}},
        "fr",
    )
    assert cost.question == "Dépenser environ 4.50 $ en rendu ?"
    assert cost.details == ["Déjà dépensé : 1.00 $", "Aucun budget fixé."]
    outcome = {"segment_id": "seg_02", "rendered": ["shot_05"], "reused": [], "failed": []}
    segment = c.segment_confirmation(outcome, {"failures": ["a clip is too short"]}, "fr")
    assert segment.title == "Segment seg_02" and segment.rows[0] == ("rendus", "shot_05")
    assert segment.details == ["vérification des médias : a clip is too short"]
    final = c.final_confirmation({"segments": [], "final": None}, "fr")
    assert final.question == "Le film est assemblé. Terminé ?"
    gate = c.gate_confirmation({"gate": "model_selection", "failures": ["no model fits"]}, "fr")
    assert gate.title == "La vérification « choix des modèles » a échoué"
    again = c.asked_again(gate, "answer with one of: approve, feedback, reject")
    assert again.details[0].startswith("Votre réponse n'a pas été acceptée : ")
    assert c.normalize_decision("o", gate.actions) == {"action": "approve"}
    with pytest.raises(InvalidInput, match=r"^répondez par l'une de ces actions : approve, "):
        c.check_answer(gate, {"action": "edit"})
    brief = c.brief_confirmation(CreativeBrief(title="Nuit", text="x"), "fr")
    with pytest.raises(InvalidInput, match=r"^impossible de modifier colour ici ; modifiables : "):
        c.check_answer(brief, {"action": "edit", "edits": {"colour": "bleu"}})
    assert c.gate_confirmation({"gate": "segments"}).title == "The segments check failed"


def test_produce_dry_run_speaks_the_projects_language(
    bakery: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["produce", str(bakery), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert re.search(r"^Rendrait \d+ plans \(\d+ images\) avec animatic : shot_01", out)
    assert "Déjà à jour : 0" in out and "Essai à blanc : rien n'a été changé." in err
    assert main(["produce", str(bakery), "--dry-run", "--language", "en"]) == 0
    assert capsys.readouterr().out.startswith("Would render ")


def test_storycore_feedback_speaks_the_projects_language(
    bakery: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feedback", str(bakery), "le plan 2 en gros plan", "--offline", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "Changements" in out and "À régénérer (" in out and "Essai à blanc" in err


def test_the_web_studio_asks_a_french_brief_in_french_with_a_french_edit_form(
    tmp_path: Path,
) -> None:
    from starlette.testclient import TestClient

    from storycore.agent.web.app import create_app

    root = tmp_path / "empty"
    root.mkdir()
    with TestClient(create_app(root, context=OFFLINE), base_url="http://127.0.0.1") as client:
        response = client.post("/api/threads/main/messages?wait=1", json={"text": BAKERY})
        assert response.status_code == 200, response.text
        card = response.json()["interrupt"]
        state = client.get("/api/threads/main").json()
    assert card["kind"] == "confirm_brief" and card["question"] == "Planifier ce brief ?"
    fields = {f["name"]: f for f in state["edit_form"]["fields"]}
    assert fields["fps"]["description"] == "Cadence"
    assert fields["duration"]["description"].startswith("Durée totale")
