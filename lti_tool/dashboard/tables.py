"""The figures as the reader gets them: one captioned table per figure, its chart, its sentence, its CSV.

Why one structure for the page and the CSV: every table on the page can be downloaded exactly as shown,
withheld cells included ("fewer than 5 learners"), so an export never reveals what the page hides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.i18n import N_, gettext_for

from .charts import Bar, bar_chart

ACTIVITY_LABELS = {
    "risk_quiz": N_("Risk quiz"),
    "hallucination_detector": N_("Hallucination hunt"),
    "prompt_sandbox": N_("Prompt sandbox"),
    "skills_map": N_("Skills map"),
    "charter": N_("AI charter"),
    "use_case": N_("Use cases"),
}
TABLE_KEYS = ("funnel", "categories", "cohorts", "learners", "pre_post", "pre_post_learners", "criteria", "warnings", "skills", "charter", "use_cases",
              "usage")


PAGE_ROWS = 50  # a table longer than this shows its first rows on the page; its CSV has them all


@dataclass
class Table:
    key: str
    title: str
    summary: str  # the figures in one sentence (read before the chart and the table)
    headers: list[str]
    rows: list[list[str | int | float]] = field(default_factory=list)
    chart: Markup | None = None
    empty: str = ""
    total: int | None = None  # lines in all, when ``rows`` holds only the page's first ones

    @property
    def page_rows(self) -> list[list[str | int | float]]:
        return self.rows[:PAGE_ROWS]

    @property
    def line_count(self) -> int:
        return len(self.rows) if self.total is None else max(self.total, len(self.rows))


class Formatter:
    """Numbers and withheld cells in the reader's language."""

    def __init__(self, language: str, minimum: int):
        self._ = gettext_for(language)
        self.minimum = minimum
        self.hidden = self._("fewer than {n} learners").format(n=minimum)
        self.no_pass_mark = self._("no pass mark")

    def activity(self, key: str) -> str:
        return self._(ACTIVITY_LABELS[key]) if key in ACTIVITY_LABELS else key

    def family(self, key: str) -> str:
        return key or self._("(not given)")

    def percent(self, value: float | None) -> str:
        return "—" if value is None else f"{round(value * 100)} %"


def _funnel(d: vm.Dashboard, f: Formatter) -> Table:
    _ = f._
    table = Table("funnel", _("Adoption funnel"), "", [_("Activity"), _("Job family"), _("Launched"), _("Attempted"), _("Completed"), _("Passed")],
                  empty=_("No learner has opened an activity in this period."))
    bars = []
    shown = [r for r in d.funnel if not r.hidden]
    for r in d.funnel:
        label = f"{f.activity(r.activity)} · {f.family(r.job_family)}"
        if r.hidden:
            table.rows.append([f.activity(r.activity), f.family(r.job_family), f.hidden, f.hidden, f.hidden, f.hidden])
            bars.append(Bar(label, None, f.hidden))
            continue
        table.rows.append([f.activity(r.activity), f.family(r.job_family), r.launched, r.attempted, r.completed,
                           f.no_pass_mark if r.passed is None else r.passed])
        share = r.completed / r.launched if r.launched else 0.0
        bars.append(Bar(label, share, _("{completed} of {launched} completed ({share})").format(
            completed=r.completed, launched=r.launched, share=f.percent(share))))
    table.summary = _("{launched} learners opened an activity, {completed} completed one and {passed} passed one with a pass mark (groups shown).").format(
        launched=sum(r.launched for r in shown), completed=sum(r.completed for r in shown), passed=sum(r.passed or 0 for r in shown))
    table.chart = bar_chart("chart-funnel", _("Share of learners who completed, per activity and job family"), bars, 1.0) if bars else None
    return table


def _means(key: str, title: str, group: str, figures: list[vm.MeanFigure], f: Formatter, empty: str, label=None) -> Table:
    _ = f._
    table = Table(key, title, "", [group, _("Learners"), _("Mean score")], empty=empty)
    bars = []
    for m in figures:
        name = label(m.group) if label else m.group
        table.rows.append([name, m.learners, f.hidden if m.hidden else f.percent(m.mean)])
        bars.append(Bar(name, m.mean, f.hidden if m.hidden else f.percent(m.mean)))
    shown = [m for m in figures if not m.hidden]
    if shown:
        low = min(shown, key=lambda m: m.mean)
        table.summary = _("Lowest: {group} at {mean} ({learners} learners).").format(
            group=label(low.group) if label else low.group, mean=f.percent(low.mean), learners=low.learners)
    table.chart = bar_chart(f"chart-{key}", title, bars, 1.0) if bars else None
    return table


def _compared_rows(table: Table, groups: list[tuple[str, int, float | None, float | None, bool]], f: Formatter) -> list[Bar]:
    """Rows (group, learners, before, after, gain in points) and bars of a before/after comparison; withheld groups say so."""
    bars = []
    for name, learners, before, after, hidden in groups:
        if hidden:
            table.rows.append([name, learners, f.hidden, f.hidden, f.hidden])
            bars.append(Bar(name, None, f.hidden))
            continue
        table.rows.append([name, learners, f.percent(before), f.percent(after), round(round((after or 0) - (before or 0), 4) * 100)])
        bars.append(Bar(name, after, f._("{first} then {best}").format(first=f.percent(before), best=f.percent(after))))
    return bars


def _cohorts(d: vm.Dashboard, f: Formatter) -> tuple[Table, Table]:
    _ = f._
    cohorts = Table("cohorts", _("Before and after, per cohort: first attempt and best attempt"), "",
                    [_("Activity"), _("Learners"), _("First attempt (mean)"), _("Best attempt (mean)"), _("Gain (points)")],
                    empty=_("No graded attempt yet."))
    bars = _compared_rows(cohorts, [(f.activity(c.activity), c.learners, c.first, c.best, c.hidden) for c in d.cohorts], f)
    shown = [c for c in d.cohorts if not c.hidden]
    if shown:
        cohorts.summary = _("Across {count} activities, the mean score went from {first} at the first attempt to {best} at the best one.").format(
            count=len(shown), first=f.percent(sum(c.first for c in shown) / len(shown)), best=f.percent(sum(c.best for c in shown) / len(shown)))
    cohorts.chart = bar_chart("chart-cohorts", _("Best attempt per activity"), bars, 1.0) if bars else None
    learners = Table("learners", _("Before and after, per learner"), "",
                     [_("Learner (anonymous code)"), _("Activity"), _("First attempt"), _("Best attempt"), _("Graded attempts")],
                     empty=_("Shown only for cohorts of at least {n} learners.").format(n=f.minimum))
    for g in d.learners:
        learners.rows.append([g.learner[:8], f.activity(g.activity), f.percent(g.first), f.percent(g.best), g.attempts])
    counted = [c for c in d.cohorts if not c.hidden]
    learners.total = sum(c.learners for c in counted)
    if counted:
        learners.summary = _("{improved} of {total} learners improved on their first attempt.").format(
            improved=sum(c.improved for c in counted), total=sum(c.learners for c in counted))
    return cohorts, learners


def _pre_post(d: vm.Dashboard, f: Formatter) -> tuple[Table, Table]:
    """Quizzes an author paired as pre- and post-test (the risk quiz's "Role in a pre/post pair" setting)."""
    _ = f._
    pairs = Table("pre_post", _("Pre-test and post-test, per pair of quizzes"), "",
                  [_("Pair"), _("Learners who took both"), _("Pre-test (mean of first scores)"), _("Post-test (mean of best scores)"), _("Gain (points)")],
                  empty=_("No learner has taken both quizzes of a pre/post pair yet."))
    bars = _compared_rows(pairs, [(p.pair, p.learners, p.pre, p.post, p.hidden) for p in d.pre_post], f)
    shown = [p for p in d.pre_post if not p.hidden]
    if shown:
        pairs.summary = _("{improved} of {total} learners scored higher on the post-test than on the pre-test.").format(
            improved=sum(p.improved for p in shown), total=sum(p.learners for p in shown))
    pairs.chart = bar_chart("chart-pre_post", _("Post-test score per pair"), bars, 1.0) if bars else None
    learners = Table("pre_post_learners", _("Pre-test and post-test, per learner"), "",
                     [_("Learner (anonymous code)"), _("Pair"), _("Pre-test (first score)"), _("Post-test (best score)")],
                     empty=_("Shown only for pairs of at least {n} learners.").format(n=f.minimum))
    for line in d.pre_post_learners:
        learners.rows.append([line.learner[:8], line.pair, f.percent(line.pre), f.percent(line.post)])
    return pairs, learners


def _criteria(d: vm.Dashboard, f: Formatter) -> Table:
    _ = f._
    table = Table("criteria", _("Prompt quality per criterion, attempt after attempt"), "",
                  [_("Criterion"), _("Graded prompt"), _("Learners"), _("Mean score")], empty=_("No prompt graded yet."))
    bars = []
    last = max((s.attempt for s in d.criteria), default=0)
    for s in d.criteria:
        step = _("{n} and later").format(n=s.attempt) if s.attempt == last and last > 1 else str(s.attempt)
        value = f.hidden if s.hidden else f.percent(s.mean)
        table.rows.append([s.criterion, step, s.learners, value])
        bars.append(Bar(f"{s.criterion} · {step}", s.mean, value))
    table.summary = _("Each learner's prompts in order: the first graded prompt, the second, then the later ones.") if d.criteria else ""
    table.chart = bar_chart("chart-criteria", table.title, bars, 1.0) if bars else None
    return table


def _counts(key: str, title: str, group: str, figures: list[vm.CountFigure], f: Formatter, empty: str, count_label: str) -> Table:
    _ = f._
    table = Table(key, title, "", [group, count_label, _("Learners")], empty=empty)
    bars = []
    for c in figures:
        table.rows.append([c.group, f.hidden if c.hidden else c.events, f.hidden if c.hidden else c.learners])
        bars.append(Bar(c.group, None if c.hidden else c.learners, f.hidden if c.hidden else _("{n} learners").format(n=c.learners)))
    shown = [c for c in figures if not c.hidden]
    if shown:
        table.summary = _("{events} in all, from {learners} learners (groups shown).").format(
            events=sum(c.events for c in shown), learners=sum(c.learners for c in shown))
    table.chart = bar_chart(f"chart-{key}", title, bars) if bars else None
    return table


def _skills(d: vm.Dashboard, f: Formatter) -> Table:
    _ = f._
    table = Table("skills", _("Skills gaps (skills map)"), "", [_("Competence"), _("Learners"), _("Among their priorities"), _("Self-assessed level (0-3)")],
                  empty=_("No skills map statement yet."))
    bars = []
    for s in d.skills:
        if s.hidden:
            table.rows.append([s.competence, s.learners, f.hidden, f.hidden])
            bars.append(Bar(s.competence, None, f.hidden))
            continue
        level = "—" if s.self_level is None else f"{s.self_level:.1f}"
        table.rows.append([s.competence, s.learners, s.priority, level])
        bars.append(Bar(s.competence, s.priority / s.learners if s.learners else 0, _("{n} of {total} learners").format(n=s.priority, total=s.learners)))
    shown = [s for s in d.skills if not s.hidden and s.priority]
    if shown:
        top = max(shown, key=lambda s: s.priority)
        table.summary = _("The most frequent gap: {competence}, a priority for {n} of {total} learners.").format(
            competence=top.competence, n=top.priority, total=top.learners)
    table.chart = bar_chart("chart-skills", _("Share of learners for whom each competence is a priority"), bars, 1.0) if bars else None
    return table


def _use_cases(d: vm.Dashboard, f: Formatter) -> Table:
    _ = f._
    table = Table("use_cases", _("Use cases and time saved"), "",
                  [_("Job family"), _("Authors"), _("Recorded"), _("Validated"), _("Adopted by peers"), _("Minutes saved per week (validated)")],
                  empty=_("No use case recorded yet."))
    bars = []
    for u in d.use_cases:
        name = f.family(u.job_family)
        if u.hidden:
            table.rows.append([name, f.hidden, f.hidden, f.hidden, f.hidden, f.hidden])
            bars.append(Bar(name, None, f.hidden))
            continue
        table.rows.append([name, u.authors, u.recorded, u.validated, u.adopted, u.minutes_per_week])
        bars.append(Bar(name, u.minutes_per_week, _("{n} min per week").format(n=u.minutes_per_week)))
    shown = [u for u in d.use_cases if not u.hidden]
    if shown:
        minutes = sum(u.minutes_per_week for u in shown)
        table.summary = _("{validated} validated use cases save {minutes} minutes per week in all ({hours} hours).").format(
            validated=sum(u.validated for u in shown), minutes=minutes, hours=round(minutes / 60, 1))
    table.chart = bar_chart("chart-use_cases", _("Minutes saved per week, per job family"), bars) if bars else None
    return table


def build(d: vm.Dashboard, language: str, minimum: int) -> list[Table]:
    f = Formatter(language, minimum)
    _ = f._
    cohorts, learners = _cohorts(d, f)
    pairs, pair_learners = _pre_post(d, f)
    return [
        _funnel(d, f),
        _means("categories", _("Scores by risk category (risk quiz)"), _("Risk category"), d.categories, f, _("No risk quiz completed yet.")),
        cohorts,
        learners,
        pairs,
        pair_learners,
        _criteria(d, f),
        _counts("warnings", _("Confidential data caught before it left (by kind; never the content)"), _("Kind of data"), d.warnings, f,
                _("No confidential data caught."), _("Warnings")),
        _skills(d, f),
        _counts("charter", _("Charter acceptances by version"), _("Charter version"), d.charter, f, _("No charter accepted yet."), _("Acceptances")),
        _use_cases(d, f),
        _means("usage", _("Managers' perceived AI usage of their team, by month"), _("Month"), d.usage, f, _("No manager rating yet.")),
    ]
