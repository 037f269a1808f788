"""The demo's team season on the hallucination hunt: two teams of three, four teammates' scores already posted.

Why: issue 15 is done when "two teams compete in a hunt season and the leaderboard shows the
team scores", in the demo. With only learners A and B nobody could see that without playing
six times. So the demo's hunt link starts in team mode (season, roster, leaderboard: the same
settings deep linking would place, read by ``runtime.launch_setup``), the teams come from an
instructor's list (a CSV read by ``engine.teams.parse_roster``, learners keyed by the demo
personas' e-mail addresses), and learners C to F have already played.

How they played: through the runtime, as a browser would (``start_attempt``, then ``submit``
with flags: the block's own handlers, the engine's span scoring, the runtime's key-value store,
the grade outbox, the leaderboard's season rules). No row is written by hand, so the board the
visitor sees is what the code computes, and a rule changed in the engine changes the demo too.

Idempotent: a teammate who has an attempt on the link is not played again (demo restarts, two
tabs at once, a season the instructor moved), and only the demo runs this (``pages.demo.play``,
mounted only with ``LDAI_DEMO``). After "Reset the demo" the next hunt launch seeds again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import webob
from django.db import DatabaseError, transaction

from ldai_xblocks.engine.teams import parse_roster
from ldai_xblocks.i18n import N_, gettext_for

from ..lti import claims as c
from ..lti.demo_platform import DEMO_ISSUER
from ..models import LearnerState
from ..runtime.xblock_runtime import LtiRuntime
from . import activity

log = logging.getLogger("ldai.demo")

TEAM_BLOCK = "ldai_hallucination_detector"
TEAMS = (N_("North team"), N_("South team"))
# Persona slug -> index in TEAMS: learners A and B (the ones a visitor plays) are in different teams.
MEMBERS = {"learner-a": 0, "learner-c": 0, "learner-e": 0, "learner-b": 1, "learner-d": 1, "learner-f": 1}
# The teammates who have played, and the share of each text's hallucinations they flagged.
SEEDED = {"learner-c": 1.0, "learner-e": 0.5, "learner-d": 0.75, "learner-f": 0.25}
# Who agreed to be named on the individual top list (the others stay hidden: item 4 of issue 15).
ALIASES = {"learner-c": "Camille", "learner-d": "Dominique"}
MIN_MEMBERS = 2
SEASON_DAYS = 90
TIME_LIMIT = 10  # minutes


def persona_email(slug: str) -> str:
    """A persona's address: what the instructor's list names them by (reserved ``.invalid`` host, never mailed)."""
    return f"{slug}@{DEMO_ISSUER.split('://', 1)[1]}"


def roster_csv(language: str) -> str:
    _ = gettext_for(language)
    lines = ["learner,team"] + [f"{persona_email(slug)},{_(TEAMS[team])}" for slug, team in MEMBERS.items()]
    return "\n".join(lines)


def season_settings(language: str, now: datetime | None = None) -> dict:
    """The hunt's team settings, as the link's custom settings (read once, when the link is created)."""
    now = now or datetime.now(UTC)
    text = roster_csv(language)
    roster, problems = parse_roster(text, gettext_for(language))
    if problems:  # our own list: a wrong line here is a bug, not a visitor's error
        raise ValueError(f"the demo's roster does not parse: {problems}")
    return {
        "leaderboard_enabled": True, "leaderboard_anonymous": False,
        # Timed, as a hunt is: the start card shows the season and the team board before the clock runs.
        "time_limit": TIME_LIMIT,
        "team_mode": True, "team_source": "roster", "team_min_members": MIN_MEMBERS,
        "season_start": (now - timedelta(days=1)).date().isoformat(),
        "season_end": (now + timedelta(days=SEASON_DAYS)).date().isoformat(),
        "team_roster_csv": text, "team_roster": roster.as_data(),
    }


def demo_custom(block_type: str, language: str) -> dict[str, str]:
    """Custom parameters the demo's launch adds for this activity (the hunt gets its team season)."""
    if block_type != TEAM_BLOCK:
        return {}
    return {c.CUSTOM_SETTINGS: json.dumps(season_settings(language), ensure_ascii=False)}


# ------------------------------------------------------------------------------------------ the teammates play


def _call(runtime: LtiRuntime, block, handler: str, data: dict) -> dict:
    """A handler called as the browser calls it (a JSON POST); a refusal is an error (our demo, our data)."""
    request = webob.Request.blank("/", method="POST", body=json.dumps(data).encode(), content_type="application/json")
    response = runtime.handle(block, handler, request)
    if response.status_code != 200:
        raise RuntimeError(f"{handler} answered {response.status_code}: {response.body[:200]!r}")
    return json.loads(response.body)


def _flags(block, share: float) -> dict[str, list[list[int]]]:
    """The first ``share`` of each text's hallucinations, flagged exactly (the teammate's level of skill)."""
    flags = {}
    for item in block._attempt_items(block.current_attempt):
        found = item["hallucinations"][: round(len(item["hallucinations"]) * share)]
        flags[item["id"]] = [[h["start"], h["end"]] for h in found]
    return flags


def play_teammate(launch, share: float, alias: str = "") -> bool:
    """One teammate's attempt on the hunt, through the runtime; False when they had played already."""
    session = activity.start_session(launch)
    if isinstance(session, str):
        raise RuntimeError(f"the demo's launch was refused: {session}")
    runtime = LtiRuntime(session, lock_rows=True)
    with transaction.atomic():
        block = runtime.block()
        if block.current_attempt or not block.team_mode:
            return False
        if alias:
            _call(runtime, block, "leaderboard_name_choice", {"show": "alias", "alias": alias})
        _call(runtime, block, "start_attempt", {})
        _call(runtime, block, "submit", {"flags": _flags(block, share)})
    return True


def seed(deployment, link_id: str, sub_of: Callable[[str], str], launch_of: Callable[[str], object]) -> int:
    """Play the teammates who have not played on this link yet; returns how many played now.

    ``sub_of(slug)`` is a persona's LTI sub and ``launch_of(slug)`` builds their launch (``pages.demo``).
    Teammates with a state row on the link are skipped without loading their block: one query on
    every hunt launch once the season is seeded.
    """
    known = set(LearnerState.objects.filter(
        deployment=deployment, resource_link_id=link_id, scope=LearnerState.Scope.USER_STATE,
        user_sub__in=[sub_of(slug) for slug in SEEDED],
    ).values_list("user_sub", flat=True))
    played = 0
    for slug, share in SEEDED.items():
        if sub_of(slug) in known:
            continue
        try:
            played += play_teammate(launch_of(slug), share, ALIASES.get(slug, ""))
        except DatabaseError:
            # Another launch seeding at the same moment holds the database (SQLite's one writer): the visitor
            # still gets their page, and the next hunt launch plays whoever is missing.
            log.warning("demo team season: %s could not play now, left for the next launch", slug, exc_info=True)
    if played:
        log.info("demo team season: %s teammates played on %s", played, link_id)
    return played

