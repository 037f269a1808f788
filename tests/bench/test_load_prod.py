"""The production load profile of ``bench/bench_load.py`` at tiny scale, so the bench cannot silently rot.

The very machinery ``make bench`` runs with 300 learners: a private PostgreSQL cluster and
redis-server (tests/services.py), ``ldai manage migrate`` and ``ldai lti add-platform``, gunicorn
serving ``lti_tool.site.wsgi``, ``celery -A lti_tool.celery_app`` worker and beat as
docs/deployment.rst runs them, the bench's LTI platform (keyset, AGS token and score endpoints,
recording every score: bench/lti_platform.py) and the fake OpenAI-compatible model answering in
2 s (bench/fake_llm.py); locust plays the learners: launch, every activity's submit, and the
prompt sandbox's review polled every 2 s as ``static/js/prompt_sandbox.js`` (``awaitReview``) does.

Here: one web worker, 3 learners for 10 s after the warm-up (which already fails the run if one
activity's launch or submit never succeeds). Nothing is timed: it asserts that nothing failed,
that every score in the outbox reached the platform and every review awaited reached its page.
"""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.load


def test_production_profile_at_tiny_scale_loses_nothing(tmp_path):
    missing = [name for name in ("gunicorn", "locust") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (requirements/test.txt pins them: `make test-install`)")
    from bench.bench_load import prod_figures, run_prod

    run = run_prod(users=3, seconds=10, web_workers=1, anchor_seconds=0, scale_workers=(), scratch_dir=str(tmp_path))

    assert run.errors == 0, f"{run.failures} {run.server_errors}"
    assert run.requests > 0 and {"login", "launch"} <= set(run.steps)
    assert run.grades_recorded > 0 and run.grades_lost == 0, run.outbox  # every activity graded in the warm-up
    assert run.grades_received >= run.grades_recorded
    assert set(run.outbox) <= {"sent", "superseded"}  # drained: nothing pending, nothing failed
    assert run.llm["awaited"] > 0 and run.llm_lost == 0, run.llm
    assert run.llm_answered >= 2 * run.llm["arrived"]  # two model calls per review: the answer, then the verdict
    names = {fig["name"] for fig in prod_figures(run)}
    assert {"load_prod_errors", "load_prod_grades_lost", "load_prod_llm_replies_lost", "load_prod_p95_ms.login"} <= names
