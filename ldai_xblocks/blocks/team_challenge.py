"""The team mode of the hallucination hunt and the Promptathon: teams, a season, a team board, champions.

Built on :class:`~.base.LeaderboardMixin` (one entry per learner, keyed by anonymous id, names as
each learner chose): the team is one more field of the learner's entry, the season one more
filter, and the ranking rules live in :mod:`ldai_xblocks.engine.teams`.

Where a learner's team comes from (``team_source``):

* ``platform`` - Open edX's teams (the ``teams`` service of ``lms/djangoapps/teams/services.py``:
  ``get_team(user, course_id, teamset_id)``, the user found with ``get_user_by_anonymous_id``, as
  edx-ora2's ``TeamMixin`` does), or in the LTI tool the groups the platform sends as custom
  parameters (LTI 1.3 has no group claim: Moodle substitutes ``$Moodle.Person.userGroupIds`` and
  Canvas ``$Canvas.group.contextIds``, both lists of ids; ``ldai_team`` may carry a team's name).
  Group ids are named through the instructor's list (its ``platform_group`` column). A learner the
  platform puts in no team falls back to the instructor's list.
* ``roster`` - the instructor's CSV (learner e-mail or user name, team).
* ``choice`` - the learner picks one of the instructor's teams (unless the list already places them).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Integer, Scope, String

from ..engine.teams import (
    MIN_TEAM_SIZE,
    SEASON_ENDED,
    SEASON_NOT_STARTED,
    Roster,
    Season,
    champions,
    parse_instant,
    parse_roster,
    team_standings,
)
from ..spreadsheet import safe_cell
from .base import UserError, _, json_api

TEAM_SOURCES = ("platform", "roster", "choice")
PLATFORM_GROUPS = "ldai.platform_groups"  # opt_attrs the LTI tool's user service fills from the launch's custom parameters
PLATFORM_TEAM = "ldai.platform_team"

TEAM_SETTINGS: dict[str, tuple[type, Any, Any]] = {
    "team_mode": (bool, None, None),
    "team_min_members": (int, MIN_TEAM_SIZE, 50),
    "teamset_id": (str, None, 100),
}


def team_slug(name: str) -> str:
    """A team's identifier in events (the xAPI profile's ``team`` is a word, never free text)."""
    return re.sub(r"[^\w.:-]+", "-", name.strip().lower()).strip("-")[:100]


def _now() -> datetime:
    return datetime.now(UTC)


class TeamChallengeMixin:
    """Team mode for a block that already has a leaderboard (ActivityBlock's LeaderboardMixin)."""

    team_mode = Boolean(display_name=_("Team challenge"), scope=Scope.settings, default=False)
    team_source = String(display_name=_("Where teams come from"), scope=Scope.settings, default="roster", values=TEAM_SOURCES)
    teamset_id = String(display_name=_("Open edX team-set id"), scope=Scope.settings, default="")
    team_min_members = Integer(display_name=_("Members a team needs to be ranked"), scope=Scope.settings, default=3,
                               values={"min": MIN_TEAM_SIZE, "max": 50})
    season_start = String(display_name=_("Season start (UTC)"), scope=Scope.settings, default="")
    season_end = String(display_name=_("Season end (UTC)"), scope=Scope.settings, default="")
    team_roster_csv = String(display_name=_("Teams (CSV)"), scope=Scope.settings, default="")
    team_roster = Dict(scope=Scope.settings, default={}, help="The CSV above, read: {members, teams, groups}.")
    team_choice = String(scope=Scope.user_state, default="", help="The team this learner chose (team_source 'choice').")
    team_awards = Dict(scope=Scope.user_state, default={}, help="Awards already announced this season: {award: season key}.")

    # -- season ------------------------------------------------------------------------------------------
    def season(self) -> Season:
        return Season.from_text(self.season_start, self.season_end)

    def leaderboard_season(self) -> Season | None:
        return self.season() if self.team_mode else None

    def season_info(self) -> dict[str, Any]:
        season = self.season()
        state = season.state(_now())
        start, end = (f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "" for moment in (season.start, season.end))
        if state == SEASON_NOT_STARTED:
            message = self._("The season starts on {start}. Scores posted before then do not count on the leaderboards.").format(start=start)
        elif state == SEASON_ENDED:
            message = self._("The season ended on {end}. New scores still count for your grade, not on the leaderboards.").format(end=end)
        elif end:
            message = self._("The season is open until {end}.").format(end=end)
        else:
            message = self._("The season is open.")
        return {"state": state, "start": start, "end": end, "message": message}

    # -- teams -------------------------------------------------------------------------------------------
    def roster(self) -> Roster:
        return Roster.from_data(self.team_roster)

    def _learner_keys(self) -> set[str]:
        user = self.current_user()
        opt = getattr(user, "opt_attrs", {}) or {}
        keys = {str(email).lower() for email in (getattr(user, "emails", None) or []) if email}
        if opt.get("edx-platform.username"):
            keys.add(str(opt["edx-platform.username"]).lower())
        return keys

    def _course_id(self) -> Any:
        return getattr(self.scope_ids.usage_id, "context_key", None) or getattr(self.scope_ids.usage_id, "course_key", None)

    def course_teamsets(self) -> dict[str, str] | None:
        """The team-sets of the course's teams configuration ({id: name}), where Studio offers it; None elsewhere.

        Studio installs ``teams_configuration`` (cms/djangoapps/contentstore/utils.py, load_services_for_studio):
        ``get_teams_configuration(course_key).teamsets_by_id``, as edx-ora2 reads it.
        """
        service = self.runtime.service(self, "teams_configuration") if self.runtime else None
        course_id = self._course_id()
        if service is None or course_id is None:
            return None
        try:
            teamsets = getattr(service.get_teams_configuration(course_id), "teamsets_by_id", None)
        except Exception:  # a course without teams configured, a library
            return None
        return {str(key): str(getattr(value, "name", "") or key) for key, value in teamsets.items()} if isinstance(teamsets, dict) else None

    def _open_edx_team(self) -> str:
        """The learner's team in the course's team-set, from Open edX's teams service (edx-ora2's way of asking)."""
        teams = self.runtime.service(self, "teams") if self.runtime and self.teamset_id else None
        if teams is None:
            return ""
        users = self.runtime.service(self, "user")
        course_id = self._course_id()
        try:
            user = users.get_user_by_anonymous_id(self.learner_id()) if users else None
            # The course id as a string: the teams API parses it (CourseKey.from_string in lms/djangoapps/teams/api.py).
            team = teams.get_team(user, str(course_id), self.teamset_id) if user is not None and course_id is not None else None
        except Exception:  # a team-set the course no longer has, a user the platform no longer knows
            return ""
        return str(getattr(team, "name", "") or "")[:80]

    def _platform_team(self) -> str:
        opt = getattr(self.current_user(), "opt_attrs", {}) or {}
        named = str(opt.get(PLATFORM_TEAM) or "").strip()[:80]
        if named:
            return named
        groups = self.roster().groups
        for group in opt.get(PLATFORM_GROUPS) or ():
            if str(group) in groups:
                return groups[str(group)]
        return self._open_edx_team()

    def assigned_team(self) -> str:
        """The team the platform or the instructor's list gives this learner ("" if none)."""
        if self.team_source == "platform":
            team = self._platform_team()
            if team:
                return team
        members = self.roster().members
        return next((members[key] for key in sorted(self._learner_keys()) if key in members), "")

    def team_challenge_on(self) -> bool:
        """Team mode is in force: it needs the leaderboard (the Studio form says so), read first because a submit
        reads it anyway, so a block without a leaderboard never reads the team settings."""
        return bool(self.leaderboard_enabled and self.team_mode)

    def my_team(self) -> str:
        if not self.team_challenge_on():
            return ""
        assigned = self.assigned_team()
        if assigned:
            return assigned
        if self.team_source == "choice" and self.team_choice in self.roster().teams:
            return self.team_choice
        return ""

    def leaderboard_extras(self) -> dict[str, Any]:
        return {"team": self.my_team()} if self.team_mode else {}

    def team_event_data(self) -> dict[str, Any]:
        """The ``team`` field of the submitted event (allow-listed by the xAPI profile), in team mode."""
        team = self.my_team()
        return {"team": team_slug(team)} if team else {}

    # -- recording ---------------------------------------------------------------------------------------
    def record_on_leaderboard(self, score: float) -> None:
        """Outside the season a score counts for the grade only; a best from another season does not block a new one."""
        if self.team_challenge_on():
            season = self.season()
            if not season.counts(_now()):
                return
            mine = self.leaderboard_mine or {}
            if mine and not season.counts(parse_instant(mine.get("at"))):
                self.leaderboard_mine = {}
        super().record_on_leaderboard(score)
        if self.team_challenge_on():
            self._announce_awards()

    def _season_key(self) -> str:
        return f"{self.season_start}|{self.season_end}"

    def _announce_awards(self) -> None:
        """One event per award a learner reaches in a season: their team first, or themselves on the top list."""
        board = self.leaderboard() or {}
        reached = {}
        team = self.my_team()
        if any(row["mine"] and row["rank"] == 1 for row in board.get("teams", [])):
            reached["team_first"] = {"rank": 1, "team": team_slug(team)}
        if board.get("my_rank") and board["my_rank"] <= self.leaderboard_size and self._my_name_choice()["show"] != "hidden" and not self.leaderboard_anonymous:
            reached["top_list"] = {"rank": board["my_rank"], **({"team": team_slug(team)} if team else {})}
        given = dict(self.team_awards or {})
        for award, data in reached.items():
            if given.get(award) != self._season_key():
                given[award] = self._season_key()
                self.emit("award_earned", {"award": award, **data})
        if given != (self.team_awards or {}):
            self.team_awards = given

    # -- what learners see -------------------------------------------------------------------------------
    def leaderboard(self) -> dict[str, Any] | None:
        board = super().leaderboard()
        if board is None or not self.team_mode:
            return board
        team = self.my_team()
        standings = team_standings(self._ranked_entries(self._board_entries()), self.team_min_members, self.season())
        board["teams"] = [{"team": s.team, "members": s.members, "score": s.score, "rank": s.rank, "mine": s.team == team} for s in standings]
        board["season"] = self.season_info()
        board["my_team"] = team
        board["min_members"] = max(MIN_TEAM_SIZE, self.team_min_members)
        if self.team_source == "choice" and not self.assigned_team():
            board["team_choices"] = list(self.roster().teams)
        return board

    @json_api
    def choose_team(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Handler: the learner joins one of the instructor's teams (team_source 'choice')."""
        if not self.team_mode or self.team_source != "choice":
            raise UserError(self._("Teams are not chosen by learners in this activity."), 409, code="no_team_choice")
        if self.assigned_team():
            raise UserError(self._("Your team is set by your course team; ask them to change it."), 409, code="team_assigned")
        team = data.get("team")
        if not isinstance(team, str) or team not in self.roster().teams:
            message = self._("Choose one of the listed teams.")
            raise UserError(message, fields={"team": [message]})
        changed = team != self.team_choice
        self.team_choice = team
        mine = self.leaderboard_mine or {}
        if mine and self.leaderboard_enabled:
            self.leaderboard_mine = {**mine, "team": team}
            self.restore_my_entry()
        if changed:
            self.emit("team_joined", {"team": team_slug(team)})
        return {"saved": True, "leaderboard": self.leaderboard()}

    # -- what the instructor gets ------------------------------------------------------------------------
    def check_team_fields(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The team settings as an author sent them: values to save and a message per wrong field (the CSV's per line)."""
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        if "team_source" in data:
            if data["team_source"] in TEAM_SOURCES:
                values["team_source"] = data["team_source"]
            else:
                errors["team_source"] = [self._("Choose one of the listed options.")]
        for name in ("season_start", "season_end"):
            raw = data.get(name, getattr(self, name))
            raw = raw.strip() if isinstance(raw, str) else None
            if raw is None or (raw and parse_instant(raw) is None):
                errors[name] = [self._("Write a date as 2026-12-31 or a date and time as 2026-12-31T18:00 (UTC), or leave it empty.")]
            else:
                values[name] = raw
        if "season_start" not in errors and "season_end" not in errors:
            if not Season.from_text(values["season_start"], values["season_end"]).is_valid():
                errors["season_end"] = [self._("The season must end after it starts.")]
        teamset = data.get("teamset_id", self.teamset_id)
        known = self.course_teamsets() if isinstance(teamset, str) and teamset.strip() else None
        if known is not None and teamset.strip() not in known:
            errors["teamset_id"] = [self._("This team-set is not in the course's teams configuration. Team-sets of this course: {names}.").format(
                names=", ".join(f"{key} ({name})" for key, name in sorted(known.items())) or self._("none"))]
        if "team_roster_csv" in data:
            text = data["team_roster_csv"] if isinstance(data["team_roster_csv"], str) else None
            if text is None:
                errors["team_roster_csv"] = [self._("This value is not valid here.")]
            elif text.strip():
                roster, problems = parse_roster(text, self._)
                if problems:
                    errors["team_roster_csv"] = [self._("Line {line}: {message}").format(line=p.line, message=p.message) for p in problems[:30]]
                else:
                    values["team_roster_csv"], values["team_roster"] = text.strip(), roster.as_data()
            else:
                values["team_roster_csv"], values["team_roster"] = "", {}
        return values, errors

    def team_studio_values(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in ("team_mode", "team_source", "teamset_id", "team_min_members",
                                                          "season_start", "season_end", "team_roster_csv")}
        try:
            values["champions_url"] = self.runtime.handler_url(self, "champions_csv")
        except Exception:  # a runtime without handler URLs (an export, a test host)
            values["champions_url"] = ""
        return values

    def champion_rows(self) -> list[list[Any]]:
        """The steering committee's list: ranked teams, then the best learners who agreed to be named."""
        entries = self._board_entries()
        rows = []
        for champion in champions(self._ranked_entries(entries), self.team_min_members, self.season() if self.team_mode else None,
                                  top=self.leaderboard_size):
            if champion.kind == "team":
                rows.append([self._("Team"), champion.rank, champion.name, champion.team, f"{champion.score * 100:.1f}", champion.members])
            else:
                name = self._shown_name(champion.name, entries[champion.name])
                rows.append([self._("Learner"), champion.rank, name, champion.team, f"{champion.score * 100:.1f}", ""])
        return rows

    @XBlock.handler
    def champions_csv(self, request, suffix: str = "") -> Response:
        """Handler (course team only): the champions as CSV, every text cell formula-safe."""
        if not self.is_author():
            return Response(self._("Only the course team can open this content."), status=403, content_type="text/plain", charset="utf-8")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([self._("Kind"), self._("Rank"), self._("Name"), self._("Team"), self._("Score (%)"), self._("Members")])
        for row in self.champion_rows():
            writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
        response = Response(body=("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8")
        response.headers["Content-Disposition"] = 'attachment; filename="champions.csv"'
        response.headers["Cache-Control"] = "no-store"
        return response
