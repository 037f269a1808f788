"""Each learner's all-time totals: what the dashboard reads when no period is chosen, one small record per learner.

Why: the day summaries (``lti_tool.models.summaries``) answer any period, but every figure over them sorts a row per
learner and key ("each learner's latest category score", "first and best attempt"): ~300 ms a figure at 20,000
learners on a small machine, 3 s a page. Without a period (the page as it opens, and with a job family or team
chosen) every figure is a function of a few values per learner, kept here, merged on write:

====== ===================================================== =============================================
section  per learner (all contexts of the row's one)           merged as
====== ===================================================== =============================================
``a``   per activity: furthest stage, a pass/fail mark, graded  greatest stage, any mark, attempts added,
        attempts, first graded score and its time, best score   earliest first score, greatest best
``c``   per risk category: latest score and its time            latest
``k``   per prompt criterion: graded scores, the two earliest   counts added, two earliest, latest
        (score, time), the latest (score, time)
``w``   per confidential-data kind: warnings                    added
``p``   per skills-map priority: its latest time                latest
``l``   per self-assessed competence: latest level and time     latest
``s``   took part in the skills map (1)                         any
``h``   charter: latest version accepted and its time           latest
``u``   per use-case action and kind: statements, minutes       added
``pre`` per quiz pair: the first pre-test score and its time    earliest
``post`` per quiz pair: the best post-test score                 greatest
====== ===================================================== =============================================

The totals are derived from the learner's DAY rows (:func:`contribution`), so they say exactly what the day
queries of ``aggregates`` say over all days (the tests compare the two and the engine). Times are integer
microseconds since the epoch (exact and comparable in JSON). Pure: no Django; ``summaries`` stores them on the
learner's ``LearnerProfile`` row with their :func:`shown` part (what the figures read), and :func:`figures` turns a scope's
learners into the dashboard's figures.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.engine import xapi

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _actions(*verbs: str) -> frozenset[str]:
    return frozenset(action for action, mapping in xapi.MAPPINGS.items() if mapping.verb in verbs)


COMPLETED = _actions("completed")
PRIORITY_ACTIONS = _actions("completed", "launched")
LEVEL_ACTIONS = _actions("interacted")
ACCEPTED = _actions("accepted")
USE_CASE_VERBS = {action: verb for verb in ("shared", "approved", "adopted") for action in _actions(verb)}


def micros(moment: datetime | None) -> int | None:
    """A time as integer microseconds since the epoch (naive times are UTC, as Django stores them)."""
    if moment is None:
        return None
    return ((moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - EPOCH) // _MICRO


def _later(old, new, at: int = 1):
    """The later of two entries by their time at index ``at``; on a tie the newer write wins (the engine's ``>=``)."""
    if old is None:
        return new
    return new if new[at] is not None and (old[at] is None or new[at] >= old[at]) else old


def _two_earliest(old: list, new: list) -> tuple[list, list]:
    """The two earliest [score, time] of two entries that each hold their two earliest (``summaries._two_earliest``)."""
    first_o, second_o, first_n, second_n = old[1:3], old[3:5], new[1:3], new[3:5]
    if first_n[1] < first_o[1]:
        return first_n, (second_n if second_n[1] is not None and second_n[1] < first_o[1] else first_o)
    return first_o, (first_n if second_o[1] is None or first_n[1] < second_o[1] else second_o)


def _merge_activity(old: list, new: list) -> list:
    stage, marked, graded, first, first_at, best = old
    earlier = new[4] is not None and (first_at is None or new[4] < first_at)
    bests = [b for b in (best, new[5]) if b is not None]
    return [max(stage, new[0]), marked or new[1], graded + new[2], new[3] if earlier else first, new[4] if earlier else first_at,
            max(bests) if bests else None]


def _merge_criterion(old: list, new: list) -> list:
    first, second = _two_earliest(old, new)
    latest = _later(old[5:7], new[5:7])
    return [old[0] + new[0], *first, *second, *latest]


def _merge_sums(old: list, new: list) -> list:
    return [a + b for a, b in zip(old, new, strict=True)]


def _merge_pre(old: list, new: list) -> list:
    return new if new[1] < old[1] else old


def _greatest(old, new):
    return new if old is None or (new is not None and new > old) else old


# section -> how two values of one key merge (sections ``s`` and ``h`` are single values, merged in :func:`merge`)
_KEYED = {
    "a": _merge_activity, "c": _later, "k": _merge_criterion, "w": lambda a, b: a + b, "p": max, "l": _later,
    "u": _merge_sums, "pre": _merge_pre, "post": _greatest,
}


def merge(old: Mapping, new: Mapping) -> dict:
    """One learner's totals after ``new`` (associative: the order statements arrive in does not change the result)."""
    out = {section: dict(values) for section, values in old.items() if section in _KEYED}
    for section, values in new.items():
        if section in _KEYED:
            held, rule = out.setdefault(section, {}), _KEYED[section]
            for key, value in values.items():
                held[key] = value if key not in held else rule(held[key], value)
    if old.get("s") or new.get("s"):
        out["s"] = 1
    charter = _later(old.get("h"), new.get("h")) if new.get("h") else old.get("h")
    if charter:
        out["h"] = charter
    return out


def contribution(activity_rows: Iterable[tuple[tuple, Mapping]], fact_rows: Iterable[tuple[tuple, Mapping]]) -> dict[tuple, dict]:
    """{(deployment, context, actor): totals} of folded day rows (``summaries.fold``'s "activity" and "fact" tables)."""
    out: dict[tuple, dict] = {}

    def add(learner: tuple, section: str, key: str, value) -> None:
        held = out.setdefault(learner, {}).setdefault(section, {})
        held[key] = value if key not in held else _KEYED[section](held[key], value)

    for (deployment, context, activity, actor, _day), row in activity_rows:
        add((deployment, context, actor), "a", activity, [
            row["stage"], bool(row["marked"]), row["graded"], row["first_score"], micros(row["first_score_at"]), row["best_score"]])
    for (deployment, context, actor, activity, action, kind, key, _day), row in fact_rows:
        learner, at = (deployment, context, actor), micros(row["timestamp"])
        value = row["value"]
        if kind == "category" and action in COMPLETED and value is not None:
            add(learner, "c", key, [value, at])
        elif kind == "criterion" and action in COMPLETED:
            add(learner, "k", key, [row["events"], row["first_value"], micros(row["first_at"]), row["second_value"], micros(row["second_at"]),
                                    value, at])
        elif kind == "confidential" and key:
            add(learner, "w", key, row["events"])
        elif kind == "charter" and action in ACCEPTED:
            totals = out.setdefault(learner, {})
            totals["h"] = _later(totals.get("h"), [key, at])
        elif kind in ("pre", "post"):
            if kind == "pre":
                add(learner, "pre", key, [row["first_value"], micros(row["first_at"])])
            else:
                add(learner, "post", key, row["max_value"])
        if activity == "skills_map" and ((kind == "priority" and action in PRIORITY_ACTIONS) or (kind == "level" and action in LEVEL_ACTIONS)):
            out.setdefault(learner, {})["s"] = 1
            if kind == "priority":
                add(learner, "p", key, at)
            elif value is not None:
                add(learner, "l", key, [value, at])
        if activity == "use_case" and action in USE_CASE_VERBS and kind in ("statement", "minutes"):
            add(learner, "u", f"{action}|{kind}", [row["events"], row["value_sum"]])
    return out


def dumps(totals: Mapping) -> str:
    return json.dumps(totals, separators=(",", ":"), sort_keys=True)


def loads(text: str) -> dict:
    """Parsed by orjson when installed (the tool's requirements): 3x the standard library's speed, the parse being a third of the page."""
    return _loads(text) if text else {}


try:
    from orjson import loads as _loads
except ImportError:  # the blocks' own install (no tool): same results, slower
    _loads = json.loads


# ------------------------------------------------------------------------------------------ figures

def shown(totals: Mapping) -> dict:
    """What the figures read of one learner's totals, without the times (kept for merging only): half the bytes to fetch and parse.

    ``a`` per activity [stage, marked, graded attempts, first score, best score]; ``c``/``l`` per key the latest value; ``k`` per
    criterion [scores, 1st, 2nd, latest]; ``w``, ``s``, ``u`` as in the totals; ``p`` the priorities chosen last; ``h`` the charter
    version accepted last; ``pp`` per quiz pair taken both ways [first pre-test score, best post-test score].
    """
    out: dict = {}
    if totals.get("a"):
        out["a"] = {activity: [stage, int(marked), graded, first, best] for activity, (stage, marked, graded, first, _, best) in totals["a"].items()}
    for section in ("c", "l"):
        if totals.get(section):
            out[section] = {key: value for key, (value, _) in totals[section].items()}
    if totals.get("k"):
        out["k"] = {key: [events, first, second, latest] for key, (events, first, _, second, _, latest, _) in totals["k"].items()}
    for section in ("w", "s", "u"):
        if totals.get(section):
            out[section] = totals[section]
    if totals.get("p"):
        last = max(totals["p"].values())
        out["p"] = sorted(key for key, at in totals["p"].items() if key and at == last)
    if totals.get("h"):
        out["h"] = totals["h"][0]
    post = totals.get("post", {})
    pairs = {pair: [first, post[pair]] for pair, (first, _) in totals.get("pre", {}).items()
             if post.get(pair) is not None and first is not None}
    if pairs:
        out["pp"] = pairs
    return out


def learners(rows: Iterable[tuple], full_rows_of) -> list[tuple[str, dict, str, str]]:
    """(actor, shown, job family, team) of each learner of ``(actor, shown JSON, job family, team)`` rows.

    A learner with rows in several contexts (a platform-wide scope) has their full totals merged: ``full_rows_of(actors)`` gives
    their ``(actor, totals JSON, job family, its time, team, its time)`` rows; the latest job family and team are kept.
    """
    found: dict[str, tuple] = {}
    again: set[str] = set()
    for actor, text, family, team in rows:
        if actor in found:
            again.add(actor)
        else:
            found[actor] = (actor, loads(text), family or "", team or "")
    if again:
        merged: dict[str, list] = {}
        for actor, text, family, family_at, team, team_at in full_rows_of(sorted(again)):
            held = merged.setdefault(actor, [{}, "", None, "", None])
            held[0] = merge(held[0], loads(text))
            if family and (held[2] is None or micros(family_at) >= held[2]):
                held[1], held[2] = family, micros(family_at)
            if team and (held[4] is None or micros(team_at) >= held[4]):
                held[3], held[4] = team, micros(team_at)
        for actor, (totals, family, _, team, _) in merged.items():
            found[actor] = (actor, shown(totals), family, team)
    return list(found.values())


def figures(people: Iterable[tuple[str, dict, str, str]], filters: vm.Filters, minimum: int, learner_limit: int | None) -> dict:
    """The dashboard's figures but the managers' ratings (``vm.Dashboard``'s fields), over all time, filtered by job family and team.

    ``people``: :func:`learners`. The same rules as the day queries of ``aggregates`` (the tests compare both with the engine).
    """
    if filters.since is not None or filters.until is not None:
        raise ValueError("learner totals hold all time: a period is answered from the day summaries")
    stages: Counter = Counter()  # (activity, job family, stage) -> learners
    marks: set[str] = set()
    graded: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0, 0])  # activity -> learners, sum of first, sum of best, improved
    gains: list[tuple] = []
    means: dict[str, dict[str, list]] = {"c": defaultdict(lambda: [0, 0.0]), "l": defaultdict(lambda: [0, 0.0])}
    steps: dict[tuple[str, int], list] = defaultdict(lambda: [0, 0.0])
    warned: dict[str, list] = defaultdict(lambda: [0, 0])
    priorities: Counter = Counter()
    population = 0
    charters: Counter = Counter()
    cases: dict[str, dict[str, float]] = defaultdict(lambda: {"authors": 0, "shared": 0, "approved": 0, "adopted": 0, "minutes": 0})
    pairs: list[vm.LearnerPrePost] = []
    for actor, totals, family, team in people:
        if (filters.job_family and family != filters.job_family) or (filters.team and team != filters.team):
            continue
        for activity, (stage, marked, attempts, first, best) in totals.get("a", {}).items():
            stages[(activity, family, stage)] += 1
            if marked:
                marks.add(activity)
            if attempts:
                cohort = graded[activity]
                cohort[0] += 1
                cohort[1] += first
                cohort[2] += best
                cohort[3] += best > first
                gains.append((activity, actor, first, best, attempts))
        for section in ("c", "l"):
            for key, value in totals.get(section, {}).items():
                figure = means[section][key]
                figure[0] += 1
                figure[1] += value
        for key, (events, *scores) in totals.get("k", {}).items():
            for step, score in enumerate(scores[:events], 1):  # the 1st; the 2nd from two scores; the latest from three
                bucket = steps[(key, step)]
                bucket[0] += 1
                bucket[1] += score or 0.0
        for key, events in totals.get("w", {}).items():
            warned[key][0] += events
            warned[key][1] += 1
        priorities.update(totals.get("p", ()))
        population += "s" in totals
        if "h" in totals:
            charters[totals["h"]] += 1
        if "u" in totals:
            _use_cases(cases[family], totals["u"])
        pairs += [vm.LearnerPrePost(actor, pair, float(first), float(best)) for pair, (first, best) in totals.get("pp", {}).items()]
    by_group: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for (activity, family, stage), count in stages.items():
        by_group[(activity, family)][stage] = count
    cohorts = [vm.BeforeAfter(activity, n, None if n < minimum else vm.mean_of(first, n), None if n < minimum else vm.mean_of(best, n), n < minimum,
                              0 if n < minimum else improved) for activity, (n, first, best, improved) in sorted(graded.items())]
    visible = {c.activity for c in cohorts if not c.hidden}
    lines = [g for g in gains if g[0] in visible]
    lines = heapq.nsmallest(learner_limit, lines) if learner_limit else ([] if learner_limit == 0 else sorted(lines))
    levels = means["l"]
    hidden = population < minimum
    return {
        "funnel": vm.funnel_from_stages(by_group, marks, minimum),
        "categories": [vm.MeanFigure(key, n, None if n < minimum else vm.mean_of(total, n), n < minimum) for key, (n, total) in sorted(means["c"].items())],
        "cohorts": cohorts,
        "learners": [vm.LearnerGain(actor, activity, float(first), float(best), int(n)) for activity, actor, first, best, n in lines],
        "criteria": [vm.CriterionStep(key, step, n, None if n < minimum else vm.mean_of(total, n), n < minimum)
                     for (key, step), (n, total) in sorted(steps.items())],
        "warnings": [vm.CountFigure(key, events, n, n < minimum) for key, (events, n) in sorted(warned.items())],
        "skills": [vm.SkillGap(c, population, 0 if hidden else priorities.get(c, 0),
                               None if hidden or levels.get(c, (0,))[0] < minimum else vm.mean_of(levels[c][1], levels[c][0], 2), hidden)
                   for c in sorted(set(priorities) | set(levels))],
        "charter": [vm.CountFigure(key, n, n, n < minimum) for key, n in sorted(charters.items())],
        "use_cases": [vm.UseCaseFigure(group, g["authors"], g["shared"], g["approved"], g["adopted"], int(g["minutes"]), g["authors"] < minimum)
                      for group, g in sorted(cases.items()) if g["shared"] or g["approved"] or g["adopted"]],
        "pairs": pairs,
    }


def _use_cases(group: dict[str, float], sums: Mapping[str, list]) -> None:
    """One learner's use-case statements into their job family's figure (``aggregates.use_cases``' rules)."""
    for name, (events, minutes) in sums.items():
        verb, statement = _USE_CASE_KEYS[name]
        if statement:
            group[verb] += int(events)
            group["authors"] += verb == "shared"
        elif verb == "approved":
            group["minutes"] += minutes or 0


_USE_CASE_KEYS = {f"{action}|{kind}": (verb, kind == "statement") for action, verb in USE_CASE_VERBS.items() for kind in ("statement", "minutes")}
