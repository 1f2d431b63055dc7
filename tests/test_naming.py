"""Safe NN_Name folder names from any user text, and confinement to the project root."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storycore.tools.errors import ConfinementError
from storycore.tools.naming import (
    confined,
    numbered,
    renumbered,
    slug_id,
    slugify,
    unique,
    unique_folded,
)

HOSTILE = [
    "../../x",
    "/etc/passwd",
    "a/b",
    "CON",
    "x" * 300,
    "🎬🔥",
    "",
    "..",
    ".",
    "a\\b",
    "nul.txt",
    "tab\tnew\nline\x00nul",
    " ",
    "COM1",
    "~",
    "$HOME",
    '*?<>|:"',
]
SAFE = re.compile(r"^[A-Za-z0-9_]+$")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_become_plain_bounded_slugs(name: str) -> None:
    slug = slugify(name)
    assert SAFE.match(slug), slug
    assert 1 <= len(slug) <= 41
    assert slug.lower() not in {"con", "nul", "com1", "prn", "aux"}
    assert ".." not in slug and "/" not in slug


def test_unicode_is_folded_to_readable_ascii() -> None:
    assert slugify("Gérard à la plage") == "Gerard_A_La_Plage"
    assert slugify("intro candles") == "Intro_Candles"
    assert slugify("GaBy") == "GaBy"  # the user's capitals are kept
    assert slugify("🎬") != "Untitled"  # an emoji becomes its name, not nothing
    assert slugify("") == "Untitled"


def test_a_possessive_stays_one_word() -> None:
    """ "Nour's Studio" is the folder Nours_Studio and the id loc_nours_studio, not
    Nour_S_Studio; an apostrophe that is not a possessive still breaks the words."""
    assert slugify("Nour's Studio") == "Nours_Studio"
    assert slugify("Nour’s Studio") == "Nours_Studio"
    assert slug_id("Nour's Studio", prefix="loc") == "loc_nours_studio"
    assert slugify("L'Atelier") == "L_Atelier"
    assert slugify("Rock 'n' Roll") == "Rock_N_Roll"


def test_a_long_name_is_cut_between_words() -> None:
    """A shot folder named from a long title ends on a whole word, never on a stump."""
    slug = slugify("Close-up Noor: Noor hauls the nets over the side of the trawler")
    assert slug == "Close_Up_Noor_Noor_Hauls_The_Nets_Over"
    assert len(slug) <= 40
    # one word longer than the bound is cut where it must be
    assert slugify("Pneumonoultramicroscopicsilicovolcanoconiosis") == (
        "Pneumonoultramicroscopicsilicovolcanocon"
    )
    # an id keeps the cut it always had: ids do not change from one version to the next
    assert slug_id("Close-up Noor: Noor hauls the nets over the side", max_length=20) == (
        "close_up_noor_noor_h"
    )


def test_numbered_names_use_two_digits_then_three() -> None:
    assert numbered(3, "Judas") == "03_Judas"
    assert numbered(100, "Finale") == "100_Finale"
    assert renumbered("03_Judas", 4) == "04_Judas"
    assert renumbered("99_X", 100) == "100_X"


def test_unique_is_case_blind() -> None:
    assert unique("Gaby", ["gaby", "Gaby_2"]) == "Gaby_3"
    assert unique("Bridge", ["Gaby"]) == "Bridge"


def test_slug_ids_are_identifiers() -> None:
    assert slug_id("GaBy", prefix="char") == "char_gaby"
    assert slug_id("2nd Avenue", prefix="loc") == "loc_2nd_avenue"
    assert re.match(r"^[a-z][a-z0-9_]*$", slug_id("42"))


@pytest.mark.parametrize("part", ["../x", "/etc/passwd", "a/../../b", "..", "/"])
def test_confined_refuses_paths_that_leave_the_root(tmp_path: Path, part: str) -> None:
    with pytest.raises(ConfinementError):
        confined(tmp_path / "root", part)


def test_confined_refuses_symlinks_out_of_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(ConfinementError):
        confined(root, "link", "escape.txt")


@given(st.text(max_size=400))
def test_any_text_gives_a_safe_slug(text: str) -> None:
    slug = slugify(text)
    assert SAFE.match(slug)
    assert len(slug) <= 41


def test_unique_folded_is_unique_on_names_kept_in_lower_case() -> None:
    taken = ["Kitchen", "kitchen_2", "Harbour", "BRIDGE_3", "Bridge"]
    lowered = {name.lower() for name in taken}
    for candidate in ["Kitchen", "KITCHEN", "Harbour", "Bridge", "Bridge_2", "Roof", "bridge"]:
        assert unique_folded(candidate, lowered) == unique(candidate, taken)
    assert unique("Kitchen", taken) == "Kitchen_3"
