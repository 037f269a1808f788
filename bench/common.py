"""Shared helpers of the benchmarks: timing, statistics and the figure every module returns.

Why this module: every speed claim of the project is a ratio against an anchor measured in
the same run (these machines are shared and noisy, so an absolute number from another day
means little). Each ``bench/bench_*.py`` exposes ``def run() -> list[dict]`` and builds its
figures with :func:`figure` so ``bench/run.py`` can print and store them all the same way.

Conventions (read by ``bench/run.py`` and the README table):

- a figure is ``{"name", "value", "unit", "baseline", "baseline_value", "ratio", "better"}``
  plus an optional ``"note"``; ``better`` is ``"higher"`` or ``"lower"``;
- ``ratio`` always reads "how many times better than the baseline we are": above 1 we win,
  below 1 the anchor wins. For ``better="lower"`` it is ``baseline_value / value``, for
  ``better="higher"`` it is ``value / baseline_value``;
- a figure we cannot measure yet (a block still a placeholder, an anchor not installed) has
  ``value`` (or ``baseline_value``) ``None`` and a ``note`` saying why, never a made-up number;
- names and units carry no spaces (the printed line is parsed by tools); a figure per
  activity is named ``<figure>.<activity>`` (see :func:`per_activity`).

Usage from a module::

    from bench.common import figure, interleaved, median

    samples = interleaved({"ours": ours, "anchor": anchor}, rounds=200, warmup=20)
    return [figure("x_median_ms", median(samples["ours"]), "ms",
                   "anchor_name", median(samples["anchor"]), better="lower")]
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
BETTER = ("higher", "lower")
ACTIVITIES = ("risk_quiz", "hallucination_detector", "prompt_sandbox")


# ------------------------------------------------------------------------------ statistics
def median(samples: Iterable[float]) -> float:
    """The median: robust to the odd slow call a shared machine produces."""
    values = list(samples)
    if not values:
        raise ValueError("median of no samples")
    return statistics.median(values)


def percentile(samples: Iterable[float], p: float) -> float:
    """The ``p``-th percentile (0-100), linear interpolation between ranks (numpy's default)."""
    values = sorted(samples)
    if not values:
        raise ValueError("percentile of no samples")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0-100")
    rank = (len(values) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return values[low] + (values[high] - values[low]) * (rank - low)


def ratio_for(value: float | None, baseline_value: float | None, better: str) -> float | None:
    """How many times better than the baseline ``value`` is (None when it cannot be said)."""
    if better not in BETTER:
        raise ValueError(f"better must be one of {BETTER}, not {better!r}")
    if value is None or baseline_value is None:
        return None
    if value == baseline_value:
        return 1.0  # equal, zero included (0 errors beside 0 errors)
    numerator, denominator = (baseline_value, value) if better == "lower" else (value, baseline_value)
    if denominator == 0:
        return None  # infinitely better or worse: say "n/a" rather than print infinity
    return numerator / denominator


# ---------------------------------------------------------------------------------- figures
def figure(name: str, value: float | None, unit: str, baseline: str, baseline_value: float | None,
           better: str, *, ratio: float | None = None, note: str | None = None, digits: int = 3) -> dict[str, Any]:
    """One figure, its anchor and the ratio (computed unless given), rounded for reading."""
    for label, text in (("name", name), ("unit", unit), ("baseline", baseline)):
        if not text or any(ch.isspace() for ch in text):
            raise ValueError(f"figure {label} {text!r} must be a non-empty word without spaces")
    if ratio is None:
        ratio = ratio_for(value, baseline_value, better)
    result: dict[str, Any] = {
        "name": name,
        "value": _round(value, digits),
        "unit": unit,
        "baseline": baseline,
        "baseline_value": _round(baseline_value, digits),
        "ratio": _round(ratio, digits),
        "better": better,
    }
    if note:
        result["note"] = note
    return result


def per_activity(name: str, activity: str) -> str:
    """The name of a figure measured per activity: ``submit_median_ms.risk_quiz``."""
    return f"{name}.{activity}"


def _round(number: float | None, digits: int) -> float | None:
    if number is None:
        return None
    if isinstance(number, int) or float(number).is_integer() and abs(number) >= 1:
        return number
    # Keep `digits` significant digits for small numbers, `digits` decimals for the rest.
    if abs(number) < 1 and number != 0:
        return float(f"{number:.{digits}g}")
    return round(float(number), digits)


# ----------------------------------------------------------------------------------- timing
def elapsed_ms(function: Callable[[], Any]) -> float:
    """Wall-clock milliseconds of one call (perf_counter: monotonic, highest resolution)."""
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def warm_up(function: Callable[[], Any], calls: int = 10) -> None:
    """Call ``function`` a few times, unmeasured: imports, caches and the allocator settle first."""
    for _ in range(calls):
        function()


def time_calls(function: Callable[[], Any], rounds: int, warmup: int = 10) -> list[float]:
    """Milliseconds of ``rounds`` calls after ``warmup`` unmeasured ones."""
    warm_up(function, warmup)
    return [elapsed_ms(function) for _ in range(rounds)]


def interleaved(functions: dict[str, Callable[[], Any]], rounds: int, warmup: int = 10) -> dict[str, list[float]]:
    """Milliseconds per call of several contenders, called in turn within each round.

    Alternating (ours, anchor, ours, anchor...) rather than timing one then the other
    spreads whatever else the shared machine is doing over both sides alike.
    """
    for function in functions.values():
        warm_up(function, warmup)
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            samples[name].append(elapsed_ms(function))
    return samples


def timed_prepared(prepare: Callable[[], Callable[[], Any]], rounds: int, warmup: int = 3) -> list[float]:
    """Milliseconds of the call ``prepare()`` returns, each round freshly prepared (setup unmeasured).

    For calls that change state (a submit can be made only once per learner), ``prepare``
    builds a fresh learner and returns the one call to measure.
    """
    for _ in range(warmup):
        prepare()()
    samples = []
    for _ in range(rounds):
        call = prepare()
        samples.append(elapsed_ms(call))
    return samples


# ------------------------------------------------------------------------------ environment
def setup_django(settings_module: str = "lti_tool.site.settings") -> None:
    """Configure Django once per process on a throw-away database, migrated.

    ``bench/run.py`` points ``LDAI_VAR_DIR`` at a temporary folder before any module runs,
    so the benchmarks never touch the demo's database in ``var/``.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    os.environ.setdefault("LDAI_VAR_DIR", tempfile.mkdtemp(prefix="ldai-bench-"))
    os.environ.setdefault("LDAI_GRADES_IN_PROCESS", "0")  # no delivery thread competing with the timings
    import django
    from django.apps import apps

    if apps.ready:
        return
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def interleaved_prepared(preparers: dict[str, Callable[[], Callable[[], Any]]], rounds: int,
                         warmup: int = 3) -> dict[str, list[float]]:
    """:func:`timed_prepared` for several contenders, called in turn within each round (see :func:`interleaved`)."""
    for prepare in preparers.values():
        for _ in range(warmup):
            prepare()()
    samples: dict[str, list[float]] = {name: [] for name in preparers}
    for _ in range(rounds):
        for name, prepare in preparers.items():
            call = prepare()
            samples[name].append(elapsed_ms(call))
    return samples


# ------------------------------------------------------------------------------ anchors
WHEELS_DIR = ROOT / "var" / "bench-wheels"
WHEELS_LIST = ROOT / "requirements" / "bench-wheels.txt"


def anchor_wheel(distribution: str) -> Path | None:
    """The published wheel of an anchor read without installing it (``make bench`` fetches it), or None.

    ``requirements/bench-wheels.txt`` pins the version; ``make bench`` runs ``pip download
    --no-deps`` into ``var/bench-wheels/``. Nothing is fetched here: a module that finds None
    reports its figure as not measured, with a note saying to run ``make bench``.
    """
    stem = distribution.replace("-", "_").lower()
    pinned = None
    if WHEELS_LIST.exists():
        for line in WHEELS_LIST.read_text(encoding="utf-8").splitlines():
            spec = line.split("#")[0].strip()
            if spec.lower().replace("-", "_").startswith(stem + "=="):
                pinned = spec.split("==", 1)[1]
    pattern = f"{stem}-{pinned}-*.whl" if pinned else f"{stem}-*.whl"
    found = sorted(WHEELS_DIR.glob(pattern))  # wheel names are normalized: lower case, underscores
    return found[-1] if found else None
