"""engine/skills_cohort.py: the cohort heat map and its privacy rule (no figure from fewer than min_group learners)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine import skills, skills_cohort
from ldai_xblocks.engine.skills import Target

NOW = datetime(2026, 12, 1, tzinfo=UTC)
TARGETS = {"a": Target(2, 1), "b": Target(3, 2)}
HEADER = {k: k for k in ("job", "competence", "target", "learners", "known", "mean_gap", "below")}


def picture(job: str, levels: dict[str, int]) -> tuple[str, skills.GapReport]:
    return job, skills.assess(TARGETS, levels, [], NOW)


def test_cells_show_the_mean_gap_in_levels_and_the_share_below_target():
    pictures = [picture("finance", {"a": 2, "b": 1}), picture("finance", {"a": 1, "b": 3}), picture("finance", {"a": 0, "b": 3})]
    cohort = skills_cohort.build(pictures, ["b", "a", "zzz"], min_group=3)
    assert cohort.jobs == ("finance",) and cohort.competences == ("b", "a") and cohort.learners == {"finance": 3}
    a = cohort.cell("finance", "a")
    assert (a.known, a.mean_gap, a.below_target) == (3, 1.0, round(2 / 3, 3))
    assert cohort.cell("finance", "b").mean_gap == round(2 / 3, 3)


def test_small_groups_and_thin_cells_are_hidden_and_min_group_never_goes_below_three():
    pictures = [picture("hr", {"a": 1})] * 2 + [picture("sales", {"a": 1, "b": 1})] * 3 + [picture("sales", {"a": 2})] * 1
    cohort = skills_cohort.build(pictures, ["a", "b"], min_group=1)
    assert cohort.min_group == 3
    assert cohort.jobs == ("sales",) and cohort.hidden_jobs == ("hr",)
    assert cohort.cell("sales", "a").mean_gap is not None
    assert cohort.cell("sales", "b").known == 3 and not cohort.cell("sales", "b").hidden
    cohort = skills_cohort.build(pictures, ["a", "b"], min_group=4)
    assert cohort.cell("sales", "b").hidden and cohort.cell("sales", "b").known == 3


def test_csv_has_a_row_per_cell_and_defuses_formulas():
    pictures = [picture("finance", {"a": 1, "b": 1})] * 3
    cohort = skills_cohort.build(pictures, ["a", "b"], min_group=3)
    text = skills_cohort.to_csv(cohort, {"finance": "=Finance"}, {"a": "A", "b": "B"}, HEADER)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(HEADER.values())
    assert rows[1] == ["'=Finance", "A", "2", "3", "3", "1.00", "100"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["finance", "hr", "sales"]),
                          st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3))), max_size=25),
       st.integers(0, 8))
def test_no_figure_ever_rests_on_fewer_than_min_group_learners(rows, min_group):
    cohort = skills_cohort.build([picture(job, levels) for job, levels in rows], ["a", "b"], min_group)
    for job in cohort.jobs:
        assert cohort.learners[job] >= cohort.min_group
    for cell in cohort.cells.values():
        assert cell.hidden or cell.known >= cohort.min_group
        assert cell.hidden or 0 <= cell.mean_gap <= 3
    assert skills_cohort.shade(None) == -1 and skills_cohort.shade(0) == 0 and skills_cohort.shade(3) == 4
