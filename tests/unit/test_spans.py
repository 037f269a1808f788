"""Span scoring (Mu-SHROOM IoU, character and claim level) and the segmentation into units."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine.spans import (
    FalseAlarm,
    SpanError,
    check_spans,
    iou,
    merge_spans,
    score_spans,
    segment,
    split_at_units,
    unit_spans,
)

# --- character-level IoU, as the Mu-SHROOM scorer -------------------------------------------


@pytest.mark.parametrize(
    ("gold", "flagged", "expected"),
    [
        ([], [], 1.0),
        ([(0, 5)], [], 0.0),
        ([], [(0, 5)], 0.0),
        ([(0, 5)], [(0, 5)], 1.0),
        ([(0, 5)], [(3, 8)], 2 / 8),
        ([(0, 4), (10, 14)], [(0, 14)], 8 / 14),
        ([(0, 4)], [(0, 2), (1, 4)], 1.0),  # overlapping flags count each character once
        ([(5, 10)], [(0, 5)], 0.0),  # half-open: touching is not overlapping
    ],
)
def test_iou_matches_mushroom_definition(gold, flagged, expected):
    assert iou(gold, flagged) == pytest.approx(expected)
    assert score_spans(20, gold, flagged).iou == pytest.approx(expected)


# --- claim level ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "flagged", "found", "missed", "alarms", "claim_f1"),
    [
        # exactly half of a gold span covered: found
        ([(0, 10)], [(0, 5)], (0,), (), [], 1.0),
        # less than half: touched (not a false alarm) but missed
        ([(0, 10)], [(0, 4)], (), (0,), [], 0.0),
        # two small flags on one span add up
        ([(0, 10)], [(0, 3), (6, 9)], (0,), (), [], 1.0),
        # a flag on a true passage is a false alarm
        ([(0, 10)], [(0, 10), (20, 25)], (0,), (), [(20, 25)], 2 * 0.5 * 1 / 1.5),
        # one of two found, no false alarm
        ([(0, 10), (20, 30)], [(20, 30)], (1,), (0,), [], 2 * 1 * 0.5 / 1.5),
        # a whole sentence flagged around a short wrong number: found
        ([(12, 16)], [(0, 30)], (0,), (), [], 1.0),
        # nothing flagged, nothing to find
        ([], [], (), (), [], 1.0),
        # nothing to find but flags: every flag is a false alarm
        ([], [(0, 3)], (), (), [(0, 3)], 0.0),
    ],
)
def test_claim_level(gold, flagged, found, missed, alarms, claim_f1):
    result = score_spans(40, gold, flagged)
    assert result.found == found
    assert result.missed == missed
    assert [(a.start, a.end) for a in result.false_alarms] == alarms
    assert result.claim_f1 == pytest.approx(claim_f1)
    assert result.score == pytest.approx(claim_f1)


def test_character_precision_and_recall():
    result = score_spans(40, [(0, 10)], [(5, 15)])
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(0.5)
    assert result.f1 == pytest.approx(0.5)
    assert result.iou == pytest.approx(5 / 15)


def test_grading_by_iou_uses_the_iou():
    result = score_spans(40, [(0, 10)], [(5, 15)], grading="iou")
    assert result.score == pytest.approx(5 / 15)
    assert result.grading == "iou"


def test_unknown_grading_is_refused():
    with pytest.raises(ValueError, match="claim_f1, iou"):
        score_spans(10, [], [], grading="accuracy")


def test_units_stop_one_flag_from_covering_everything():
    text = "Sales rose 12%. The CEO is Ann. Costs fell."
    units = unit_spans(text, "en")
    gold = [(11, 14)]  # "12%"
    whole_text = score_spans(len(text), gold, [(0, len(text))], units=units)
    assert whole_text.found == (0,)
    assert len(whole_text.false_alarms) == 2
    assert whole_text.claim_f1 < 0.6
    without_units = score_spans(len(text), gold, [(0, len(text))])
    assert without_units.claim_f1 == 1.0


def test_false_alarm_on_a_trap_names_the_trap():
    result = score_spans(50, [(0, 5)], [(0, 5), (20, 24), (40, 45)], traps=[(30, 35), (18, 22)])
    assert result.false_alarms == (FalseAlarm(20, 24, 1), FalseAlarm(40, 45, None))


def test_as_dict_has_the_cli_shape():
    result = score_spans(30, [(0, 5), (10, 15)], [(0, 5), (20, 25)])
    assert result.as_dict([(0, 5), (10, 15)]) == {
        "iou": pytest.approx(5 / 15),
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "found": [[0, 5]],
        "missed": [[10, 15]],
        "false_alarms": [[20, 25]],
        "score": 0.5,
    }


def test_merge_and_split_helpers():
    assert merge_spans([(5, 8), (0, 3), (2, 4)]) == [(0, 4), (5, 8)]
    assert merge_spans([(0, 3), (3, 5)]) == [(0, 3), (3, 5)]
    assert merge_spans([(0, 3), (3, 5)], touching=True) == [(0, 5)]
    assert split_at_units([(0, 20)], [(0, 5), (7, 12), (14, 30)]) == [(0, 5), (7, 12), (14, 20)]


# --- input validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ("0-5", "list of"),
        (None, "list of"),
        ([[0]], "pair"),
        ([[0, 1, 2]], "pair"),
        (["ab"], "pair"),
        ([[0.0, 3]], "integers"),
        ([[True, 3]], "integers"),
        ([["0", 3]], "integers"),
        ([[-1, 3]], "negative"),
        ([[2, 11]], "past the end"),
        ([[4, 4]], "smaller than end"),
        ([[5, 2]], "smaller than end"),
    ],
)
def test_bad_spans_get_a_clear_message(spans, message):
    with pytest.raises(SpanError, match=message):
        check_spans(spans, 10, "flagged")
    with pytest.raises(ValueError, match="flagged"):
        score_spans(10, [], spans)


def test_check_spans_accepts_lists_and_tuples():
    assert check_spans([[0, 1], (2, 10)], 10) == [(0, 1), (2, 10)]


# --- properties ------------------------------------------------------------------------------

TEXT_LENGTH = 60


@st.composite
def spans(draw, max_size=6):
    pairs = draw(st.lists(st.tuples(st.integers(0, TEXT_LENGTH - 1), st.integers(1, TEXT_LENGTH)), max_size=max_size))
    return [(a, b) for a, b in pairs if a < b]


@st.composite
def disjoint_spans(draw):
    return merge_spans(draw(spans()), touching=True)


@given(spans(), spans())
def test_iou_is_symmetric(a, b):
    assert iou(a, b) == iou(b, a)


@given(disjoint_spans())
def test_flagging_exactly_the_gold_scores_one(gold):
    result = score_spans(TEXT_LENGTH, gold, gold)
    assert result.iou == 1.0
    assert result.claim_f1 == 1.0
    assert result.score == 1.0
    assert result.found == tuple(range(len(gold)))
    assert not result.false_alarms


@given(disjoint_spans().filter(bool))
def test_flagging_nothing_gives_zero_recall(gold):
    result = score_spans(TEXT_LENGTH, gold, [])
    assert result.recall == 0.0
    assert result.claim_recall == 0.0
    assert result.score == 0.0
    assert result.missed == tuple(range(len(gold)))


@given(disjoint_spans(), spans(), st.sampled_from(["claim_f1", "iou"]))
def test_every_measure_is_between_zero_and_one(gold, flagged, grading):
    result = score_spans(TEXT_LENGTH, gold, flagged, grading=grading)
    for value in (result.iou, result.precision, result.recall, result.f1, result.claim_precision,
                  result.claim_recall, result.claim_f1, result.score):
        assert 0.0 <= value <= 1.0
    assert sorted(result.found + result.missed) == list(range(len(gold)))


# --- segmentation ----------------------------------------------------------------------------


def _units(text, lang):
    return [text[start:end] for start, end in unit_spans(text, lang)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Sales rose. Costs fell.", "en", ["Sales rose.", "Costs fell."]),
        ("Prices, e.g. for steel, rose 3.5% in 2024. Then they fell.", "en",
         ["Prices, e.g. for steel, rose 3.5% in 2024.", "Then they fell."]),
        ("Mr. Smith met Dr. Jones. They agreed.", "en", ["Mr. Smith met Dr. Jones.", "They agreed."]),
        ("See No. 5 of the list. The answer was no. Then we left.", "en",
         ["See No. 5 of the list.", "The answer was no.", "Then we left."]),
        ('He said "It works." Then he left.', "en", ['He said "It works."', "Then he left."]),
        ("The U.S. market grew. Europe did not.", "en", ["The U.S. market grew.", "Europe did not."]),
        ("Costs fell sharply last year, but margins stayed flat.", "en",
         ["Costs fell sharply last year,", "but margins stayed flat."]),
        ("Google's Project Aristotle, which studied teams, ended.", "en",
         ["Google's Project Aristotle, which studied teams, ended."]),
        ("1. The move is delayed.\n2. The freeze stays. It hurts.", "en",
         ["1. The move is delayed.", "2. The freeze stays.", "It hurts."]),
        ("Paris, London and Berlin grew.", "en", ["Paris, London and Berlin grew."]),
        ("Two rules apply: be brief; check every figure.", "en",
         ["Two rules apply:", "be brief;", "check every figure."]),
        ("Meet at 10:30 sharp. Bring 3,000 copies.", "en", ["Meet at 10:30 sharp.", "Bring 3,000 copies."]),
        ("Is it true? Yes! Really.", "en", ["Is it true?", "Yes!", "Really."]),
        ("Line one\nLine two\n\n- a bullet point", "en", ["Line one", "Line two", "- a bullet point"]),
        ("Selon M. Dupont, la hausse atteint 1,5 % en 2024. Elle ralentit.", "fr",
         ["Selon M. Dupont, la hausse atteint 1,5 % en 2024.", "Elle ralentit."]),
        ("Certains secteurs, p. ex. La Poste, recrutent. Les autres non.", "fr",
         ["Certains secteurs, p. ex. La Poste, recrutent.", "Les autres non."]),
        ("L'art. L1234-1 du Code du travail s'applique. Le préavis court.", "fr",
         ["L'art. L1234-1 du Code du travail s'applique.", "Le préavis court."]),
        ("Le délai est d'un mois : il court dès la notification.", "fr",
         ["Le délai est d'un mois :", "il court dès la notification."]),
        ("Le chiffre d'affaires progresse, mais la marge recule.", "fr",
         ["Le chiffre d'affaires progresse,", "mais la marge recule."]),
        ("Il a dit : « C'est réglé. » Puis il est parti.", "fr", ["Il a dit :", "« C'est réglé. »", "Puis il est parti."]),
        ("Les ventes montent encore, alors que les coûts baissent.", "fr",
         ["Les ventes montent encore,", "alors que les coûts baissent."]),
        ("Déconnexion entre 20 h et 8 h. Après deux mois, fin.", "fr", ["Déconnexion entre 20 h et 8 h.", "Après deux mois, fin."]),
        ("", "en", []),
        ("   \n  ", "en", []),
    ],
)
def test_segmentation(text, lang, expected):
    assert _units(text, lang) == expected


def test_units_say_whether_they_end_a_sentence():
    kinds = [unit.kind for unit in segment("Costs fell sharply last year, but margins stayed flat. Fine.", "en")]
    assert kinds == ["clause", "sentence", "sentence"]


_PROSE = st.lists(
    st.sampled_from(list("abcXYZ 0123.,;:!?\"«»()\n\u00a0é") + ["e.g.", " M. ", " but ", " mais ", "3.5", "1,5 %"]),
    max_size=60,
).map("".join)


@settings(max_examples=300)
@given(_PROSE, st.sampled_from(["en", "fr", None]))
def test_units_cover_the_text_without_overlap(text, lang):
    units = unit_spans(text, lang)
    position = 0
    for start, end in units:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""  # only spaces between units
        assert not text[start].isspace() and not text[end - 1].isspace()
        position = end
    assert text[position:].strip() == ""
