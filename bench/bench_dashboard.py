"""``dashboard_ms``: the L&D dashboard over 20,000 learners x 10 activities, beside the same figures computed naively.

What is timed:

- ``dashboard_ms``: the whole dashboard page as the operator opens it FRESH (cache cleared; ``GET
  /lti/dashboard/platform/<id>/`` through Django's test client: the figure queries over the per-learner
  summaries, the engine, the tables, the SVG charts and the HTML), median of a few rounds;
- baseline ``dashboard_naive_ms``: the same figures from every statement loaded whole and handed to the
  engine (``queries.naive_dashboard``) plus the same tables, without the HTML (which favours the baseline),
  once (it is slow).

The synthetic statements are real statements of our profile (``engine.xapi.statement``), bulk-inserted:
for each learner and each of 10 resource links (two risk quizzes, two hunts, two prompt exercises, the
skills map, the charter, the use cases and the managers' survey), a launch and one or two completions
(a third of the learners retry), with categories, criteria, confidential-data kinds, competence levels,
charter versions and minutes saved. The summaries are then rebuilt from them by ``manage.py
ldai_rebuild_summaries`` (what the migration does for stored statements; the test suite checks it gives the
rows the writers' upserts give), untimed. Both paths must give the same figures: the bench checks it.

Database: a private PostgreSQL cluster (``tests.services.PrivatePostgres``, Debian's binaries) when it can
start here; otherwise SQLite, and the figure's note says so. ``LDAI_BENCH_DASHBOARD_LEARNERS`` shrinks the
population for a quick run.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # runnable alone: python bench/bench_dashboard.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import elapsed_ms, figure, median, setup_django

LEARNERS = int(os.environ.get("LDAI_BENCH_DASHBOARD_LEARNERS", "20000"))
ROUNDS = 3
LINKS = (("risk_quiz", "quiz-pre"), ("risk_quiz", "quiz-post"), ("hallucination_detector", "hunt-1"), ("hallucination_detector", "hunt-2"),
         ("prompt_sandbox", "prompt-1"), ("prompt_sandbox", "prompt-2"), ("skills_map", "skills"), ("charter", "charter"),
         ("use_case", "cases"), ("use_case", "survey"))
FAMILIES = ("marketing", "finance", "hr", "production", "sales", "management")
HOME = "https://lms.bench.example"
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
PERIOD = ("2026-10-01", "2026-10-31")  # the page's period filter, both days included


def start_postgres():
    """A private PostgreSQL for this run, or None (then the bench runs on SQLite and says so)."""
    try:
        import psycopg

        from tests.services import PrivatePostgres
    except ImportError:
        return None
    try:
        server = PrivatePostgres().start()
    except Exception:
        return None
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {server.database}")
    return server


def completion(kind: str, rng: random.Random, family: str) -> dict:
    score = round(rng.random(), 3)
    data = {"score": score, "job_family": family, "team": f"team-{rng.randrange(40)}"}
    if kind == "risk_quiz":
        data.update(passed=score >= 0.6, categories={c: round(rng.random(), 2) for c in ("privacy", "bias", "ip", "security")})
    elif kind == "prompt_sandbox":
        data.update(grade=score, score=round(score * 100), criteria={c: round(rng.random(), 2) for c in ("role", "context", "task", "format")},
                    sensitive_kinds=rng.sample(["email", "iban", "phone", "person"], rng.randrange(3)))
    elif kind == "skills_map":
        data.update(competences=rng.sample(["prompting", "risks", "verification", "data", "ethics"], 2))
    return data


def events(index: int, rng: random.Random) -> list[tuple[str, str, dict, int]]:
    """(link, event name, data, minutes after T0) of one learner."""
    family = FAMILIES[index % len(FAMILIES)]
    out = []
    for kind, link in LINKS:
        start = rng.randrange(60 * 24 * 90)
        out.append((link, f"ldai.{kind}.launched", {}, start))
        if kind == "charter":
            out.append((link, "ldai.charter.accepted", {"charter_version": rng.choice(["2026-01", "2026-06"]), "job_family": family}, start + 5))
        elif kind == "skills_map":
            out.append((link, "ldai.skills_map.self_assessed", {"competence_levels": {"prompting": rng.randrange(4), "risks": rng.randrange(4)},
                                                               "job_family": family}, start + 2))
            out.append((link, "ldai.skills_map.submitted", completion(kind, rng, family), start + 6))
        elif link == "cases":
            out.append((link, "ldai.use_case.case_recorded", {"minutes_saved": rng.randrange(120), "job_family": family}, start + 9))
        elif link == "survey":
            if index % 20 == 0:  # one manager in 20
                out.append((link, "ldai.use_case.usage_rated", {"score": round(rng.random(), 2), "job_family": family}, start + 3))
            if index % 7 == 0:
                out.append((link, "ldai.use_case.case_validated", {"minutes_saved": rng.randrange(120), "job_family": family}, start + 4))
        else:
            for attempt in range(1 + (index % 3 == 0)):
                out.append((link, f"ldai.{kind}.submitted", completion(kind, rng, family), start + 10 + attempt * 30))
    return out


POOL = 64  # distinct statements made by the profile per link and event; learners draw from them


def statement_pool(rng: random.Random) -> dict[tuple[str, str], list[tuple[str, dict, list]]]:
    """{(link, event name): [(body as JSON text with placeholders, the event's data)]}, every body made by ``xapi.statement``.

    Why a pool: 20,000 learners x 10 activities is ~450,000 statements; making each one through the profile and
    the ORM takes longer than the bench's budget. Each learner's statement is a pool statement with the learner's
    own id, time and statement id written in (the rest, scores and extensions included, is the profile's output).
    """
    from ldai_xblocks.engine import value_metrics as vm
    from ldai_xblocks.engine import xapi

    pool: dict[tuple[str, str], list[tuple[str, dict, list]]] = {}
    for index in range(POOL):
        for link, name, data, _ in events(index, rng):
            body = xapi.statement(xapi.TrackingEvent(
                name, data, {"home_page": HOME, "id": "@ACTOR@"},
                {"activity_id": f"https://tool.bench.example/lti/resource/1/{link}", "course_id": f"{HOME}/lti/context/course-1",
                 "job_family": data.get("job_family", "")}, T0))
            facts = vm.facts_of(vm.extensions_of(body))
            body["id"], body["timestamp"] = "@ID@", "@STAMP@"
            pool.setdefault((link, name), []).append((json.dumps(body), body, facts))
    return pool


def build(deployment) -> int:
    """Insert the synthetic statements with the database's executemany (the ORM's bulk_create is the slow part); their number."""
    from django.db import connection, transaction

    from lti_tool.models import Statement, StatementFact

    rng = random.Random(16)
    pool = statement_pool(rng)
    postgres = connection.vendor == "postgresql"
    table = Statement._meta.db_table
    columns = ("id", "deployment_id", "context_id", "resource_link_id", "activity", "action", "actor", "job_family", "team",
               "is_instructor", "score", "success", "timestamp", "body", "forward_attempts", "forward_failed", "forward_error")
    marks = ", ".join("%s::jsonb" if postgres and c == "body" else "%s" for c in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    fact_columns = ("statement_id", "deployment_id", "context_id", "activity", "action", "actor", "is_instructor", "timestamp", "kind", "key", "value")
    fact_sql = f"INSERT INTO {StatementFact._meta.db_table} ({', '.join(fact_columns)}) VALUES ({', '.join(['%s'] * len(fact_columns))})"
    total, batch, fact_batch = 0, [], []
    with transaction.atomic(), connection.cursor() as cursor:
        for index in range(LEARNERS):
            actor = uuid.UUID(int=rng.getrandbits(128)).hex
            for link, name, _, minutes in events(index, rng):
                text, body, facts = rng.choice(pool[(link, name)])
                when = T0 + timedelta(minutes=minutes)
                ident = uuid.UUID(int=rng.getrandbits(128))
                stamp = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                result = body.get("result") or {}
                extensions = (result.get("extensions") or {})
                _, activity, action = name.split(".")
                batch.append((
                    str(ident) if postgres else ident.hex, deployment.pk, "course-1", link, activity, action, actor,
                    str(extensions.get(xapi_ext("job-family"), "") or (body["context"].get("extensions") or {}).get(xapi_ext("job-family"), "")),
                    str(extensions.get(xapi_ext("team"), "")), False, (result.get("score") or {}).get("scaled"), result.get("success"),
                    when if postgres else connection.ops.adapt_datetimefield_value(when),
                    text.replace("@ACTOR@", actor).replace("@ID@", str(ident)).replace("@STAMP@", stamp), 0, False, "",
                ))
                fact_batch += [(batch[-1][0], deployment.pk, "course-1", activity, action, actor, False, batch[-1][12], kind, key, value)
                               for kind, key, value in facts]
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                cursor.executemany(fact_sql, fact_batch)
                total, batch, fact_batch = total + len(batch), [], []
        cursor.executemany(sql, batch)
        cursor.executemany(fact_sql, fact_batch)
    return total + len(batch)


def xapi_ext(name: str) -> str:
    from ldai_xblocks.engine import xapi

    return xapi.EXTENSION_IRI + name


def run() -> list[dict]:
    server = start_postgres()
    if server is not None:
        os.environ["DATABASE_URL"] = server.url()
    try:
        return measure("PostgreSQL" if server is not None else "SQLite")
    finally:
        if server is not None:
            server.stop()


def measure(database: str) -> list[dict]:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from ldai_xblocks.engine import value_metrics as vm
    from lti_tool.dashboard import queries, tables
    from lti_tool.dashboard.access import scope_of_platform
    from lti_tool.models import Deployment, Platform

    platform = Platform.objects.create(name="Bench", issuer=HOME, client_id="bench", auth_login_url=HOME + "/auth",
                                       auth_token_url=HOME + "/token", keyset_url=HOME + "/jwks")
    deployment = Deployment.objects.create(platform=platform, deployment_id="bench")
    count = build(deployment)
    started = time.perf_counter()
    call_command("ldai_rebuild_summaries", deployment=[deployment.pk], stdout=io.StringIO())  # as the migration / operator would
    rebuild_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = get_user_model().objects.create_user("bench-operator", password="x", is_staff=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/lti/dashboard/platform/{platform.pk}/"
    views = {"": url, "job_family": f"{url}?job_family=finance", "period": f"{url}?since={PERIOD[0]}&until={PERIOD[1]}"}
    cold: dict[str, list[float]] = {view: [] for view in views}
    cached = []
    for _ in range(ROUNDS):
        for view, address in views.items():
            cache.clear()  # computed afresh by the database and the engine
            cold[view].append(elapsed_ms(lambda address=address: client.get(address)))
            if not view:
                cached.append(elapsed_ms(lambda: client.get(url)))  # the same figures again: the watermark query and the page
    assert all(client.get(address).status_code == 200 for address in views.values())
    scope = scope_of_platform(platform, "en")
    minimum = 5
    naive: dict = {}

    def naive_pass() -> None:
        naive["figures"] = queries.naive_dashboard(scope, vm.Filters(), minimum)
        tables.build(naive["figures"], "en", minimum)

    naive_ms = elapsed_ms(naive_pass)
    same = queries.dashboard(scope, vm.Filters(), minimum) == naive["figures"]
    note = (f"{LEARNERS} learners x {len(LINKS)} activities = {count} statements on {database}"
            f"{'' if database == 'PostgreSQL' else ' (no PostgreSQL could start here: tests.services or psycopg missing)'}; "
            f"whole page as it opens, median of {ROUNDS} fresh loads (cache cleared) with the figures from the learners' all-time totals "
            f"vs one naive pass (figures only); summaries and totals rebuilt from the statements in {rebuild_s:.0f} s (not timed); "
            f"same figures both ways: {'yes' if same else 'NO'}")
    return [
        figure("dashboard_ms", median(cold[""]), "ms", "dashboard_naive_ms", naive_ms, "lower", note=note),
        figure("dashboard_ms.job_family", median(cold["job_family"]), "ms", "dashboard_naive_ms", naive_ms, "lower",
               note="the same page with a job family chosen (one learner in 6): still the totals"),
        figure("dashboard_ms.period", median(cold["period"]), "ms", "dashboard_naive_ms", naive_ms, "lower",
               note=f"the same page over {PERIOD[0]}..{PERIOD[1]} (a month of the 3 the statements span): figures from the day summaries"),
        figure("dashboard_cached_ms", median(cached), "ms", "dashboard_naive_ms", naive_ms, "lower",
               note="the same page again with the statements unchanged: figures from the cache under the learners' revisions"),
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
