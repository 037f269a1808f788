"""Segmentation is remembered per process (a detector submit segments each text several times): the
remembered units must never leak a caller's changes, and the answer must be the one computed afresh."""

from __future__ import annotations

from ldai_xblocks.engine import segmentation

TEXT = "Revenue grew 12% in 2023; the board approved it. Mr. Smith left, but the plan stayed."


def test_a_remembered_segmentation_equals_a_fresh_one_and_is_a_new_list_each_time():
    segmentation._segment.cache_clear()
    first = segmentation.segment(TEXT, "en")
    first.append(segmentation.Unit(0, 1, "sentence"))  # a caller changing its list
    second = segmentation.segment(TEXT, "en")
    assert segmentation._segment.cache_info().hits == 1
    segmentation._segment.cache_clear()
    assert second == segmentation.segment(TEXT, "en") == first[:-1]
    assert segmentation.unit_spans(TEXT, "fr-CA") == [u.span for u in segmentation.segment(TEXT, "fr")]
