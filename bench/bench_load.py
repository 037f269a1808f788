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
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # runnable alone: python bench/bench_load.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, figure, percentile
from bench.lti_platform import CLIENT_ID, DEPLOYMENT_ID, JwksServer, new_private_pem, public_jwks

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
            think: tuple[float, float] = THINK_S) -> dict:
    """One headless locust run; returns every response time and failure it saw, and how long it ran."""
    samples_path = scratch / f"{label}-samples.json"
    config_path = Path(env["LDAI_LOAD_CONFIG_BASE"])
    config = json.loads(config_path.read_text())
    config["samples_out"] = str(samples_path)
    config["think_seconds"] = think
    run_config = scratch / f"{label}-config.json"
    run_config.write_text(json.dumps(config))
    run_env = {**env, "LDAI_LOAD_CONFIG": str(run_config)}
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "10", "--host", host,
               "--exit-code-on-error", "0", "--loglevel", "WARNING", user_class]
    log_path = scratch / f"locust-{label}.log"
    started = time.monotonic()
    with _process(command, run_env, log_path) as process:
        try:
            process.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"locust ({label}) did not stop after {seconds + 60} s") from error
    elapsed = time.monotonic() - started
    if not samples_path.exists():
        raise RuntimeError(f"locust ({label}) wrote no samples:\n{_tail(log_path, 30)}")
    samples = json.loads(samples_path.read_text())
    return {"samples": samples, "seconds": min(elapsed, seconds + 10), "log": log_path}


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
    ldai = [sys.executable, "-m", "ldai_xblocks.cli"]
    private_pem = new_private_pem()
    with ExitStack() as stack:
        cache = _shared_cache(stack, env, scratch)
        jwks = stack.enter_context(JwksServer(public_jwks(private_pem)))
        issuer = jwks.base_url
        _log(f"database {scratch / 'var'}, cache {cache}")
        _run([*ldai, "manage", "migrate", "--noinput", "-v", "0"], env, "ldai manage migrate")
        _run([*ldai, "lti", "add-platform", "--issuer", issuer, "--client-id", CLIENT_ID, "--auth-login-url", issuer + "/auth",
              "--auth-token-url", issuer + "/token", "--keyset-url", issuer + "/jwks", "--deployment-id", DEPLOYMENT_ID,
              "--name", "Load test platform"], env, "ldai lti add-platform")
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        gunicorn_log = scratch / "gunicorn.log"
        gunicorn = stack.enter_context(_process(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
             "--timeout", "30", "lti_tool.site.wsgi:application"], env, gunicorn_log))
        _wait_http(host + "/bench/trivial/", gunicorn, gunicorn_log)
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


if __name__ == "__main__":
    for fig in run():
        print(fig)
