"""The bench's output contract (issue 7), checked on fake modules: the line format, the JSON schema, failures.

No timing is asserted anywhere: the fake modules return fixed figures, and what is checked
is that ``bench/run.py`` prints, stores and reports them the way the README promises.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import run as bench_run
from bench.common import figure, median, per_activity, percentile, ratio_for

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^(?P<name>\S+): (?P<value>\S+) (?P<unit>\S+) \| baseline (?P<baseline>\S+): (?P<bvalue>\S+) (?P=unit) \| ratio (?P<ratio>\S+)$")
FIGURE_KEYS = {"value", "unit", "baseline", "baseline_value", "ratio", "better"}

GOOD = """
from bench.common import figure, per_activity

def run():
    return [
        figure("fake_median_ms", 2.5, "ms", "anchor-lib", 10.0, "lower"),
        figure("fake_per_s", 300, "launches/s", "anchor-lib", 150, "higher"),
        figure(per_activity("fake_submit_ms", "prompt_sandbox"), None, "ms", "anchor-lib", 4.0, "lower",
               note="the block is still a placeholder: not measured"),
    ]
"""
BROKEN = """
def run():
    raise RuntimeError("the anchor is not installed")
"""
MALFORMED = """
from bench.common import figure

def run():
    return [{"name": "has space", "value": 1, "unit": "ms", "baseline": "x", "baseline_value": 1, "ratio": 1, "better": "lower"},
            figure("still_fine_ms", 1.0, "ms", "anchor-lib", 2.0, "lower")]
"""


@pytest.fixture(scope="module")
def bench_output(tmp_path_factory):
    """One run of bench/run.py over three fake modules (good, broken, malformed), as `make bench` runs it."""
    folder = tmp_path_factory.mktemp("fake_bench")
    for name, source in (("bench_good", GOOD), ("bench_broken", BROKEN), ("bench_malformed", MALFORMED)):
        (folder / f"{name}.py").write_text(textwrap.dedent(source))
    results, machine = folder / "results.json", folder / "machine.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--bench-dir", str(folder), "--results", str(results), "--machine", str(machine)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    return done, json.loads(results.read_text()), json.loads(machine.read_text())


def test_every_figure_prints_one_line_in_the_issue_format(bench_output):
    done, results, _ = bench_output
    lines = [line for line in done.stdout.splitlines() if LINE.match(line)]
    assert [LINE.match(line)["name"] for line in lines] == ["fake_median_ms", "fake_per_s", "fake_submit_ms.prompt_sandbox", "still_fine_ms"]
    assert "fake_median_ms: 2.50 ms | baseline anchor-lib: 10 ms | ratio 4.00" in lines
    assert "fake_per_s: 300 launches/s | baseline anchor-lib: 150 launches/s | ratio 2.00" in lines
    assert "fake_submit_ms.prompt_sandbox: n/a ms | baseline anchor-lib: 4 ms | ratio n/a" in lines
    assert set(results) == {LINE.match(line)["name"] for line in lines}


def test_results_json_has_the_schema_of_the_issue(bench_output):
    _, results, _ = bench_output
    for name, fig in results.items():
        assert FIGURE_KEYS <= set(fig) <= FIGURE_KEYS | {"note"}, name
        assert fig["better"] in ("higher", "lower")
        for key in ("value", "baseline_value", "ratio"):
            assert fig[key] is None or isinstance(fig[key], int | float)
    assert results["fake_median_ms"] == {"value": 2.5, "unit": "ms", "baseline": "anchor-lib", "baseline_value": 10.0, "ratio": 4.0, "better": "lower"}
    assert results["fake_submit_ms.prompt_sandbox"]["value"] is None
    assert "placeholder" in results["fake_submit_ms.prompt_sandbox"]["note"]


def test_a_failing_module_is_reported_and_the_others_still_count(bench_output):
    done, results, machine = bench_output
    assert done.returncode == 1
    assert "error bench_broken: RuntimeError: the anchor is not installed" in done.stdout
    assert any(line.startswith("error bench_malformed: malformed figure has space") for line in done.stdout.splitlines())
    assert "still_fine_ms" in results and "has space" not in results
    assert len(machine["errors"]) == 2


def test_missing_modules_are_listed_by_name(bench_output):
    done, _, machine = bench_output
    for name in bench_run.EXPECTED:
        assert f"missing {name}.py" in done.stdout
    assert machine["missing_modules"] == list(bench_run.EXPECTED)


def test_the_machine_is_recorded(bench_output):
    _, _, machine = bench_output
    assert machine["cpu_model"] and machine["cores"] >= 1 and machine["python"].count(".") == 2
    assert machine["ram_gb"] is None or machine["ram_gb"] > 0


def test_notes_and_targets_follow_the_figures(bench_output):
    done, _, _ = bench_output
    assert "note fake_submit_ms.prompt_sandbox: the block is still a placeholder: not measured" in done.stdout


@pytest.mark.parametrize(("value", "baseline", "better", "expected"), [
    (2.0, 10.0, "lower", 5.0),  # 5 times faster
    (10.0, 2.0, "lower", 0.2),  # the anchor is 5 times faster
    (300, 150, "higher", 2.0),
    (0, 0, "lower", 1.0),  # no error beside no error: equal
    (3, 0, "lower", 0.0),  # errors beside none: the anchor wins outright
    (0, 3, "lower", None),  # none beside errors: no finite ratio, printed n/a
    (None, 4.0, "lower", None),  # not measured
    (4.0, None, "higher", None),
])
def test_ratio_reads_how_many_times_better_we_are(value, baseline, better, expected):
    assert ratio_for(value, baseline, better) == expected


@pytest.mark.parametrize(("bad", "message"), [
    ({"name": "a b"}, "name"),
    ({"unit": ""}, "unit"),
    ({"better": "faster"}, "better"),
    ({"value": "fast"}, "value"),
    ({"ratio": True}, "ratio"),
])
def test_check_figure_names_what_is_wrong(bad, message):
    fig = {**figure("x_ms", 1.0, "ms", "anchor", 2.0, "lower"), **bad}
    problems = bench_run.check_figure(fig)
    assert problems and message in problems[0]


def test_check_figure_accepts_what_figure_builds():
    assert bench_run.check_figure(figure("x_ms", 1.0, "ms", "anchor", 2.0, "lower", note="why")) == []
    assert bench_run.check_figure({"name": "x"})[0] == "missing key 'value'"


def test_figure_refuses_words_with_spaces():
    with pytest.raises(ValueError):
        figure("two words", 1.0, "ms", "anchor", 1.0, "lower")
    with pytest.raises(ValueError):
        figure("x", 1.0, "ms", "anchor", 1.0, "sideways")


@pytest.mark.parametrize(("number", "text"), [
    (None, "n/a"), (3, "3"), (3.0, "3"), (1234.56, "1235"), (12.345, "12.3"), (1.2345, "1.23"), (0.012345, "0.0123"),
])
def test_numbers_print_without_float_noise(number, text):
    assert bench_run.fmt_number(number) == text


def test_small_ratios_keep_two_significant_digits():
    assert bench_run.fmt_ratio(0.0024) == "0.0024"
    assert bench_run.fmt_ratio(1.5) == "1.50"
    assert bench_run.fmt_ratio(None) == "n/a"


def test_per_activity_names_have_no_space():
    assert per_activity("submit_median_ms", "risk_quiz") == "submit_median_ms.risk_quiz"


def test_readme_section_is_a_titled_rst_table():
    results = {"x_ms": {"value": 1.0, "unit": "ms", "baseline": "anchor", "baseline_value": 2.0, "ratio": 2.0, "better": "lower", "note": "how"}}
    machine = {"cpu_model": "Test CPU", "cores": 2, "cores_usable": 2, "ram_gb": 4.0, "python": "3.12.1", "date": "2026-01-01T00:00:00Z"}
    section = bench_run.readme_section(results, machine)
    assert section.startswith("Performance\n===========\n")
    assert "Test CPU" in section and "``x_ms``" in section and "- ``x_ms``: how" in section


def test_update_readme_replaces_only_its_own_section(tmp_path):
    readme = tmp_path / "README.rst"
    readme.write_text("Title\n=====\n\nIntro.\n\nPerformance\n===========\n\nold table\n")
    bench_run.update_readme(readme, "Performance\n===========\n\nnew table\n")
    assert readme.read_text() == "Title\n=====\n\nIntro.\n\nPerformance\n===========\n\nnew table\n"
    readme.write_text("Title\n=====\n")
    bench_run.update_readme(readme, "Performance\n===========\n\nfirst\n")
    assert readme.read_text() == "Title\n=====\n\nPerformance\n===========\n\nfirst\n"


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50), st.floats(min_value=0, max_value=100))
def test_percentile_stays_within_the_samples(samples, p):
    value = percentile(samples, p)
    assert min(samples) <= value <= max(samples) or math.isclose(value, min(samples)) or math.isclose(value, max(samples))


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_percentile_50_is_the_median(samples):
    assert math.isclose(percentile(samples, 50), median(samples), rel_tol=1e-9, abs_tol=1e-9)


OVERRUNNING = """
import subprocess, sys, time
from pathlib import Path

def run():
    # a server started in a session of its own, as bench_load starts PostgreSQL, gunicorn and Celery
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    Path(__file__).with_name("server.pid").write_text(str(server.pid))
    try:
        time.sleep(600)  # far past its budget
    finally:
        server.kill()
        server.wait()
"""


def test_a_module_stopped_at_its_budget_stops_the_servers_it_started(tmp_path):
    """Found on 2026-12-01: the production load profile, stopped at its budget, left gunicorn, Celery and
    PostgreSQL running, because they live in sessions of their own. The stopped module now runs its clean-up."""
    import os

    (tmp_path / "bench_overrun.py").write_text(textwrap.dedent(OVERRUNNING))
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--bench-dir", str(tmp_path), "--only", "bench_overrun", "--budget", "8"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert "stopped after" in done.stdout + done.stderr
    pid = int((tmp_path / "server.pid").read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return
    os.kill(pid, 9)  # do not leave it behind even when the test fails
    pytest.fail(f"the module's server (pid {pid}) outlived the stopped module")
