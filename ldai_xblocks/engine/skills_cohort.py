"""The learning team's view of the skills map: the cohort's gaps per competence x job family, no individual exposed.

Pure, like ``engine.skills``. Each learner contributes one gap report (their job family's
profile); a cell (job family, competence) shows how many learners have a known level there,
the mean gap in levels ``max(0, T - L)`` (unweighted, so cells compare across profiles), and
the share of learners below target. Privacy: a job family with fewer learners than
``min_group`` is hidden as a whole, and a cell with fewer known levels than ``min_group``
shows no figure, so no number can be traced back to one person.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..i18n import N_, gettext_for
from ..spreadsheet import safe_cell
from .skills import CompetenceResult, GapReport

DEFAULT_MIN_GROUP = 5
SMALLEST_MIN_GROUP = 3


@dataclass(frozen=True)
class Cell:
    job: str
    competence: str
    target: int
    known: int
    mean_gap: float | None
    below_target: float | None

    @property
    def hidden(self) -> bool:
        return self.mean_gap is None


@dataclass(frozen=True)
class CohortMap:
    jobs: tuple[str, ...]               # job families shown (large enough)
    hidden_jobs: tuple[str, ...]        # job families with too few learners
    competences: tuple[str, ...]        # every competence any shown profile targets, framework order
    cells: dict[tuple[str, str], Cell]  # (job, competence) -> cell; absent when the job does not target it
    learners: dict[str, int]            # learners per job family (shown jobs only)
    min_group: int

    def cell(self, job: str, competence: str) -> Cell | None:
        return self.cells.get((job, competence))


def build(pictures: Iterable[tuple[str, GapReport]], order: Iterable[str], min_group: int = DEFAULT_MIN_GROUP) -> CohortMap:
    """``pictures``: one ``(job family, gap report)`` per learner; ``order``: the framework's competence ids."""
    min_group = max(SMALLEST_MIN_GROUP, int(min_group))
    by_job: dict[str, list[GapReport]] = {}
    for job, report in pictures:
        by_job.setdefault(job, []).append(report)
    shown = tuple(sorted(job for job, reports in by_job.items() if len(reports) >= min_group))
    hidden = tuple(sorted(job for job in by_job if job not in shown))
    cells: dict[tuple[str, str], Cell] = {}
    for job in shown:
        rows: dict[str, list] = {}
        targets: dict[str, int] = {}
        for report in by_job[job]:
            for result in report.competences:
                targets[result.id] = result.target
                if result.level is not None:
                    rows.setdefault(result.id, []).append(max(0.0, result.target - result.level))
        for competence, target in targets.items():
            gaps = rows.get(competence, [])
            enough = len(gaps) >= min_group
            cells[(job, competence)] = Cell(
                job, competence, target, len(gaps),
                round(sum(gaps) / len(gaps), 3) if enough else None,
                round(sum(1 for g in gaps if g > 1e-9) / len(gaps), 3) if enough else None,
            )
    used = {competence for _, competence in cells}
    competences = tuple(cid for cid in order if cid in used)
    return CohortMap(shown, hidden, competences, cells, {job: len(by_job[job]) for job in shown}, min_group)


CSV_HEADER = {
    "job": N_("Job family"), "competence": N_("Competence"), "target": N_("Target level"),
    "learners": N_("Learners in the job family"), "known": N_("Learners with a known level"),
    "mean_gap": N_("Mean gap (levels)"), "below": N_("Below target (%)"),
}


def csv_header(language: str) -> dict[str, str]:
    _ = gettext_for(language)
    return {key: _(label) for key, label in CSV_HEADER.items()}


REPORT_COLUMNS = ("username", "Job family", "Competence", "Target", "Level")


def pictures_from_report(rows: Iterable[Mapping[str, str]]) -> list[tuple[str, GapReport]]:
    """Learners' pictures from Open edX's "Problem Responses" rows of a skills-map block (one row per learner x competence).

    The rows are what ``SkillsMapBlock.generate_report_data`` yields, as the instructor dashboard writes
    them (one column per key, plus ``username``). A learner's job family is their first row's; rows of
    other blocks or with no figures are skipped.
    """
    learners: dict[str, tuple[str, dict[str, CompetenceResult]]] = {}
    for row in rows:
        user, job, competence = row.get("username", ""), row.get("Job family", ""), row.get("Competence", "")
        try:
            target = int(float(row.get("Target") or ""))
        except ValueError:
            continue
        if not (user and job and competence):
            continue
        level = _float(row.get("Level"))
        gap = None if level is None else max(0.0, target - level)
        entry = learners.setdefault(user, (job, {}))
        entry[1][competence] = CompetenceResult(competence, target, 1.0, None, None, 0.0, 0, level, gap)
    return [(job, GapReport(tuple(results.values()))) for job, results in learners.values()]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "", "None") else None
    except ValueError:
        return None


def shade(mean_gap: float | None) -> int:
    """A heat level 0-4 for a mean gap in levels (0 = on target ... 4 = two levels or more below)."""
    if mean_gap is None:
        return -1
    return min(4, int(mean_gap * 2 + 0.5 - 1e-9)) if mean_gap > 0 else 0


def to_csv(cohort: CohortMap, job_names: Mapping[str, str], competence_names: Mapping[str, str], header: Mapping[str, str]) -> str:
    """One row per shown cell; hidden cells keep their row with empty figures (so a sheet shows they exist)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header["job"], header["competence"], header["target"], header["learners"], header["known"], header["mean_gap"], header["below"]])
    for job in cohort.jobs:
        for competence in cohort.competences:
            cell = cohort.cell(job, competence)
            if cell is None:
                continue
            writer.writerow([
                safe_cell(job_names.get(job, job)), safe_cell(competence_names.get(competence, competence)), cell.target,
                cohort.learners[job], cell.known,
                "" if cell.mean_gap is None else f"{cell.mean_gap:.2f}",
                "" if cell.below_target is None else f"{cell.below_target * 100:.0f}",
            ])
    return buffer.getvalue()

