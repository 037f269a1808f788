"""``load_errors`` and ``load_p95_ms``: 200 simulated learners launching from an LMS and submitting, for 60 s.

Why this shape (issue 7): a class of learners opens the activity from Moodle at once. Locust,
headless, plays 200 learners against gunicorn with 2 workers on 127.0.0.1 serving the tool
site as shipped (``lti_tool.site.wsgi``), each visit being a real LTI 1.3 resource launch
(OIDC login, id_token signed by a platform key whose JWKS the tool fetches, launch page
with the block rendered) followed by a submit through the block's handler; see
``bench/locustfile.py``.

The anchor is the same load (same requests per visit, same pauses) against a view that
only answers "ok" on the same gunicorn, middleware and machine: the floor this server
sets by itself, so the ratio says how much of the latency is ours.

Set-up, as a deployment with several workers needs it: a fresh SQLite database, migrated
with ``ldai manage migrate``; the platform registered with ``ldai lti add-platform``; the
shared cache in a private ``redis-server`` (several workers must share login state, nonces
and launch sessions; ``REDIS_URL``), or Django's file cache when Redis is not installed
(said in the note). Everything this module starts is stopped by its own process id.

**The production profile** (issue 13; ``python bench/bench_load.py --profile prod``, in ``make
bench`` through ``bench/bench_load_prod.py``): the layout docs/deployment.rst gives an operator,
under 300 learners for 120 s. Private PostgreSQL and redis-server (``tests/services.py``'s
starters; Redis db 0 the cache, db 1 Celery's broker), gunicorn with 4 workers x 2 threads, one
``celery worker --concurrency 8`` and ``celery beat``, every process with the same environment
(``DATABASE_URL``, ``REDIS_URL``, ``CELERY_BROKER_URL``, a ``SECRET_KEY``). The platform
(``bench/lti_platform.py``) sends each launch with an AGS line item and records every score the
tool posts; the model is ``bench/fake_llm.py``, an OpenAI-compatible server on 127.0.0.1
answering each call in 2 s (``LDAI_LLM_*`` point at it, ``LDAI_HTTP_ALLOWED_HOSTS=127.0.0.1``
lets the guarded client reach it). Each visit is a launch then the submit of one of the six
activities in turn (risk quiz, detector, sandbox, skills map, charter: check then accept, use
case); after the sandbox's submit the learner polls ``llm_review`` every 2 s as the page does.

Figures: ``load_prod_errors`` (must be 0); ``load_prod_p95_ms.<step>`` (login, launch,
``submit.<activity>``, ``feedback_poll``, and ``feedback``: from the submit's answer until the
model's review reaches the poll) beside the p95 of the trivial view on the same server (same
learners, 60 s); ``load_prod_grades_lost`` (once the outbox has drained: learner x line item
scores of the outbox the platform never received); ``load_prod_llm_replies_lost`` (reviews a
learner's poll waited for that never came); ``scale_web_workers``: requests/s with no pauses
at 4 web workers over 1 (two 15 s runs per point, order 1-2-4-4-2-1, the curve in the note).
``LDAI_LOAD_PROD_SHORT=1`` runs it smaller and shorter (20 learners, 20 s) for a quick look;
``tests/bench/test_load_prod.py`` runs the same machinery with 3 learners in ``make test``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # runnable alone: python bench/bench_load.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, figure, percentile
from bench.fake_llm import FakeLlmServer
from bench.lti_platform import CLIENT_ID, DEPLOYMENT_ID, PlatformServer, new_private_pem, public_jwks

USERS = 200
SPAWN_RATE = 20  # learners arriving per second: all 200 within the first 10 s
DURATION_S = 60
WORKERS = 2
# A learner reads and answers in 5 to 15 s, and takes as long to move on to the next activity: a
# visit every ~20 s, so 200 learners make ~10 launches and ~30 requests per second (a whole class
# working at once, faster than people do). LDAI_LOAD_THINK="1,5" replays the stress variant.
THINK_S = tuple(float(x) for x in os.environ.get("LDAI_LOAD_THINK", "5,15").split(","))
SETTINGS = os.environ.get("LDAI_LOAD_SETTINGS", "bench.load_settings")  # e.g. a PostgreSQL variant of the site
PROMPT = ("You are a sales coach. Write three follow-up e-mail subject lines for a client who asked for a quote last week. "
          "Audience: a busy purchasing manager. Format: a numbered list. Tone: friendly, under 60 characters each.")

# The activities a visit picks from (block type, resource link, handler, payload the locustfile builds).
ACTIVITIES = [
    {"name": "risk_quiz", "block_type": "ldai_risk_quiz", "link": "bench-link-quiz", "handler": "submit_answer", "payload": "quiz"},
    {"name": "hallucination_detector", "block_type": "ldai_hallucination_detector", "link": "bench-link-hunt", "handler": "submit",
     "payload": "flags"},
    {"name": "prompt_sandbox", "block_type": "ldai_prompt_sandbox", "link": "bench-link-prompt", "handler": "submit", "payload": "prompt",
     "prompt": PROMPT},
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log(message: str) -> None:
    print(f"[bench_load] {message}", file=sys.stderr, flush=True)


@contextmanager
def _process(command: list[str], env: dict, log_path: Path):
    """A child process of ours in its own process group, stopped (TERM, then KILL) by its id on the way out."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_http(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[2] if len(process.args) > 2 else process.args[0]} stopped at start:\n{_tail(log_path)}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s:\n{_tail(log_path)}")


def _run(command: list[str], env: dict, what: str) -> str:
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout)[-800:]}")
    return done.stdout


def _shared_cache(stack: ExitStack, env: dict, scratch: Path) -> str:
    """A private redis-server for the workers' shared cache, or Django's file cache; returns what was used."""
    server = shutil.which("redis-server")
    if server:
        port = _free_port()
        log_path = scratch / "redis.log"
        process = stack.enter_context(_process([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                                "--protected-mode", "yes"], env, log_path))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server stopped at start:\n{_tail(log_path)}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.2)
        env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        return "redis-server (REDIS_URL)"
    env["LDAI_BENCH_FILE_CACHE"] = str(scratch / "cache")
    return "Django's file cache (no redis-server on this machine: `make bench` installs it)"


def _locust(env: dict, host: str, user_class: str, users: int, spawn_rate: float, seconds: int, scratch: Path, label: str,
            think: tuple[float, float] = THINK_S, stop_timeout: int = 10, **config_changes) -> dict:
    """One headless locust run; returns every response time and failure it saw, and how long it ran.

    ``config_changes`` replace keys of the run's configuration (``bench/locustfile.py``: activities,
    ``poll_llm``...); ``llm`` in the result is what the learners saw of the model's reviews."""
    samples_path = scratch / f"{label}-samples.json"
    llm_path = scratch / f"{label}-llm.json"
    config_path = Path(env["LDAI_LOAD_CONFIG_BASE"])
    config = {**json.loads(config_path.read_text()), **config_changes}
    config["samples_out"] = str(samples_path)
    config["llm_out"] = str(llm_path)
    config["think_seconds"] = think
    run_config = scratch / f"{label}-config.json"
    run_config.write_text(json.dumps(config))
    run_env = {**env, "LDAI_LOAD_CONFIG": str(run_config)}
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", str(stop_timeout), "--host", host,
               "--exit-code-on-error", "0", "--loglevel", "WARNING", user_class]
    log_path = scratch / f"locust-{label}.log"
    started = time.monotonic()
    with _process(command, run_env, log_path) as process:
        try:
            process.wait(timeout=seconds + stop_timeout + 60)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"locust ({label}) did not stop after {seconds + stop_timeout + 60} s") from error
    elapsed = time.monotonic() - started
    if not samples_path.exists():
        raise RuntimeError(f"locust ({label}) wrote no samples:\n{_tail(log_path, 30)}")
    samples = json.loads(samples_path.read_text())
    llm = json.loads(llm_path.read_text()) if llm_path.exists() else {}
    return {"samples": samples, "seconds": min(elapsed, seconds + stop_timeout), "log": log_path, "llm": llm}


def _failure_reasons(log_path: Path) -> str:
    """Locust's error report (its last table), so a failed run says why."""
    text = _tail(log_path, 40)
    at = text.rfind("Error report")
    return text[at:] if at >= 0 else text[-1500:]


def _failure_summary(log_path: Path) -> str:
    """The error report's rows on one line: "15 x POST 2 launch ...: launch answered 500 ...; 8 x ..."."""
    rows = []
    for line in _failure_reasons(log_path).splitlines():
        count, _, message = line.strip().partition(" ")
        if count.isdigit() and message.strip():
            rows.append(f"{count} x {' '.join(message.split())[:140]}")
    return "; ".join(rows)


def _server_errors(log_path: Path) -> str:
    """What the workers' log says went wrong: tracebacks, and how many were SQLite's "database is locked"."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return ""
    lines = text.splitlines()
    # One traceback per failure, however many chained exceptions it shows.
    tracebacks = sum(1 for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")
                     and not any("direct cause" in prior or "During handling" in prior for prior in lines[max(i - 2, 0):i]))
    locked = sum(1 for line in lines if line.startswith("django.db.utils.OperationalError: database is locked"))
    if not tracebacks:
        return ""
    return f"{tracebacks} tracebacks in gunicorn's log" + (f", {locked} of them SQLite's 'database is locked'" if locked else "")


def _broken_steps(samples: list) -> list[str]:
    """The steps (login, launch or submit of an activity) that never succeeded: the flow itself is broken there."""
    succeeded: dict[str, bool] = {}
    for name, _, failed in samples:
        succeeded[name] = succeeded.get(name, False) or not failed
    expected = {"1 login"} | {f"{step} {a['name']}" for a in ACTIVITIES for step in ("2 launch", "3 submit")}
    return sorted(name for name in expected if not succeeded.get(name))


def _summary(run: dict) -> dict:
    samples = run["samples"]
    times = [ms for _, ms, _ in samples]
    by_step: dict[str, list[float]] = {}
    for name, ms, _ in samples:
        by_step.setdefault(name.split(" ")[0] + " " + name.split(" ")[1], []).append(ms)
    return {
        "requests": len(samples),
        "errors": sum(1 for _, _, failed in samples if failed),
        "p95": percentile(times, 95) if times else None,
        "p50": percentile(times, 50) if times else None,
        "per_s": len(samples) / DURATION_S,
        "steps": {step: round(percentile(values, 95)) for step, values in sorted(by_step.items())},
    }


def _register_platform(env: dict, issuer: str) -> None:
    """A fresh database migrated, and the platform registered, with the commands an operator runs."""
    ldai = [sys.executable, "-m", "ldai_xblocks.cli"]
    _run([*ldai, "manage", "migrate", "--noinput", "-v", "0"], env, "ldai manage migrate")
    _run([*ldai, "lti", "add-platform", "--issuer", issuer, "--client-id", CLIENT_ID, "--auth-login-url", issuer + "/auth",
          "--auth-token-url", issuer + "/token", "--keyset-url", issuer + "/jwks", "--deployment-id", DEPLOYMENT_ID,
          "--name", "Load test platform"], env, "ldai lti add-platform")


def _gunicorn(stack: ExitStack, env: dict, scratch: Path, label: str, options: list[str]) -> tuple[str, Path]:
    """gunicorn serving the site on a free port of 127.0.0.1, stopped with ``stack``; (its URL, its log)."""
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    log_path = scratch / f"{label}.log"
    process = stack.enter_context(_process(
        [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "lti_tool.site.wsgi:application"], env, log_path))
    _wait_http(host + "/bench/trivial/", process, log_path)
    return host, log_path


def run() -> list[dict]:
    scratch = Path(tempfile.mkdtemp(prefix="load-", dir=os.environ.get("LDAI_BENCH_SCRATCH")))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LDAI_LOAD_CONFIG")}
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "LDAI_VAR_DIR": str(scratch / "var"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "LDAI_GRADES_IN_PROCESS": "0",  # several workers: grades wait in the outbox for `ldai lti send-grades`
        "LDAI_LTI_ALLOW_INSECURE_URLS": "1",  # the platform's JWKS is served over http on 127.0.0.1
        "LDAI_HTTP_ALLOWED_HOSTS": "127.0.0.1",  # ...which the guarded client refuses unless allowed
        "LDAI_LOG_LEVEL": "WARNING",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    })
    env.pop("REDIS_URL", None)
    private_pem = new_private_pem()
    with ExitStack() as stack:
        cache = _shared_cache(stack, env, scratch)
        jwks = stack.enter_context(PlatformServer(public_jwks(private_pem)))
        issuer = jwks.base_url
        _log(f"database {scratch / 'var'}, cache {cache}")
        _register_platform(env, issuer)
        host, gunicorn_log = _gunicorn(stack, env, scratch, "gunicorn", ["--workers", str(WORKERS), "--timeout", "30"])
        base_config = scratch / "config.json"
        base_config.write_text(json.dumps({"issuer": issuer, "client_id": CLIENT_ID, "deployment_id": DEPLOYMENT_ID,
                                           "private_pem": private_pem, "activities": ACTIVITIES}))
        env["LDAI_LOAD_CONFIG_BASE"] = str(base_config)

        # Warm-up: a few learners through every step, so both workers have imported and cached
        # everything (and the resource links exist) before anything is measured; it also proves the flow works.
        _log("warm-up: 6 learners for 12 s, short pauses")
        warm = _locust(env, host, "LtiLearner", 6, 6, 12, scratch, "warmup", think=(0.1, 0.3))
        broken = _broken_steps(warm["samples"])
        if broken:
            raise RuntimeError(f"the launch-then-submit flow never succeeds at {', '.join(broken)}, even with 6 learners:\n"
                               f"{_failure_reasons(warm['log'])}\ngunicorn:\n{_tail(gunicorn_log)}")

        _log(f"anchor: {USERS} learners on /bench/trivial/ for {DURATION_S} s")
        anchor = _summary(_locust(env, host, "TrivialLearner", USERS, SPAWN_RATE, DURATION_S, scratch, "trivial"))
        _log(f"ours: {USERS} learners launching and submitting for {DURATION_S} s")
        ours_run = _locust(env, host, "LtiLearner", USERS, SPAWN_RATE, DURATION_S, scratch, "lti")
        ours = _summary(ours_run)
        reasons = _failure_summary(ours_run["log"]) if ours["errors"] else ""
        server_errors = _server_errors(gunicorn_log)

    how = (f"{USERS} learners (locust, headless, {SPAWN_RATE}/s arriving) for {DURATION_S} s against gunicorn, {WORKERS} sync workers "
           f"on 127.0.0.1, SQLite with the site's own settings, cache: {cache}; each visit = LTI 1.3 login + launch (signed id_token), {THINK_S[0]:g}-{THINK_S[1]:g} s, "
           f"one submit (quiz, hallucination hunt and prompt sandbox in turn), {THINK_S[0]:g}-{THINK_S[1]:g} s; anchor: the same 3 requests and pauses on a view "
           f"answering 'ok' on the same server")
    detail = (f"ours: {ours['requests']} requests ({ours['per_s']:.0f}/s), p50 {ours['p50']:.0f} ms, p95 by step {ours['steps']}; "
              f"anchor: {anchor['requests']} requests ({anchor['per_s']:.0f}/s), p50 {anchor['p50']:.0f} ms")
    if reasons:
        detail += f"; failures: {reasons}"
    if server_errors:
        detail += f"; {server_errors}"
    return [
        figure("load_errors", ours["errors"], "errors", "trivial-django-view", anchor["errors"], "lower", note=how),
        figure("load_p95_ms", ours["p95"], "ms", "trivial-django-view", anchor["p95"], "lower", note=detail),
    ]

# --------------------------------------------------------------------------- production profile (issue 13, item 5)
PROD_USERS = 300
PROD_SPAWN_RATE = 30  # all 300 within the first 10 s
PROD_SECONDS = 120
PROD_WEB_WORKERS = 4  # docs/deployment.rst: four gunicorn workers (two threads each) per two cores
PROD_ANCHOR_SECONDS = 60  # the trivial view's p95 settles well within a minute; the full two minutes would not fit `make bench`
PROD_STOP_TIMEOUT = 60  # a learner waiting for the model's review ends the visit before locust stops: nothing cut short counts as lost
CELERY_CONCURRENCY = 8  # docs/deployment.rst: more than the cores, a review waits on the model
SCALE_WORKERS = (1, 2, 4)
SCALE_USERS = 32  # no pauses: enough to keep 4 workers x 2 threads busy
SCALE_SECONDS = 15  # per run; each point runs twice (_scale_curve)
LLM_DELAY_S = 2.0
DRAIN_SECONDS = 180  # the outbox drains in seconds; beat's sweep (15 s) re-enqueues a retried grade
SHORT = {"users": 20, "seconds": 20, "anchor_seconds": 10, "scale_seconds": 5}  # LDAI_LOAD_PROD_SHORT=1: a quick look

# Every activity with a submit handler, each on its own graded resource link.
PROD_ACTIVITIES = [
    *ACTIVITIES,
    {"name": "skills_map", "block_type": "ldai_skills_map", "link": "bench-link-skills", "handler": "save_self_assessment",
     "payload": "levels", "custom": {"ldai_pack": "en/ai-at-work", "ldai_job_family": "sales"}},
    {"name": "charter", "block_type": "ldai_charter", "link": "bench-link-charter", "handler": ["check_answers", "accept"],
     "payload": ["charter", "charter_accept"]},
    {"name": "use_case", "block_type": "ldai_use_case", "link": "bench-link-cases", "handler": "record_case", "payload": "use_case",
     "custom": {"ldai_pack": "auto", "ldai_settings": json.dumps({"mode": "library"})}},
]


@dataclass
class ProdRun:
    """What one run of the production profile measured (``prod_figures`` turns it into figures)."""

    users: int
    seconds: int
    web_workers: int
    anchor_seconds: int
    scale_seconds: int
    requests: int = 0
    errors: int = 0
    failures: str = ""
    server_errors: str = ""
    steps: dict[str, float] = field(default_factory=dict)  # p95 ms per step
    p95: float | None = None
    anchor: dict = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)  # rows per status once drained
    grades_recorded: int = 0
    grades_received: int = 0
    grades_lost: int = 0
    score_posts: int = 0
    llm: dict[str, int] = field(default_factory=dict)  # reviews awaited / arrived / gave_up, as the learners saw them
    llm_answered: int = 0  # completions the fake model served
    scale: dict[int, float] = field(default_factory=dict)  # requests/s at 1, 2, 4 web workers
    scale_errors: dict[int, int] = field(default_factory=dict)
    scale_loads: dict[int, float] = field(default_factory=dict)

    @property
    def llm_lost(self) -> int:
        return self.llm.get("awaited", 0) - self.llm.get("arrived", 0)


def _prod_step(name: str) -> str:
    """"1 login" -> login, "2 launch quiz" -> launch, "3 submit quiz" -> submit.quiz, "4 feedback_poll" -> feedback_poll."""
    parts = name.split(" ")
    if parts[1] == "submit":
        return f"submit.{parts[2]}"
    return parts[1]


def _broken_prod_steps(samples: list, activities: list[dict]) -> list[str]:
    succeeded: dict[str, bool] = {}
    for name, _, failed in samples:
        succeeded[name] = succeeded.get(name, False) or not failed
    expected = {"1 login", "4 feedback_poll", "5 feedback"} | {f"{step} {a['name']}" for a in activities for step in ("2 launch", "3 submit")}
    return sorted(name for name in expected if not succeeded.get(name))


def _outbox(database_url: str) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """The grade outbox as PostgreSQL holds it: rows per status, and the (line item, learner) pairs to deliver."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM lti_tool_gradeoutbox GROUP BY status").fetchall())
        pairs = set(conn.execute("SELECT lineitem_url, user_sub FROM lti_tool_gradeoutbox WHERE status <> 'superseded'").fetchall())
    return statuses, pairs


def _drain(database_url: str, seconds: float) -> dict[str, int]:
    """Wait until no grade is pending or being sent (the Celery worker and beat deliver them)."""
    deadline = time.monotonic() + seconds
    while True:
        statuses, _ = _outbox(database_url)
        if not (statuses.get("pending") or statuses.get("sending")) or time.monotonic() > deadline:
            return statuses
        time.sleep(1)


def _prod_environment(scratch: Path, database_url: str, redis_url: str, broker_url: str, llm_url: str) -> dict:
    """The environment docs/deployment.rst gives every process (web, worker, beat), plus what the bench's
    127.0.0.1 platform and model need (``LDAI_HTTP_ALLOWED_HOSTS``, http keysets)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LDAI_LOAD_CONFIG", "LDAI_GRADES", "LDAI_TEST"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "LDAI_VAR_DIR": str(scratch / "var"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker_url,
        "LDAI_LTI_ALLOW_INSECURE_URLS": "1",  # the platform's keyset is served over http on 127.0.0.1
        "LDAI_HTTP_ALLOWED_HOSTS": "127.0.0.1",  # ...as are its AGS endpoints and the model: the guarded client refuses them otherwise
        "LDAI_LLM_BACKEND": "openai",
        "LDAI_LLM_MODEL": "bench-model",
        "LDAI_LLM_BASE_URL": llm_url,
        "LDAI_LLM_API_KEY": "bench-key",
        "LDAI_LOG_LEVEL": "WARNING",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    })
    env.pop("LDAI_BENCH_FILE_CACHE", None)
    return env


def _celery(stack: ExitStack, env: dict, scratch: Path) -> None:
    """One Celery worker and the beat, with docs/deployment.rst's commands."""
    base = [sys.executable, "-m", "celery", "-A", "lti_tool.celery_app"]
    stack.enter_context(_process([*base, "worker", "--concurrency", str(CELERY_CONCURRENCY), "-n", "bench@%h", "-l", "WARNING"],
                                 env, scratch / "celery-worker.log"))
    stack.enter_context(_process([*base, "beat", "-s", str(scratch / "celerybeat-schedule"), "-l", "WARNING"], env, scratch / "celery-beat.log"))


def _gunicorn_options(workers: int) -> list[str]:
    return ["--workers", str(workers), "--threads", "2", "--timeout", "30"]  # docs/deployment.rst's web unit


def _scale_curve(stack_env: dict, scratch: Path, workers: tuple[int, ...], seconds: int) -> tuple[dict[int, float], dict[int, int], dict[int, float]]:
    """Requests per second with no pauses at each number of web workers (a fresh gunicorn each time).

    Each point is measured twice, in the order 1-2-4-4-2-1: on a shared machine the other jobs' load
    drifts during the curve, and this order makes a steady drift weigh on every point alike. Each run
    starts once the previous one's grades are delivered, so no run pays for another's backlog."""
    requests: dict[int, int] = dict.fromkeys(workers, 0)
    errors: dict[int, int] = dict.fromkeys(workers, 0)
    loads: dict[int, list[float]] = {count: [] for count in workers}  # 1-minute load average as each run ended
    for turn, count in enumerate([*workers, *reversed(workers)]):
        _drain(stack_env["DATABASE_URL"], DRAIN_SECONDS)
        with ExitStack() as stack:
            host, _ = _gunicorn(stack, stack_env, scratch, f"gunicorn-scale-{turn}", _gunicorn_options(count))
            _locust(stack_env, host, "LtiLearner", 4, 4, 5, scratch, f"scale-{turn}-warmup", think=(0, 0), poll_llm=False)
            _log(f"scale: {SCALE_USERS} learners without pauses on {count} web worker(s) for {seconds} s")
            result = _locust(stack_env, host, "LtiLearner", SCALE_USERS, SCALE_USERS, seconds, scratch, f"scale-{turn}", think=(0, 0),
                             poll_llm=False)
            requests[count] += len(result["samples"])
            errors[count] += sum(1 for _, _, failed in result["samples"] if failed)
            loads[count].append(os.getloadavg()[0])
    rates = {count: requests[count] / (2 * seconds) for count in workers}
    return rates, errors, {count: sum(values) / len(values) for count, values in loads.items()}


def run_prod(users: int = PROD_USERS, seconds: int = PROD_SECONDS, web_workers: int = PROD_WEB_WORKERS,
             anchor_seconds: int = PROD_ANCHOR_SECONDS, scale_workers: tuple[int, ...] = SCALE_WORKERS,
             scale_seconds: int = SCALE_SECONDS, scratch_dir: str | None = None) -> ProdRun:
    """The production layout under load; ``anchor_seconds=0`` or ``scale_workers=()`` skip those parts (the test)."""
    from tests.services import PrivatePostgres, PrivateRedis

    scratch = Path(tempfile.mkdtemp(prefix="load-prod-", dir=scratch_dir or os.environ.get("LDAI_BENCH_SCRATCH")))
    result = ProdRun(users=users, seconds=seconds, web_workers=web_workers, anchor_seconds=anchor_seconds,
                     scale_seconds=scale_seconds)
    private_pem = new_private_pem()
    with ExitStack() as stack:
        postgres = PrivatePostgres().start().create_database()
        stack.callback(postgres.stop)
        redis_server = PrivateRedis().start()
        stack.callback(redis_server.stop)
        platform = stack.enter_context(PlatformServer(public_jwks(private_pem)))
        model = stack.enter_context(FakeLlmServer(delay=LLM_DELAY_S))
        env = _prod_environment(scratch, postgres.url(), redis_server.url(0), redis_server.url(1), model.api_url)
        _log(f"PostgreSQL on port {postgres.port}, Redis on port {redis_server.port} (cache db 0, broker db 1), model {model.api_url}")
        _register_platform(env, platform.base_url)
        _celery(stack, env, scratch)
        activities = [{**a, "lineitem": platform.lineitem_url(a["link"])} for a in PROD_ACTIVITIES]
        base_config = scratch / "config.json"
        base_config.write_text(json.dumps({"issuer": platform.base_url, "client_id": CLIENT_ID, "deployment_id": DEPLOYMENT_ID,
                                           "private_pem": private_pem, "activities": activities, "poll_llm": True,
                                           "behind_proxy": True}))
        env["LDAI_LOAD_CONFIG_BASE"] = str(base_config)

        with ExitStack() as web:
            host, gunicorn_log = _gunicorn(web, env, scratch, "gunicorn-prod", _gunicorn_options(web_workers))
            _log(f"warm-up: {len(activities)} learners for 15 s, short pauses")
            warm = _locust(env, host, "LtiLearner", len(activities), len(activities), 15, scratch, "prod-warmup", think=(0.1, 0.3),
                           stop_timeout=PROD_STOP_TIMEOUT)
            broken = _broken_prod_steps(warm["samples"], activities)
            if broken:
                raise RuntimeError(f"the production flow never succeeds at {', '.join(broken)}:\n{_failure_reasons(warm['log'])}\n"
                                   f"gunicorn:\n{_tail(gunicorn_log)}\nworker:\n{_tail(scratch / 'celery-worker.log')}")
            if anchor_seconds:
                _log(f"anchor: {users} learners on /bench/trivial/ for {anchor_seconds} s")
                anchor = _locust(env, host, "TrivialLearner", users, PROD_SPAWN_RATE, anchor_seconds, scratch, "prod-trivial")
                times = [ms for _, ms, _ in anchor["samples"]]
                result.anchor = {"p95": percentile(times, 95) if times else None, "errors": sum(1 for *_, failed in anchor["samples"] if failed),
                                 "requests": len(times)}
            _log(f"ours: {users} learners on {web_workers} web workers + 1 Celery worker for {seconds} s")
            ours = _locust(env, host, "LtiLearner", users, PROD_SPAWN_RATE, seconds, scratch, "prod", stop_timeout=PROD_STOP_TIMEOUT)
            samples = ours["samples"]
            result.requests = len(samples)
            result.errors = sum(1 for *_, failed in samples if failed)
            result.failures = _failure_summary(ours["log"]) if result.errors else ""
            result.server_errors = _server_errors(gunicorn_log)
            by_step: dict[str, list[float]] = {}
            for name, ms, _ in samples:
                if not name.startswith("0 "):  # a visit broken before a request: an error, not a response time
                    by_step.setdefault(_prod_step(name), []).append(ms)
            result.steps = {step: round(percentile(values, 95)) for step, values in sorted(by_step.items())}
            result.p95 = percentile([ms for _, ms, _ in samples], 95) if samples else None
            result.llm = {key: warm["llm"].get(key, 0) + ours["llm"].get(key, 0) for key in ("awaited", "arrived", "gave_up")}
            _log("waiting for the grade outbox to drain")
            result.outbox = _drain(env["DATABASE_URL"], DRAIN_SECONDS)
        _, pairs = _outbox(env["DATABASE_URL"])
        received = {(lineitem, body.get("userId")) for lineitem, body in platform.scores}
        result.grades_recorded, result.grades_received = len(pairs), len(received)
        result.grades_lost = len(pairs - received)
        result.score_posts = len(platform.scores)
        result.llm_answered = model.answered
        if scale_workers:
            result.scale, result.scale_errors, result.scale_loads = _scale_curve(env, scratch, scale_workers, scale_seconds)
    if result.errors or result.grades_lost or result.llm_lost:
        _log(f"logs kept in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def prod_figures(run: ProdRun) -> list[dict]:
    """``load_prod_*`` and ``scale_web_workers`` for bench/results.json."""
    anchor_p95 = run.anchor.get("p95")
    how = (f"{run.users} learners (locust, {PROD_SPAWN_RATE}/s arriving) for {run.seconds} s against gunicorn ({run.web_workers} workers x 2 threads) "
           f"+ 1 Celery worker ({CELERY_CONCURRENCY} processes) + beat, private PostgreSQL + Redis (cache db 0, broker db 1), settings of "
           f"docs/deployment.rst; each visit = LTI 1.3 login + launch with AGS, {THINK_S[0]:g}-{THINK_S[1]:g} s, the submit of one of "
           f"{len(PROD_ACTIVITIES)} activities in turn ({', '.join(a['name'] for a in PROD_ACTIVITIES)}); the sandbox's model is a fake "
           f"OpenAI-compatible server on 127.0.0.1 answering in {LLM_DELAY_S:g} s (2 calls per review), polled every 2 s like the page; "
           f"anchor: the same requests and pauses on a view answering 'ok' on the same server for {run.anchor_seconds} s")
    detail = f"{run.requests} requests ({run.requests / run.seconds:.0f}/s), p95 by step {run.steps}"
    if run.failures:
        detail += f"; failures: {run.failures}"
    if run.server_errors:
        detail += f"; {run.server_errors}"
    figures = [figure("load_prod_errors", run.errors, "errors", "trivial-django-view", run.anchor.get("errors"), "lower", note=f"{how}; {detail}")]
    figures += [figure(f"load_prod_p95_ms.{step}", value, "ms", "trivial-django-view", anchor_p95, "lower",
                       note="from the submit's answer until the model's review reaches the page's poll (model 2 x 2 s, polls every 2 s)"
                       if step == "feedback" else None)
                for step, value in run.steps.items()]
    figures.append(figure("load_prod_grades_lost", run.grades_lost, "grades", "none-lost", 0, "lower",
                          note=f"{run.grades_recorded} learner x line item scores in the tool's outbox (rows by status once drained: "
                               f"{run.outbox}; a review by the model re-grades its attempt), {run.grades_received} of them received by the "
                               f"platform's AGS score endpoint ({run.score_posts} score POSTs accepted)"))
    figures.append(figure("load_prod_llm_replies_lost", run.llm_lost, "replies", "none-lost", 0, "lower",
                          note=f"{run.llm.get('awaited', 0)} reviews awaited by learners' polls (warm-up included), {run.llm.get('arrived', 0)} arrived, "
                               f"{run.llm.get('gave_up', 0)} ended without the model; the fake model served {run.llm_answered} completions"))
    if run.scale:
        curve = ", ".join(f"{w} worker(s): {rate:.1f} req/s" + (f" ({run.scale_errors[w]} errors)" if run.scale_errors.get(w) else "")
                          + f" (load average {run.scale_loads.get(w, 0):.1f})" for w, rate in run.scale.items())
        low, high = min(run.scale), max(run.scale)
        figures.append(figure("scale_web_workers", run.scale[high], "req/s", f"{low}-web-worker", run.scale[low], "higher",
                              note=f"{SCALE_USERS} learners without pauses, 2 x {run.scale_seconds} s per point (order 1-2-4-4-2-1), gunicorn workers x 2 threads, "
                                   f"same Celery worker, PostgreSQL and Redis, locust on the same {os.cpu_count()} cores: {curve}"))
    return figures


def run_prod_figures() -> list[dict]:
    """The production profile as ``make bench`` runs it (``LDAI_LOAD_PROD_SHORT=1``: a quick look, smaller and shorter)."""
    short = os.environ.get("LDAI_LOAD_PROD_SHORT", "").strip() not in ("", "0")
    return prod_figures(run_prod(**SHORT) if short else run_prod())


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Load test of the LTI tool (issue 7's profile, or issue 13's production profile).")
    parser.add_argument("--profile", choices=("default", "prod"), default="default",
                        help="default: 200 learners, 2 workers, SQLite; prod: 300 learners, 4 workers + Celery, PostgreSQL + Redis")
    arguments = parser.parse_args()
    for fig in (run_prod_figures() if arguments.profile == "prod" else run()):
        print(json.dumps(fig))
