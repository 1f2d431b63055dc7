"""The page's labels in each language the studio speaks (every language with a catalog).

The labels live in the message catalogs (``web.*`` keys of ``tools/data/messages/<lang>.yaml``,
:mod:`storycore.tools.i18n`) with every other text StoryCore shows. The language follows the
project's answer language (``technical_specs.language``); any other language falls back to
English. The JSON API sends the whole table, so a front end never hard-codes a label.
"""

from __future__ import annotations

from storycore.tools import i18n

LABELS: dict[str, dict[str, str]] = {
    code: {
        **i18n.section("web", code),
        # camera angles, movements and framings, by their value: "vocab.angle.eye_level"
        **{f"vocab.{key}": text for key, text in i18n.section("vocab", code).items()},
    }
    for code in i18n.languages()
}
EN: dict[str, str] = LABELS["en"]
FR: dict[str, str] = LABELS["fr"]


def labels_for(language: str | None) -> tuple[str, dict[str, str]]:
    """The language the page will use and its labels (English when ``language`` has none);
    ``storycore --language L serve`` shows every page in L."""
    code = i18n.catalog_language(i18n.display_language(language))
    return code, LABELS[code]
