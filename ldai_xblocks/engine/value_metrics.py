"""The L&D dashboard's figures, computed from xAPI statements of our profile: pure, no Django.

Why here and over plain rows: the figures are what an employer shows to prove the training changed
something, so their rules (what "attempted" means, which attempt is "before", when a group is too small
to show) must be one implementation, testable without a database, and the same whether the statements
came from the LTI tool's own launches or from Open edX through event-routing-backends. Everything is read
from the statement PROFILE (``engine.xapi``: verbs and extensions), never from an activity's internals, so
an activity added later is counted as soon as its events map to the profile.

Privacy: a figure about a group of fewer than ``minimum`` learners is withheld (``hidden``): the shell says
"fewer than N learners" instead of a number that could point at one person. Learner free text never
enters a row (the statement's allow-list already keeps it out).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import xapi

DEFAULT_MINIMUM_GROUP = 5

# The adoption funnel's stages, from the verbs of the profile (a later stage implies the earlier ones).
LAUNCHED, ATTEMPTED, COMPLETED, PASSED = 1, 2, 3, 4
STAGES = ("launched", "attempted", "completed", "passed")
_VERB_STAGE = {"launched": LAUNCHED, "completed": COMPLETED, "accepted": COMPLETED, "terminated": ATTEMPTED}
_VERB_BY_IRI = {verb.iri: key for key, verb in xapi.VERBS.items()}
_ACTIVITY_BY_TYPE = {iri: key for key, iri in xapi.ACTIVITY_TYPES.items() if key != "question"}


def mean_of(total: float, count: int, digits: int = 4) -> float:
    """A mean as shown, from a sum: rounded to 9 digits first, so a database's sum (added in another order)
    and Python's exact one round to the same figure."""
    return round(round(total / count, 9), digits)


def stage_of(verb: str, success: bool | None) -> int:
    """How far one statement takes its learner: passed > completed > attempted > launched.

    Only a completion can pass: a quiz question answered right (its own ``success``) is an attempt.
    """
    if success is True and verb == "completed":
        return PASSED
    return _VERB_STAGE.get(verb, ATTEMPTED)


def completion_actions() -> tuple[str, ...]:
    """The event actions whose statement completes an activity (verb ``completed``): the ones that can pass."""
    return tuple(action for action, mapping in xapi.MAPPINGS.items() if mapping.verb == "completed")


def stage_by_action() -> dict[str, int]:
    """The stage of each event action (success aside): what SQL needs to rank statements without their body."""
    return {action: stage_of(mapping.verb, None) for action, mapping in xapi.MAPPINGS.items()}


@dataclass(frozen=True)
class Row:
    """What the figures need of one statement."""

    actor: str
    activity: str
    verb: str
    timestamp: datetime
    job_family: str = ""
    team: str = ""
    score: float | None = None
    success: bool | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict)  # short names: "criterion-scores", ...


def extensions_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The profile's result and context extensions of a statement, under their short names."""
    found: dict[str, Any] = {}
    for part in ((body.get("context") or {}).get("extensions") or {}, (body.get("result") or {}).get("extensions") or {}):
        for iri, value in part.items():
            if isinstance(iri, str) and iri.startswith(xapi.EXTENSION_IRI):
                found[iri.removeprefix(xapi.EXTENSION_IRI)] = value
    return found


def row_from_statement(body: Mapping[str, Any]) -> Row | None:
    """The row of one statement of our profile, or None for a statement of another profile."""
    verb = _VERB_BY_IRI.get((body.get("verb") or {}).get("id"))
    target = body.get("object") or {}
    kind = (target.get("definition") or {}).get("type")
    if kind == xapi.ACTIVITY_TYPES["question"]:  # an answered question: its block is the first parent
        parents = ((body.get("context") or {}).get("contextActivities") or {}).get("parent") or [{}]
        kind = (parents[0].get("definition") or {}).get("type")
    activity = _ACTIVITY_BY_TYPE.get(kind)
    if verb is None or activity is None:
        return None
    result = body.get("result") or {}
    extensions = extensions_of(body)
    stamp = datetime.fromisoformat(str(body.get("timestamp")).replace("Z", "+00:00"))
    return Row(
        actor=str(((body.get("actor") or {}).get("account") or {}).get("name", "")), activity=activity, verb=verb,
        timestamp=stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC),
        job_family=str(extensions.get("job-family") or ""), team=str(extensions.get("team") or ""),
        score=(result.get("score") or {}).get("scaled"), success=result.get("success"), extensions=extensions,
    )


# ------------------------------------------------------------------------------------------ facts

# Extensions the figures read, kept beside each statement as (kind, key, value) facts so a database can
# aggregate them without parsing JSON: maps give one fact per key, lists one per item, a word one fact.
FACT_EXTENSIONS = {
    "risk-category-scores": "category", "criterion-scores": "criterion", "competence-levels": "level",
    "confidential-data-kinds": "confidential", "competences": "priority", "charter-version": "charter",
    "minutes-saved-per-week": "minutes", "prepost-pair": "pair", "prepost-role": "pair-role",
}


def facts_of(extensions: Mapping[str, Any]) -> list[tuple[str, str, float | None]]:
    """The facts of one statement's extensions; an empty list still leaves a fact (key "") so "none now" is known."""
    facts: list[tuple[str, str, float | None]] = []
    for extension, kind in FACT_EXTENSIONS.items():
        value = extensions.get(extension)
        if isinstance(value, Mapping):
            facts += [(kind, str(k)[:100], float(v)) for k, v in value.items()]
        elif isinstance(value, list | tuple):
            facts += [(kind, str(k)[:100], None) for k in value] or [(kind, "", None)]
        elif isinstance(value, str):
            facts.append((kind, value[:100], None))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            facts.append((kind, "", float(value)))
    return facts


# ------------------------------------------------------------------------------------------ filters


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: a period (inclusive start, exclusive end), a job family, a team ("" = all).

    A period is made of whole UTC days (:meth:`whole_days`): from 00:00 UTC of the day of ``since`` to 00:00 UTC
    after the last day that ``until`` reaches into. Why: the LTI tool keeps per-learner summaries by UTC day so
    its dashboard answers in under a second; a day is then wholly inside or outside the period, and the figures
    from summaries equal the figures from the statements. The dashboard's form gives whole days anyway.
    """

    since: datetime | None = None
    until: datetime | None = None
    job_family: str = ""
    team: str = ""

    def whole_days(self) -> Filters:
        """The same filters with the period widened to whole UTC days (a period already of whole days is unchanged)."""
        def midnight(moment: datetime) -> datetime:
            moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
            return moment.replace(hour=0, minute=0, second=0, microsecond=0)

        since = midnight(self.since) if self.since is not None else None
        until = None
        if self.until is not None:
            until = midnight(self.until)
            until = until if until == (self.until.astimezone(UTC) if self.until.tzinfo else self.until.replace(tzinfo=UTC)) \
                else until + timedelta(days=1)
        return Filters(since, until, self.job_family, self.team)


def learner_attribute(rows: Iterable[Row], name: str) -> dict[str, str]:
    """Each learner's latest non-empty ``job_family`` or ``team``: launches carry none, so it is the learner's, not the row's."""
    latest: dict[str, tuple[datetime, str]] = {}
    for row in rows:
        value = getattr(row, name)
        if value and (row.actor not in latest or row.timestamp >= latest[row.actor][0]):
            latest[row.actor] = (row.timestamp, value)
    return {actor: value for actor, (_, value) in latest.items()}


def apply_filters(rows: Iterable[Row], filters: Filters, families: Mapping[str, str] | None = None,
                  teams: Mapping[str, str] | None = None) -> list[Row]:
    """The rows of the period, of the learners whose job family and team (over all time) match."""
    rows = list(rows)
    keep = set()
    families = learner_attribute(rows, "job_family") if families is None else families
    teams = learner_attribute(rows, "team") if teams is None else teams
    for row in rows:
        if filters.job_family and families.get(row.actor) != filters.job_family:
            continue
        if filters.team and teams.get(row.actor) != filters.team:
            continue
        keep.add(row.actor)
    return [
        r for r in rows if r.actor in keep
        and (filters.since is None or r.timestamp >= filters.since) and (filters.until is None or r.timestamp < filters.until)
    ]


# ------------------------------------------------------------------------------------------ figures


@dataclass(frozen=True)
class FunnelRow:
    activity: str
    job_family: str
    launched: int
    attempted: int
    completed: int
    passed: int | None  # None: the activity has no pass mark (no completion said passed or failed)
    hidden: bool  # fewer learners than the minimum reached this group

    @property
    def learners(self) -> int:
        return self.launched


def funnel_from_stages(stages: Mapping[tuple[str, str], Mapping[int, int]], pass_marks: set[str], minimum: int) -> list[FunnelRow]:
    """The funnel from {(activity, job family): {furthest stage: learners}}: the SQL path and the rows path meet here.

    Cumulative by construction: a learner who passed also completed, attempted and launched (Open edX sends
    no "launched", yet its learners count at the first step), so each step is at most the one before.
    ``pass_marks``: the activities whose completions say passed or failed (others have no "passed" step).
    """
    table = []
    for (activity, family), counts in sorted(stages.items()):
        at_least = [sum(n for stage, n in counts.items() if stage >= step) for step in (LAUNCHED, ATTEMPTED, COMPLETED, PASSED)]
        passed = at_least[3] if activity in pass_marks else None
        table.append(FunnelRow(activity, family, *at_least[:3], passed, hidden=at_least[0] < minimum))
    return table


def furthest_stages(rows: Iterable[Row], families: Mapping[str, str] | None = None) -> tuple[dict[tuple[str, str], dict[int, int]], set[str]]:
    """({(activity, job family): {furthest stage: learners}}, activities with a pass mark)."""
    furthest: dict[tuple[str, str], int] = {}
    rows = list(rows)
    families = learner_attribute(rows, "job_family") if families is None else families
    pass_marks = set()
    for row in rows:
        key = (row.activity, row.actor)
        furthest[key] = max(furthest.get(key, 0), stage_of(row.verb, row.success))
        if row.verb == "completed" and row.success is not None:
            pass_marks.add(row.activity)
    stages: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (activity, actor), stage in furthest.items():
        stages[(activity, families.get(actor, ""))][stage] += 1
    return stages, pass_marks


def funnel(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP, families: Mapping[str, str] | None = None) -> list[FunnelRow]:
    """``families``: each learner's job family (default: from these rows; the dashboard passes it from all time)."""
    stages, pass_marks = furthest_stages(rows, families)
    return funnel_from_stages(stages, pass_marks, minimum)


@dataclass(frozen=True)
class MeanFigure:
    """A mean over learners (each learner counted once, with their latest value) in one group."""

    group: str
    learners: int
    mean: float | None  # None when hidden
    hidden: bool


def _latest_per_learner(rows: Iterable[Row], extension: str, verbs: tuple[str, ...] = ("completed",)) -> dict[str, Any]:
    latest: dict[str, tuple[datetime, Any]] = {}
    for row in rows:
        value = row.extensions.get(extension)
        if row.verb in verbs and value is not None and (row.actor not in latest or row.timestamp >= latest[row.actor][0]):
            latest[row.actor] = (row.timestamp, value)
    return {actor: value for actor, (_, value) in latest.items()}


def _means(values: Mapping[str, list[float]], minimum: int) -> list[MeanFigure]:
    return [
        MeanFigure(group, len(v), None if len(v) < minimum else mean_of(math.fsum(v), len(v)), len(v) < minimum)
        for group, v in sorted(values.items())
    ]


def _latest_per_learner_key(rows: Iterable[Row], extension: str, verbs: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """{key: {learner: latest value}} of a {key: number} extension: a map that names only some keys keeps the others."""
    latest: dict[tuple[str, str], tuple[datetime, float]] = {}
    for row in rows:
        values = row.extensions.get(extension)
        if row.verb in verbs and isinstance(values, Mapping):
            for key, value in values.items():
                if (row.actor, key) not in latest or row.timestamp >= latest[(row.actor, key)][0]:
                    latest[(row.actor, key)] = (row.timestamp, float(value))
    per_key: dict[str, dict[str, float]] = defaultdict(dict)
    for (actor, key), (_, value) in latest.items():
        per_key[key][actor] = value
    return per_key


def scores_by_risk_category(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP) -> list[MeanFigure]:
    """Each learner's latest score per risk category (``risk-category-scores``), averaged over learners."""
    per_category = _latest_per_learner_key(rows, "risk-category-scores", ("completed",))
    return _means({category: list(v.values()) for category, v in per_category.items()}, minimum)


@dataclass(frozen=True)
class BeforeAfter:
    """First graded attempt ("before") against the best one ("after"), per activity; a learner who
    took the quiz twice (pre- and post-test) is counted the same way."""

    activity: str
    learners: int
    first: float | None
    best: float | None
    hidden: bool
    improved: int = 0  # learners whose best beats their first attempt (0 when hidden)

    @property
    def gain(self) -> float | None:
        return None if self.first is None or self.best is None else round(self.best - self.first, 4)


@dataclass(frozen=True)
class LearnerGain:
    learner: str  # the anonymous id (the shell shortens it or joins the platform's name)
    activity: str
    first: float
    best: float
    attempts: int


def learner_gains(rows: Iterable[Row]) -> list[LearnerGain]:
    graded: dict[tuple[str, str], list[tuple[datetime, float]]] = defaultdict(list)
    for row in rows:
        if row.verb == "completed" and row.score is not None:
            graded[(row.activity, row.actor)].append((row.timestamp, float(row.score)))
    gains = []
    for (activity, actor), attempts in sorted(graded.items()):
        attempts.sort(key=lambda a: a[0])
        gains.append(LearnerGain(actor, activity, attempts[0][1], max(s for _, s in attempts), len(attempts)))
    return gains


def _compare_groups(members: Iterable, group_of, before_of, after_of, minimum: int) -> list[tuple]:
    """(group, learners, mean before, mean after, hidden, learners who improved) per group, sorted: before/after and pre/post alike."""
    groups: dict[str, list] = defaultdict(list)
    for member in members:
        groups[group_of(member)].append(member)
    compared = []
    for group, people in sorted(groups.items()):
        n, hidden = len(people), len(people) < minimum
        compared.append((group, n, None if hidden else mean_of(math.fsum(before_of(m) for m in people), n),
                         None if hidden else mean_of(math.fsum(after_of(m) for m in people), n), hidden,
                         0 if hidden else sum(1 for m in people if after_of(m) > before_of(m))))
    return compared


def before_after(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP) -> tuple[list[BeforeAfter], list[LearnerGain]]:
    """Per cohort (activity) and per learner; a learner's line is shown only inside a cohort large enough."""
    gains = learner_gains(rows)
    figures = [BeforeAfter(*compared) for compared in _compare_groups(gains, lambda g: g.activity, lambda g: g.first, lambda g: g.best, minimum)]
    shown = {f.activity for f in figures if not f.hidden}
    return figures, [g for g in gains if g.activity in shown]


@dataclass(frozen=True)
class PrePost:
    """A pre/post pair of quizzes (``prepost-pair``): each learner's first pre-test score against their best post-test score."""

    pair: str
    learners: int  # learners who took both
    pre: float | None
    post: float | None
    hidden: bool
    improved: int = 0

    @property
    def gain(self) -> float | None:
        return None if self.pre is None or self.post is None else round(self.post - self.pre, 4)


@dataclass(frozen=True, order=True)
class LearnerPrePost:
    learner: str
    pair: str
    pre: float
    post: float


PREPOST_ROLES = ("pre", "post")


def pre_post(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP) -> tuple[list[PrePost], list[LearnerPrePost]]:
    """Per pair and per learner, for learners with a graded pre-test AND post-test in the rows.

    "Pre" is the learner's first graded attempt on the pair's pre-test (before any training effect of a retry),
    "post" their best on its post-test (as a grade counts). A learner's line is shown only inside a pair large enough.
    """
    first: dict[tuple[str, str], tuple[datetime, float]] = {}
    best: dict[tuple[str, str], float] = {}
    for row in rows:
        pair, role = row.extensions.get("prepost-pair"), row.extensions.get("prepost-role")
        if row.verb != "completed" or row.score is None or not pair or role not in PREPOST_ROLES:
            continue
        key = (str(pair), row.actor)
        if role == "pre" and (key not in first or row.timestamp < first[key][0]):
            first[key] = (row.timestamp, float(row.score))
        elif role == "post":
            best[key] = max(best.get(key, float(row.score)), float(row.score))
    return pre_post_from_lines([LearnerPrePost(actor, pair, first[(pair, actor)][1], best[(pair, actor)]) for pair, actor in set(first) & set(best)],
                               minimum)


def pre_post_from_lines(lines: Iterable[LearnerPrePost], minimum: int) -> tuple[list[PrePost], list[LearnerPrePost]]:
    """The pairs' figures from each learner's (pre, post): the rows path and the SQL path meet here."""
    lines = sorted(lines)
    figures = [PrePost(*compared) for compared in _compare_groups(lines, lambda m: m.pair, lambda m: m.pre, lambda m: m.post, minimum)]
    shown = {f.pair for f in figures if not f.hidden}
    return figures, [line for line in lines if line.pair in shown]


@dataclass(frozen=True)
class CriterionStep:
    criterion: str
    attempt: int  # 1, 2, ... ; the last bucket holds every later attempt too
    learners: int
    mean: float | None
    hidden: bool


def criterion_progression(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP, buckets: int = 3) -> list[CriterionStep]:
    """Prompt quality per rubric criterion (``criterion-scores``) at a learner's 1st, 2nd, 3rd+ graded score on it.

    Counted per criterion (a rubric scores every criterion of every prompt, so it is the learner's 1st, 2nd,
    3rd+ graded prompt): what the LTI tool's per-learner summaries can keep without reading every statement.
    """
    per_criterion: dict[tuple[str, str], list[tuple[datetime, float]]] = defaultdict(list)
    for row in rows:
        criteria = row.extensions.get("criterion-scores")
        if row.verb == "completed" and isinstance(criteria, Mapping):
            for criterion, value in criteria.items():
                per_criterion[(row.actor, str(criterion))].append((row.timestamp, float(value)))
    values: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for (actor, criterion), scores in per_criterion.items():
        scores.sort(key=lambda a: a[0])
        for index, (_, value) in enumerate(scores):
            values[(criterion, min(index + 1, buckets))][actor] = value  # the latest in the bucket
    return [
        CriterionStep(criterion, attempt, len(v), None if len(v) < minimum else mean_of(math.fsum(v.values()), len(v)), len(v) < minimum)
        for (criterion, attempt), v in sorted(values.items())
    ]


@dataclass(frozen=True)
class CountFigure:
    """How many events, and how many distinct learners, in one group."""

    group: str
    events: int
    learners: int
    hidden: bool


def _counts(pairs: Iterable[tuple[str, str]], minimum: int) -> list[CountFigure]:
    events: dict[str, int] = defaultdict(int)
    learners: dict[str, set[str]] = defaultdict(set)
    for group, actor in pairs:
        events[group] += 1
        learners[group].add(actor)
    return [CountFigure(g, events[g], len(learners[g]), len(learners[g]) < minimum) for g in sorted(events)]


def confidential_warnings(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP) -> list[CountFigure]:
    """Confidential data the guard caught, by kind (``confidential-data-kinds``): counts only, never the text."""
    return _counts(((kind, r.actor) for r in rows for kind in (r.extensions.get("confidential-data-kinds") or ())), minimum)


@dataclass(frozen=True)
class SkillGap:
    competence: str
    learners: int  # learners of the skills map with a known self-assessment or priority list
    priority: int  # of whom this competence is among their priorities (a gap to close)
    self_level: float | None  # mean self-assessed level (0-3)
    hidden: bool


def skills_gaps(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP) -> list[SkillGap]:
    """From the skills map's statements: each learner's latest priorities (``competences``) and self-levels."""
    rows = [r for r in rows if r.activity == "skills_map"]
    priorities = _latest_per_learner(rows, "competences", verbs=("completed", "launched"))
    levels = _latest_per_learner_key(rows, "competence-levels", ("interacted",))
    population = set(priorities) | {actor for v in levels.values() for actor in v}
    competences = {c for v in priorities.values() for c in v} | set(levels)
    hidden = len(population) < minimum
    gaps = []
    for competence in sorted(competences):
        marks = list(levels.get(competence, {}).values())
        count = sum(1 for v in priorities.values() if competence in v)
        gaps.append(SkillGap(competence, len(population), 0 if hidden else count,
                             None if hidden or len(marks) < minimum else mean_of(math.fsum(marks), len(marks), 2), hidden))
    return gaps


def charter_acceptances(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP) -> list[CountFigure]:
    """Learners who accepted each version of the charter (``charter-version``), each counted at their latest acceptance."""
    latest = _latest_per_learner(rows, "charter-version", verbs=("accepted",))
    return _counts(((str(version), actor) for actor, version in latest.items()), minimum)


@dataclass(frozen=True)
class UseCaseFigure:
    job_family: str
    authors: int  # learners who recorded at least one case
    recorded: int
    validated: int
    adopted: int
    minutes_per_week: int  # minutes saved per week, summed over validated cases
    hidden: bool


def use_cases(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP, families: Mapping[str, str] | None = None) -> list[UseCaseFigure]:
    """Cases recorded (shared), validated (approved, with ``minutes-saved-per-week``) and adopted, per job family.

    A case counts in its learner's job family (their latest, as every figure), not in the family its statement
    named: the same learner's cases stay in one group, and the LTI tool's summaries can count them per learner.
    """
    rows = list(rows)
    families = learner_attribute(rows, "job_family") if families is None else families
    groups: dict[str, dict[str, Any]] = defaultdict(lambda: {"authors": set(), "shared": 0, "approved": 0, "adopted": 0, "minutes": 0})
    for row in rows:
        if row.activity != "use_case" or row.verb not in ("shared", "approved", "adopted"):
            continue
        group = groups[families.get(row.actor, "")]
        group[row.verb] += 1
        if row.verb == "shared":
            group["authors"].add(row.actor)
        if row.verb == "approved":
            group["minutes"] += int(row.extensions.get("minutes-saved-per-week") or 0)
    figures = []
    for family, g in sorted(groups.items()):
        hidden = len(g["authors"]) < minimum
        figures.append(UseCaseFigure(family, len(g["authors"]), g["shared"], g["approved"], g["adopted"], g["minutes"], hidden))
    return figures


def perceived_usage(rows: Iterable[Row], minimum: int = DEFAULT_MINIMUM_GROUP) -> list[MeanFigure]:
    """Managers' ratings of their team's AI usage (verb ``rated``, scaled score), by month."""
    per_month: dict[str, dict[str, float]] = defaultdict(dict)
    for row in sorted(rows, key=lambda r: r.timestamp):
        if row.verb == "rated" and row.score is not None:
            per_month[row.timestamp.strftime("%Y-%m")][row.actor] = float(row.score)  # a manager's latest rating that month
    return _means({month: list(v.values()) for month, v in per_month.items()}, minimum)


@dataclass(frozen=True)
class Dashboard:
    funnel: list[FunnelRow]
    categories: list[MeanFigure]
    cohorts: list[BeforeAfter]
    learners: list[LearnerGain]
    criteria: list[CriterionStep]
    warnings: list[CountFigure]
    skills: list[SkillGap]
    charter: list[CountFigure]
    use_cases: list[UseCaseFigure]
    usage: list[MeanFigure]
    pre_post: list[PrePost] = field(default_factory=list)
    pre_post_learners: list[LearnerPrePost] = field(default_factory=list)


def dashboard(rows: Iterable[Row], filters: Filters = Filters(), minimum: int = DEFAULT_MINIMUM_GROUP) -> Dashboard:
    """Every figure from one list of rows (the naive path the bench compares the SQL path with)."""
    rows = list(rows)
    families, teams = learner_attribute(rows, "job_family"), learner_attribute(rows, "team")
    rows = apply_filters(rows, filters.whole_days(), families, teams)
    return figures(rows, funnel(rows, minimum, families), families, minimum)


def figures(rows: list[Row], funnel_rows: list[FunnelRow], families: Mapping[str, str], minimum: int) -> Dashboard:
    """The figures other than the funnel, from the (filtered) rows that carry them."""
    cohorts, learners = before_after(rows, minimum)
    pairs, pair_learners = pre_post(rows, minimum)
    return Dashboard(
        funnel_rows, scores_by_risk_category(rows, minimum), cohorts, learners, criterion_progression(rows, minimum),
        confidential_warnings(rows, minimum), skills_gaps(rows, minimum), charter_acceptances(rows, minimum),
        use_cases(rows, minimum, families), perceived_usage(rows, minimum), pairs, pair_learners,
    )
