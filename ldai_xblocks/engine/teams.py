"""Team challenges (hallucination hunt, Promptathon): seasons, team standings, opt-in top lists, the roster.

Why a separate pure module: both shells (Open edX, the LTI tool) rank the same entries the same
way, and the rules a learning team argues about (does a team of one win? does a score posted the
day after the season count?) are decided once, here, and tested as tables.

The rules:

* A **season** has an optional start and end (UTC). A score counts only when it was posted inside
  it; the end is exclusive, so "ends at 18:00" means a score at 18:00:00 is too late.
* A **team's score** is the mean of its members' best scores. A team with fewer members than the
  author's minimum is listed but never ranked: a team of one (or of the one champion and a friend)
  cannot win against a whole department.
* **Ties** share a rank (1, 1, 3: "competition ranking"); the order inside a tie is by name, for
  display only.
* **Consent**: a learner appears on the individual top list only when they chose to show a name
  (first name or alias); the viewer always sees their own row. A team's mean, over at least the
  minimum number of members, is an aggregate and needs no one's consent.
* The instructor's **roster** is a CSV (``learner,team[,platform_group]``), read line by line with
  a message per line in the instructor's language; a cell a spreadsheet would run as a formula is
  refused rather than silently changed, so the instructor fixes the source file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..spreadsheet import starts_like_a_formula

MIN_TEAM_SIZE = 2
MAX_TEAM_NAME = 80
MAX_LEARNER_KEY = 254  # an e-mail address's maximum length
MAX_ROSTER_LINES = 5000
MAX_TEAMS = 500

Translate = Callable[[str], str]


def _identity(message: str) -> str:
    return message


# ------------------------------------------------------------------------------------------ seasons


SEASON_OPEN = "open"
SEASON_NOT_STARTED = "not_started"
SEASON_ENDED = "ended"


def parse_instant(value: object) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime; None for empty or unreadable text.

    A date-time without a zone is taken as UTC (the Studio field says so); a plain date is midnight UTC.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


@dataclass(frozen=True)
class Season:
    """When scores count: ``[start, end)``; a missing bound is open on that side."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_text(cls, start: str, end: str) -> Season:
        return cls(parse_instant(start), parse_instant(end))

    def state(self, now: datetime) -> str:
        if self.start is not None and now < self.start:
            return SEASON_NOT_STARTED
        if self.end is not None and now >= self.end:
            return SEASON_ENDED
        return SEASON_OPEN

    def counts(self, when: datetime | None) -> bool:
        """Whether a score posted at ``when`` counts (a score with no readable time counts only in an unbounded season)."""
        if when is None:
            return self.start is None and self.end is None
        return self.state(when) == SEASON_OPEN

    def is_valid(self) -> bool:
        return self.start is None or self.end is None or self.start < self.end


# ------------------------------------------------------------------------------------------ standings


@dataclass(frozen=True)
class Entry:
    """One learner's best score on the board (the block keeps one per learner)."""

    learner: str
    score: float
    at: datetime | None = None
    team: str = ""
    consented: bool = False  # chose to show a name to the others


@dataclass(frozen=True)
class TeamStanding:
    team: str
    members: int
    score: float  # mean of the members' best scores, in [0, 1]
    rank: int | None  # None: below the minimum number of members, listed but not ranked


@dataclass(frozen=True)
class IndividualRow:
    learner: str
    score: float
    rank: int
    me: bool


def best_per_learner(entries: Iterable[Entry], season: Season | None = None) -> dict[str, Entry]:
    """Each learner's best entry that counts in the season; on equal scores the earlier one is kept."""
    best: dict[str, Entry] = {}
    for entry in entries:
        if season is not None and not season.counts(entry.at):
            continue
        kept = best.get(entry.learner)
        if kept is None or entry.score > kept.score or (entry.score == kept.score and _earlier(entry.at, kept.at)):
            best[entry.learner] = entry
    return best


def _earlier(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a < b)


def competition_ranks(scores: list[float]) -> list[int]:
    """Ranks of scores already sorted best first, ties sharing a rank: [0.9, 0.9, 0.5] -> [1, 1, 3]."""
    ranks: list[int] = []
    for index, score in enumerate(scores):
        ranks.append(ranks[-1] if index and score == scores[index - 1] else index + 1)
    return ranks


def team_standings(entries: Iterable[Entry], min_members: int, season: Season | None = None) -> list[TeamStanding]:
    """Ranked teams (mean of members' best scores), then the teams below the minimum, unranked.

    A learner without a team is in no team's mean. ``min_members`` below :data:`MIN_TEAM_SIZE` is
    raised to it: a team of one never wins, whatever the setting says.
    """
    minimum = max(MIN_TEAM_SIZE, int(min_members))
    members: dict[str, list[float]] = {}
    for entry in best_per_learner(entries, season).values():
        if entry.team:
            members.setdefault(entry.team, []).append(entry.score)
    means = {team: round(sum(scores) / len(scores), 4) for team, scores in members.items()}
    ranked = sorted((team for team in means if len(members[team]) >= minimum), key=lambda team: (-means[team], team))
    ranks = competition_ranks([means[team] for team in ranked])
    standings = [TeamStanding(team, len(members[team]), means[team], rank) for team, rank in zip(ranked, ranks, strict=True)]
    below = sorted((team for team in means if len(members[team]) < minimum), key=lambda team: (-len(members[team]), team))
    return standings + [TeamStanding(team, len(members[team]), means[team], None) for team in below]


def individual_top(entries: Iterable[Entry], viewer: str, size: int, season: Season | None = None) -> tuple[list[IndividualRow], int | None, int]:
    """The top list a viewer may see: learners who consented (up to ``size``), and the viewer's own row.

    Ranks are computed over everyone who counts, so a learner's rank is true even when learners
    above them chose to stay hidden; a hidden learner's score is never in the rows. Returns
    (rows, the viewer's rank or None, how many learners count).
    """
    best = sorted(best_per_learner(entries, season).values(), key=lambda e: (-e.score, e.at or datetime.max.replace(tzinfo=UTC), e.learner))
    ranks = competition_ranks([entry.score for entry in best])
    rows: list[IndividualRow] = []
    my_rank = None
    shown = 0
    for entry, rank in zip(best, ranks, strict=True):
        mine = entry.learner == viewer
        if mine:
            my_rank = rank
        if mine or (entry.consented and shown < size):
            rows.append(IndividualRow(entry.learner, entry.score, rank, mine))
            shown += 0 if mine else 1
    return rows, my_rank, len(best)


@dataclass(frozen=True)
class Champion:
    """A line of the steering committee's list: a ranked team, or a learner who agreed to be named."""

    kind: str  # "team" | "learner"
    rank: int
    name: str  # the team's name, or the learner's key (the shell turns it into the name they chose)
    team: str
    score: float
    members: int = 0


def champions(entries: list[Entry], min_members: int, season: Season | None = None, top: int = 10) -> list[Champion]:
    """The ranked teams, then the best learners who consented: what the instructor exports for the AI champions."""
    teams = [Champion("team", s.rank, s.team, s.team, s.score, s.members) for s in team_standings(entries, min_members, season) if s.rank is not None]
    best = sorted(best_per_learner(entries, season).values(), key=lambda e: (-e.score, e.learner))
    ranks = competition_ranks([entry.score for entry in best])
    learners = [Champion("learner", rank, entry.learner, entry.team, entry.score) for entry, rank in zip(best, ranks, strict=True) if entry.consented]
    return teams[:top] + learners[:top]


# ------------------------------------------------------------------------------------------ roster


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:  # the shell formats it in the instructor's language
        return f"{self.line}: {self.message}"


@dataclass(frozen=True)
class Roster:
    """The instructor's teams: who is in which team, the teams learners may choose, platform groups' names."""

    members: dict[str, str] = field(default_factory=dict)  # learner key (lower case) -> team
    teams: tuple[str, ...] = ()
    groups: dict[str, str] = field(default_factory=dict)  # platform group id -> team

    def as_data(self) -> dict:
        return {"members": dict(self.members), "teams": list(self.teams), "groups": dict(self.groups)}

    @classmethod
    def from_data(cls, data: object) -> Roster:
        if not isinstance(data, dict):
            return cls()
        members = data.get("members") if isinstance(data.get("members"), dict) else {}
        groups = data.get("groups") if isinstance(data.get("groups"), dict) else {}
        teams = data.get("teams") if isinstance(data.get("teams"), list) else []
        return cls({str(k): str(v) for k, v in members.items()}, tuple(str(t) for t in teams), {str(k): str(v) for k, v in groups.items()})


HEADERS = {
    "learner": ("learner", "apprenant", "apprenante", "email", "e-mail", "courriel", "username", "user"),
    "team": ("team", "équipe", "equipe"),
    "platform_group": ("platform_group", "group", "groupe", "group_id", "groupe_plateforme"),
}


def _header_column(name: str) -> str | None:
    folded = name.strip().lower().lstrip("\ufeff")
    return next((column for column, names in HEADERS.items() if folded in names), None)


def parse_roster(text: str, _: Translate = _identity) -> tuple[Roster, list[LineError]]:
    """Read the instructor's CSV. Nothing is kept when any line is wrong (the caller saves all or nothing).

    Columns, named on the first line in English or French: ``learner`` (e-mail or user name, as the
    platform knows them), ``team``, optional ``platform_group`` (the id Moodle or Canvas sends for
    that team's group). A line with a team and no learner declares a team learners may choose.
    Commas or semicolons (French spreadsheets) are both read.
    """
    errors: list[LineError] = []
    lines = text.splitlines()
    if len(lines) > MAX_ROSTER_LINES + 1:
        return Roster(), [LineError(len(lines), _("The list has more than {count} lines: split it, or keep only the learners of this course.").format(count=MAX_ROSTER_LINES))]
    sample = next((line for line in lines if line.strip()), "")
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str | None] | None = None
    members: dict[str, str] = {}
    teams: list[str] = []
    groups: dict[str, str] = {}
    try:
        rows = list(reader)
    except csv.Error:
        return Roster(), [LineError(1, _("The file could not be read as CSV: save it from your spreadsheet as “CSV UTF-8” and try again."))]
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [_header_column(cell) for cell in row]
            if "learner" not in header or "team" not in header:
                errors.append(LineError(number, _("The first line must name the columns: learner and team (optionally platform_group).")))
                break
            continue
        values = {column: (row[index].strip() if index < len(row) else "") for index, column in enumerate(header) if column}
        learner, team, group = values.get("learner", ""), values.get("team", ""), values.get("platform_group", "")
        problem = _line_problem(learner, team, group, _)
        if problem:
            errors.append(LineError(number, problem))
            continue
        if team not in teams:
            teams.append(team)
        if group:
            if groups.get(group, team) != team:
                errors.append(LineError(number, _("The platform group “{group}” is already given to the team “{team}”.").format(group=group, team=groups[group])))
                continue
            groups[group] = team
        if learner:
            key = learner.lower()
            if members.get(key, team) != team:
                errors.append(LineError(number, _("“{learner}” is already in the team “{team}”: a learner belongs to one team.").format(learner=learner, team=members[key])))
                continue
            members[key] = team
    if header is None and not errors:
        errors.append(LineError(1, _("The list is empty: write a first line naming the columns (learner,team), then one line per learner.")))
    if len(teams) > MAX_TEAMS:
        errors.append(LineError(len(rows), _("More than {count} teams: merge some teams.").format(count=MAX_TEAMS)))
    if errors:
        return Roster(), errors
    return Roster(members, tuple(teams), groups), []


def _line_problem(learner: str, team: str, group: str, _: Translate) -> str | None:
    if not team:
        return _("The team is missing: write the team's name in the team column.")
    for value in (learner, team, group):
        if starts_like_a_formula(value):
            return _("“{value}” starts like a spreadsheet formula (=, +, -, @): remove that sign.").format(value=value[:40])
    if len(team) > MAX_TEAM_NAME:
        return _("The team's name is longer than {count} characters: shorten it.").format(count=MAX_TEAM_NAME)
    if len(learner) > MAX_LEARNER_KEY or len(group) > MAX_TEAM_NAME:
        return _("This line has a value that is too long: check that the columns are separated correctly.")
    if learner and any(ch.isspace() for ch in learner):
        return _("“{learner}” is not an e-mail address or a user name (it contains a space).").format(learner=learner[:40])
    return None
