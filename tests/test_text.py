"""The text-folding variants of storycore.tools.text: each does what its name says, and the
modules that had their own copy now use the shared one."""

from __future__ import annotations

import pytest

from storycore.tools import text
from storycore.tools.text import (
    alias_key,
    compact_key,
    fold_char,
    fold_phrase,
    fold_same_length,
    fold_tokens,
    fold_words,
    fold_words_keep_colon,
    sentences_with_offsets,
    snake_key,
    split_sentences,
    underscore_key,
    word_count,
    word_set,
    words_key,
)

SAMPLES = [
    "Sous-titres",
    "Plan américain",
    "bird's eye",
    "L’été à 10:30",
    "Wan 2.2",
    "Aspect-Ratio",
    "  Audio-driven / I2V  ",
    "«Gros plan» — Élodie",
    "",
]


@pytest.mark.parametrize(
    ("fold", "given", "expected"),
    [
        (fold_words, "Sous-titres", "sous titres"),
        (fold_words, "Plan  Américain!", "plan americain"),
        (fold_words, "at 10:30", "at 10 30"),
        (fold_words_keep_colon, "INT. CAFÉ - 10:30", "int cafe 10:30"),
        (fold_words_keep_colon, "l'été", "l ete"),
        (fold_phrase, "Néo-noir, c'est_ça.", "neo noir, c est ca."),
        (fold_phrase, "2.39:1  wide", "2.39:1  wide"),
        (alias_key, "bird's eye", "birds eye"),
        (alias_key, "Over-the-Shoulder", "over the shoulder"),
        (alias_key, "Plongée totale", "plongee totale"),
        (snake_key, "Aspect-Ratio", "aspect_ratio"),
        (snake_key, "Langue des prompts", "langue_des_prompts"),
        (compact_key, "Wan 2.2", "wan22"),
        (compact_key, "HunyuanVideo-1.5", "hunyuanvideo15"),
        (underscore_key, "  Audio-driven ", "audio_driven"),
        (underscore_key, "image / video", "image_video"),
        (words_key, "L’Été — «gros plan»", "l ete gros plan"),
    ],
)
def test_each_fold_does_what_its_name_says(fold, given: str, expected: str) -> None:
    assert fold(given) == expected


def test_the_variants_really_differ_where_their_names_say() -> None:
    assert alias_key("bird's eye") != fold_words("bird's eye")  # apostrophe dropped vs spaced
    assert fold_words_keep_colon("10:30") != fold_words("10:30")  # the colon kept
    assert fold_phrase("a, b") != fold_words("a, b")  # punctuation kept
    assert compact_key("Éclair") == "clair"  # no accent folding: the accented letter goes
    assert underscore_key("Kind.Value") == "kind.value"  # other punctuation kept


@pytest.mark.parametrize("sample", SAMPLES)
def test_fold_same_length_keeps_every_offset(sample: str) -> None:
    folded = fold_same_length(sample)
    assert len(folded) == len(sample)
    assert folded == folded.lower()
    assert "’" not in folded and "«" not in folded and "—" not in folded


def test_fold_char_straightens_quotes_and_dashes_and_drops_accents() -> None:
    assert [fold_char(c) for c in "’“–ÉçA"] == ["'", '"', "-", "e", "c", "a"]
    assert fold_char("ß") == "ß"  # "ss" would change the length: kept as it is


@pytest.mark.parametrize("sample", SAMPLES)
def test_folds_are_idempotent(sample: str) -> None:
    for fold in (fold_words, fold_words_keep_colon, alias_key, snake_key, compact_key):
        assert fold(fold(sample)) == fold(sample)


def test_word_set_reads_a_vocabulary_table() -> None:
    assert word_set("a an  the\nle la") == frozenset({"a", "an", "the", "le", "la"})
    assert word_set("") == frozenset()


def test_word_count_keeps_elisions_and_compounds_whole() -> None:
    assert word_count("L'eau coule, don't stop: well-known!") == 5
    assert word_count("   ") == 0


def test_fold_tokens_splits_clock_times() -> None:
    assert fold_tokens("INT. Café — 10:30") == ["int", "cafe", "10", "30"]


def test_split_sentences_splits_after_end_marks() -> None:
    prose = 'She waits. "Is he late?" He runs… Then, 2.5 seconds later, rain'
    assert split_sentences(prose) == [
        "She waits.",
        '"Is he late?',  # the closing quote goes with the split
        "He runs…",
        "Then, 2.5 seconds later, rain",
    ]
    assert split_sentences("  ") == []


def test_sentences_with_offsets_point_into_the_text() -> None:
    prose = "Use Wan; avoid Sora.\nA 2.5 s shot"
    pairs = sentences_with_offsets(prose)
    assert [s for _, s in pairs] == ["Use Wan;", " avoid Sora.", "A 2.5 s shot"]
    for offset, sentence in pairs:
        assert prose[offset:].startswith(sentence)


def test_the_modules_that_had_a_copy_use_the_shared_fold() -> None:
    from storycore.tools import domain, fountain, model_registry, prompt_builder
    from storycore.tools.brief import model_wishes, prose

    assert fountain.fold is fold_words_keep_colon
    assert "fold" in fountain.__all__
    assert model_registry._fold is underscore_key
    assert prompt_builder._fold_key is fold_words
    assert domain.vocabulary._alias_key is alias_key
    assert prose._fold is fold_phrase
    assert model_wishes._model_key is compact_key


def test_everything_listed_is_there() -> None:
    assert sorted(text.__all__) == text.__all__
    for name in text.__all__:
        assert callable(getattr(text, name))
