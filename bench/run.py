"""``make bench``: run every ``bench/bench_*.py``, print each figure beside its anchor, store them.

Why one collector: every speed claim in the project is a ratio against something a user
would otherwise pick, measured in the same run because shared machines are noisy. One
command produces them all, so anyone can check a claim on their own machine.

Each module exposes ``def run() -> list[dict]`` (figures built with ``bench.common.figure``).
Each runs in a child process of its own: a module that crashes, leaks a Django
configuration or exhausts memory cannot spoil the others, and a module over its time
budget is stopped, so the whole run stays under 17 minutes on a 2-core machine (the production
load profile alone takes about six).

Output (stdout), one line per figure::

    NAME: VALUE UNIT | baseline BASELINE_NAME: VALUE UNIT | ratio R

then ``note NAME: ...`` lines (why a figure is missing or how it was measured), ``target``
lines (the issues' speed targets, met or not), and ``error MODULE: ...`` / ``missing ...``
lines. ``bench/results.json`` gets ``{"NAME": {"value", "unit", "baseline",
"baseline_value", "ratio", "better"[, "note"]}}`` and ``bench/machine.json`` the machine it
ran on. The exit status is 1 when a module failed or returned a malformed figure.

    python bench/run.py                      # everything
    python bench/run.py --only bench_submit  # one module (results.json untouched unless --results)
    python bench/run.py --update-readme      # rewrite README.rst's Performance section from the JSON files
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import BETTER  # noqa: E402  (the repository root must be on sys.path first)

BENCH_DIR = ROOT / "bench"
RESULTS = BENCH_DIR / "results.json"
MACHINE = BENCH_DIR / "machine.json"
README = ROOT / "README.rst"

# The modules the issues expect, who writes them, and their time budget in seconds. The order is
# the running order: quick in-process ones first, the 2-minute load test last.
EXPECTED: dict[str, tuple[str, int]] = {
    "bench_submit": ("submit_median_ms per activity vs xblock-drag-and-drop-v2", 150),
    "bench_prompt": ("analyze_prompt_median_ms, scan_sensitive_speedup vs presidio-analyzer", 150),
    "bench_lti": ("lti_launch_per_s, lti_launch_median_ms vs a pylti1p3-example tool", 150),
    "bench_frontend": ("frontend_kb_gz, time_to_interactive_ms per activity vs xblock-ai-eval", 200),
    "bench_load": ("load_errors, load_p95_ms: 200 locust learners vs a trivial Django view", 240),
    "bench_dashboard": ("dashboard_ms: the L&D dashboard over 20,000 learners x 10 activities vs the naive path", 900),
    "bench_load_prod": ("load_prod_*, scale_web_workers: 300 learners on 4 gunicorn workers + Celery, PostgreSQL + Redis", 780),
}
STOP_GRACE_S = 45  # after SIGTERM, time for a stopped module's clean-up (pg_ctl stop, Celery's warm shutdown)
DEFAULT_BUDGET = 150  # seconds, for a module not listed above
TOTAL_BUDGET = 2160  # 36 minutes, start-up included: the 20,000-learner dashboard (~12 min, its seeding and rebuild included)
# and issue 13's production load profile (~10 min with its scale curve) no longer fit issue 7's 10 minutes;
# measured 2026-12-01 on 2 cores: the other modules 624 s, the production profile about 600 s

REQUIRED = ("name", "value", "unit", "baseline", "baseline_value", "ratio", "better")
STORED = ("value", "unit", "baseline", "baseline_value", "ratio", "better", "note")


# --------------------------------------------------------------------------- targets
def _value(limit: float, op: str) -> Callable[[dict], bool | None]:
    def check(fig: dict) -> bool | None:
        v = fig.get("value")
        if v is None:
            return None
        return v < limit if op == "<" else v <= limit if op == "<=" else v == limit

    return check


def _ratio(limit: float) -> Callable[[dict], bool | None]:
    def check(fig: dict) -> bool | None:
        r = fig.get("ratio")
        return None if r is None else r >= limit

    return check


# The speed targets of issues #4, #5 and #6 (and #7's zero errors), by figure name or name prefix.
TARGETS: list[tuple[str, str, Callable[[dict], bool | None]]] = [
    ("analyze_prompt_median_ms", "median < 5 ms (issue 4)", _value(5, "<")),
    ("scan_sensitive_speedup", "at least 50x presidio-analyzer (issue 4)", _ratio(50)),
    ("lti_launch_per_s", "at least 1.5x the pylti1p3-example tool (issue 5)", _ratio(1.5)),
    ("lti_launch_median_ms", "median < 10 ms (issue 5)", _value(10, "<")),
    ("frontend_kb_gz", "JS + CSS <= 30 KB gzipped (issue 6)", _value(30, "<=")),
    ("time_to_interactive_ms", "interactive <= 200 ms (issue 6)", _value(200, "<=")),
    ("load_errors", "no error under 200 learners (issue 7)", _value(0, "==")),
    ("dashboard_ms", "the dashboard answers in < 1 s for 20,000 learners x 10 activities (issue 16)", _value(1000, "<")),
    ("load_prod_errors", "no error under 300 learners on the production layout (issue 13)", _value(0, "==")),
    ("load_prod_grades_lost", "every grade delivered (issue 13)", _value(0, "==")),
    ("load_prod_llm_replies_lost", "every model review reaches its learner (issue 13)", _value(0, "==")),
]


def target_for(name: str) -> tuple[str, Callable[[dict], bool | None]] | None:
    for prefix, text, check in TARGETS:
        if name == prefix or name.startswith(prefix + "."):
            return text, check
    return None


# --------------------------------------------------------------------------- formatting
def fmt_number(value: Any) -> str:
    """A number as a reader wants it: no float noise, 'n/a' for a figure that could not be measured."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def fmt_ratio(ratio: Any) -> str:
    """Two decimals, or two significant digits below 0.1 (an anchor 400 times faster reads 0.0025, not 0.00)."""
    if ratio is None:
        return "n/a"
    return f"{ratio:.2g}" if 0 < abs(ratio) < 0.1 else f"{ratio:.2f}"


def figure_line(fig: dict) -> str:
    """``NAME: VALUE UNIT | baseline BASELINE_NAME: VALUE UNIT | ratio R`` (the format of issue 7)."""
    unit = fig["unit"]
    return (f"{fig['name']}: {fmt_number(fig['value'])} {unit} | "
            f"baseline {fig['baseline']}: {fmt_number(fig['baseline_value'])} {unit} | ratio {fmt_ratio(fig['ratio'])}")


def check_figure(fig: Any) -> list[str]:
    """What is wrong with a figure a module returned (empty when it can be printed and stored)."""
    if not isinstance(fig, dict):
        return [f"a figure must be a dict, not {type(fig).__name__}"]
    problems = [f"missing key {key!r}" for key in REQUIRED if key not in fig]
    if problems:
        return problems
    for key in ("name", "unit", "baseline"):
        if not isinstance(fig[key], str) or not fig[key] or any(ch.isspace() for ch in fig[key]):
            problems.append(f"{key} must be a non-empty word without spaces, not {fig[key]!r}")
    for key in ("value", "baseline_value", "ratio"):
        if fig[key] is not None and (isinstance(fig[key], bool) or not isinstance(fig[key], int | float)):
            problems.append(f"{key} must be a number or null, not {fig[key]!r}")
    if fig["better"] not in BETTER:
        problems.append(f"better must be 'higher' or 'lower', not {fig['better']!r}")
    return problems


# --------------------------------------------------------------------------- discovery
def discover(bench_dir: Path, only: list[str] | None) -> list[str]:
    """Module names (``bench_x``) in running order: the expected ones first, then any other."""
    present = {p.stem for p in bench_dir.glob("bench_*.py")}
    ordered = [name for name in EXPECTED if name in present] + sorted(present - set(EXPECTED))
    if only:
        wanted = [name.removesuffix(".py") for name in only]
        unknown = [name for name in wanted if name not in present]
        if unknown:
            raise SystemExit(f"no such benchmark module: {', '.join(unknown)} (in {bench_dir})")
        ordered = [name for name in ordered if name in wanted]
    return ordered


def missing_modules(bench_dir: Path) -> list[str]:
    return [name for name in EXPECTED if not (bench_dir / f"{name}.py").exists()]


# --------------------------------------------------------------------------- child side
def child_main(bench_dir: Path, module_name: str, out_path: Path) -> int:
    """Import one module, call its run(), write the figures (or the error) as JSON to ``out_path``."""
    # A module that overruns its budget is sent SIGTERM. Raising SystemExit there unwinds its ``with``
    # blocks, so the servers it started in sessions of their own (PostgreSQL, gunicorn, Celery: outside
    # the process group the parent stops) are stopped by the module's own clean-up instead of outliving it.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if bench_dir.resolve() == BENCH_DIR:
            module = importlib.import_module(f"bench.{module_name}")
        else:
            sys.path.insert(0, str(bench_dir))
            module = importlib.import_module(module_name)
        figures = module.run()
        if not isinstance(figures, list):
            raise TypeError(f"run() must return a list of figure dicts, not {type(figures).__name__}")
        payload: dict[str, Any] = {"figures": figures}
    except BaseException as error:  # reported to the parent, which keeps going
        traceback.print_exc()
        payload = {"error": f"{type(error).__name__}: {error}".strip()}
    out_path.write_text(json.dumps(payload, default=str), encoding="utf-8")
    return 0


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------- parent side
def run_module(bench_dir: Path, name: str, timeout: float, env: dict[str, str]) -> dict[str, Any]:
    """Run one module in its own process group (stopped as a whole on timeout); its output goes to stderr."""
    with tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".json", delete=False) as handle:
        out_path = Path(handle.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--bench-dir", str(bench_dir), "--out", str(out_path)]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr, start_new_session=True)
    try:
        process.wait(timeout=max(timeout, 1))
    except subprocess.TimeoutExpired:
        _stop_group(process)
        out_path.unlink(missing_ok=True)
        return {"error": f"stopped after {timeout:.0f} s (its time budget)", "seconds": time.monotonic() - started}
    seconds = time.monotonic() - started
    try:
        payload = json.loads(out_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        payload = {"error": f"the module's process ended with status {process.returncode} before reporting"}
    finally:
        out_path.unlink(missing_ok=True)
    payload["seconds"] = seconds
    return payload


def _stop_group(process: subprocess.Popen) -> None:
    """Stop the child and everything it started (gunicorn, locust, chromium) by its process group id."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def machine_info() -> dict[str, Any]:
    """The machine the figures come from: a ratio is comparable across machines, an absolute time is not."""
    info: dict[str, Any] = {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "os": f"{platform.system()} {platform.release()}",
        "load_average_before": _load_average(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": _git("rev-parse", "--short", "HEAD"),
    }
    versions = {}
    for dist in ("Django", "XBlock", "xblock-sdk", "pylti1p3", "xblock-drag-and-drop-v2", "presidio-analyzer",
                 "spacy", "xblock-ai-eval", "locust", "gunicorn", "playwright"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    info["versions"] = versions
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def collect(bench_dir: Path, names: list[str], total_budget: float, env: dict[str, str],
            out: Callable[[str], None]) -> tuple[list[dict], list[str], dict[str, float]]:
    """Run the modules in turn; figures as they come, error lines for the modules that failed."""
    figures: list[dict] = []
    errors: list[str] = []
    seconds: dict[str, float] = {}
    deadline = time.monotonic() + total_budget
    for name in names:
        remaining = deadline - time.monotonic()
        if remaining < 5:
            errors.append(f"error {name}: not run, the budget of the whole bench is spent")
            continue
        budget = min(EXPECTED.get(name, ("", DEFAULT_BUDGET))[1], remaining)
        print(f"[bench] {name} (budget {budget:.0f} s)", file=sys.stderr, flush=True)
        payload = run_module(bench_dir, name, budget, env)
        seconds[name] = round(payload.get("seconds", 0.0), 1)
        if "error" in payload:
            errors.append(f"error {name}: {payload['error']}")
            continue
        for fig in payload.get("figures", []):
            problems = check_figure(fig)
            if problems:
                label = fig.get("name", "?") if isinstance(fig, dict) else "?"
                errors.append(f"error {name}: malformed figure {label}: {'; '.join(problems)}")
                continue
            if any(f["name"] == fig["name"] for f in figures):
                errors.append(f"error {name}: figure {fig['name']} reported twice, the second one dropped")
                continue
            figures.append(fig)
            out(figure_line(fig))
    return figures, errors, seconds


def results_json(figures: list[dict]) -> dict[str, dict]:
    return {fig["name"]: {key: fig[key] for key in STORED if key in fig} for fig in figures}


def target_lines(figures: list[dict]) -> list[str]:
    lines = []
    for fig in figures:
        found = target_for(fig["name"])
        if found:
            text, check = found
            verdict = check(fig)
            state = "not measured" if verdict is None else "met" if verdict else "NOT met"
            lines.append(f"target {fig['name']}: {text}: {state}")
    return lines


# --------------------------------------------------------------------------- README
def readme_section(results: dict[str, dict], machine: dict[str, Any]) -> str:
    """The README's "Performance" section: how to run the bench, the latest table, the machine."""
    rows = [("Figure", "Ours", "Anchor", "Anchor's value", "Ratio", "Target")]
    for name, fig in results.items():
        found = target_for(name)
        target = ""
        if found:
            verdict = found[1]({**fig, "name": name})
            target = f"{found[0].split(' (')[0]}: " + ("not measured" if verdict is None else "met" if verdict else "**not met**")
        unit = fig["unit"]
        rows.append((f"``{name}``", f"{fmt_number(fig['value'])} {unit}", f"``{fig['baseline']}``",
                     f"{fmt_number(fig['baseline_value'])} {unit}", fmt_ratio(fig["ratio"]), target))
    table = _rst_table(rows)
    notes = [f"- ``{name}``: {fig['note']}" for name, fig in results.items() if fig.get("note")]
    versions = ", ".join(f"{k} {v}" for k, v in (machine.get("versions") or {}).items() if v)
    lines = [
        "Performance",
        "===========",
        "",
        "``make bench`` measures every speed claim against the package a user would otherwise pick,",
        "in the same run (these figures come from a shared, noisy machine: read the ratios, not the",
        "absolute times). It prints one line per figure,",
        "``NAME: VALUE UNIT | baseline BASELINE_NAME: VALUE UNIT | ratio R``, and writes",
        "``bench/results.json`` and ``bench/machine.json``. A ratio above 1 means we do better than",
        "the anchor (for times and sizes: the anchor's value divided by ours).",
        "",
        "``python bench/run.py --only bench_load`` runs one module (``bench/bench_*.py``);",
        "``python bench/run.py --update-readme`` rewrites this section from the two JSON files.",
        "",
        f"Latest run: {machine.get('date', '?')} (commit {machine.get('commit') or '?'}, "
        f"{fmt_number(machine.get('seconds'))} s), on {machine.get('cpu_model', '?')}, "
        f"{machine.get('cores_usable', '?')} usable cores ({machine.get('cores', '?')} online), "
        f"{machine.get('ram_gb', '?')} GB RAM, {machine.get('implementation', 'CPython')} {machine.get('python', '?')}, "
        f"{machine.get('os', '?')}; {_load_text(machine.get('load_average_before'), machine.get('load_average_after'))}.",
        "",
        table,
        "",
    ]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    if versions:
        lines += [f"Versions: {versions}.", ""]
    return "\n".join(lines)


def _load_text(before: list[float] | None, after: list[float] | None = None) -> str:
    """How busy the machine was: a 1-minute load average above 1 means other jobs took some of the 2 cores."""
    if not before:
        return "load average not known"
    text = f"1-minute load average {before[0]:.2f} as it started"
    if after:
        text += f", {after[0]:.2f} as it ended"
    return text + (" (other jobs shared the machine)" if max(before[0], (after or [0])[0]) >= 1.5 else "")


def _rst_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    rule = "  ".join("=" * w for w in widths)
    body = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([rule, body[0], rule, *body[1:], rule])


def update_readme(readme: Path, section: str) -> None:
    """Replace the README's last section titled "Performance" (or append one): the rest is not ours."""
    text = readme.read_text(encoding="utf-8")
    marker = "\nPerformance\n==========="
    at = text.rfind(marker)
    head = text[:at] if at >= 0 else text
    readme.write_text(head.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="run only these modules (bench_submit ...)")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help="where to write the figures (default bench/results.json; not written with --only)")
    parser.add_argument("--machine", type=Path, help="where to write the machine (default bench/machine.json)")
    parser.add_argument("--budget", type=float, default=TOTAL_BUDGET, help="seconds for the whole run (default %(default)s)")
    parser.add_argument("--update-readme", action="store_true", help="rewrite README.rst's Performance section from the JSON files and stop")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return child_main(args.bench_dir, args.child, args.out)

    results_path = args.results or (None if args.only else RESULTS)
    machine_path = args.machine or (None if args.only else MACHINE)

    if args.update_readme:
        results = json.loads((args.results or RESULTS).read_text(encoding="utf-8"))
        machine = json.loads((args.machine or MACHINE).read_text(encoding="utf-8"))
        update_readme(README, readme_section(results, machine))
        print(f"README.rst: Performance section updated from {args.results or RESULTS}")
        return 0

    started = time.monotonic()
    machine = machine_info()
    names = discover(args.bench_dir, args.only)
    missing = [] if args.only else missing_modules(args.bench_dir)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "lti_tool.site.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="ldai-bench-") as scratch:
        env["LDAI_VAR_DIR"] = scratch  # a throw-away database and secret: the demo's var/ is never touched
        env["LDAI_BENCH_SCRATCH"] = scratch
        figures, errors, seconds = collect(args.bench_dir, names, args.budget, env, lambda line: print(line, flush=True))

    notes = [f"note {fig['name']}: {fig['note']}" for fig in figures if fig.get("note")]
    for line in [*notes, *target_lines(figures), *errors]:
        print(line)
    for name in missing:
        print(f"missing {name}.py: {EXPECTED[name][0]} (not written yet)")

    machine["load_average_after"] = _load_average()
    machine["seconds"] = round(time.monotonic() - started, 1)
    machine["seconds_per_module"] = seconds
    machine["missing_modules"] = missing
    machine["errors"] = errors
    if results_path:
        results_path.write_text(json.dumps(results_json(figures), indent=2) + "\n", encoding="utf-8")
    if machine_path:
        machine_path.write_text(json.dumps(machine, indent=2) + "\n", encoding="utf-8")
    print(f"[bench] {len(figures)} figures in {machine['seconds']:.0f} s; {len(errors)} error(s); "
          f"{len(missing)} module(s) missing" + (f"; wrote {results_path}" if results_path else ""), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
