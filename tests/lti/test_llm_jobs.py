"""The LLM never holds a web worker: submit answers with the offline feedback, the model's part follows.

In the tool, the prompt sandbox hands the model's review to the ``ldai_llm_jobs`` service
(lti_tool/runtime/llm_jobs.py): a Celery task in a worker process (PostgreSQL + Redis pass:
a real ``celery worker`` below), or a thread of the web process without a broker (the demo,
and the SQLite pass). The page polls the block's ``llm_review`` handler, as
static/js/prompt_sandbox.js does.

The LLM API is the only thing mocked: a paid model cannot run here, so the OpenAI-compatible
server of tests/unit/test_llm_adapter.py (real HTTP on 127.0.0.1, the chat-completions
protocol) stands in for it. Everything else - the launch, the runtime, the handler, the cache,
the broker and the worker - is the real thing.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.core.cache import cache

from ldai_xblocks.blocks.llm_quota import RedisQuota, shared_quota
from ldai_xblocks.engine.prompt_rubric import CRITERIA
from lti_tool.models import GradeOutbox, LearnerState
from lti_tool.runtime import llm_jobs
from tests import services
from tests.lti.celery_workers import celery_processes, require_services, worker_logs
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page
from tests.lti.test_runtime_activities import GOOD_PROMPT, sandbox_custom
from tests.unit.test_llm_adapter import KEY_ENV, FakeOpenAI, completion, verdict

pytest_plugins = ["tests.lti.runtime_fixtures"]

CONFIDENTIAL = " Send the draft to jo@client.example."


@pytest.fixture
def model(settings, monkeypatch):
    """The stand-in model, configured as an operator would (XBLOCK_SETTINGS["LDAI"]["LLM"], the key in the environment)."""
    fake = FakeOpenAI()
    fake.replies = [(200, completion("Here are three headlines..."), {}, 0.3), (200, verdict({c: 2 for c in CRITERIA}), {}, 0)]
    monkeypatch.setenv(KEY_ENV, "test-key-123")
    settings.XBLOCK_SETTINGS = {"LDAI": {"LLM": {
        "backend": "openai", "model": "test-model", "base_url": fake.base_url, "api_key_env": KEY_ENV,
        "timeout": 10, "max_retries": 0, "quotas": {"per_learner": 5, "per_course": 100},
    }, "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}}  # the stand-in model listens on loopback, which the guarded client refuses otherwise
    yield fake
    fake.close()


def wait_for_review(client, prefix: str, seconds: float = 120) -> dict:
    """Poll the handler like the page does, until the feedback is no longer pending."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, state = call(client, prefix, "llm_review")
        assert status == 200, state
        if not state["feedback"].get("llm_pending"):
            return state
        time.sleep(0.2)
    raise AssertionError("the model's review never reached the page")


def submit_and_receive(client, consumer, model) -> tuple[dict, dict]:
    prefix = handler_prefix(launch_page(client, consumer, user_id="learner-llm", custom=sandbox_custom()))
    status, first = call(client, prefix, "submit", {"prompt": GOOD_PROMPT + CONFIDENTIAL})
    assert status == 200, first
    return first, wait_for_review(client, prefix)


def check_review_arrived(first: dict, final: dict, model: FakeOpenAI) -> None:
    # The submit answered with the offline feedback and a pending marker, not with the model's part.
    assert first["feedback"]["llm_pending"] and not first["feedback"]["llm_used"] and first["completed_attempts"] == 1
    assert final["feedback"]["llm_used"] and final["feedback"]["answer"] == "Here are three headlines..."
    assert final["completed_attempts"] == 1 and len(final["attempts"]) == 1  # the review completed the attempt
    assert final["feedback"]["score"] >= first["feedback"]["score"]
    sent = json.dumps([r["body"] for r in model.requests])
    assert "jo@client.example" not in sent and "[EMAIL]" in sent  # only the redacted prompt left the machine
    row = LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE, user_sub="learner-llm")
    stored = row.state["attempts"][-1]["feedback"]  # the feedback rides in the last attempt (blocks/prompt_sandbox.py)
    assert stored["llm_used"] and "llm_pending" not in stored and "last_feedback" not in row.state
    # The grade follows the reviewed score: a second score was queued for the platform, after the offline one.
    scores = list(GradeOutbox.objects.order_by("timestamp", "pk").values_list("score_given", flat=True))
    assert len(scores) == 2 and scores[-1] == pytest.approx(final["grade"])


def test_submit_answers_at_once_and_the_page_receives_the_models_part(client, graded_platform, model):
    consumer, _ = graded_platform
    first, final = submit_and_receive(client, consumer, model)
    check_review_arrived(first, final, model)


def test_a_lost_review_ends_in_the_offline_feedback_with_a_notice(client, graded_platform, model):
    consumer, _ = graded_platform
    model.replies = [(200, completion("late"), {}, 2.0), (200, verdict({"task": 2}), {}, 0)]
    prefix = handler_prefix(launch_page(client, consumer, user_id="learner-lost", custom=sandbox_custom()))
    status, first = call(client, prefix, "submit", {"prompt": GOOD_PROMPT})
    assert status == 200 and first["feedback"]["llm_pending"]
    cache.delete(llm_jobs._key(first["feedback"]["llm_pending"]))  # the cache lost it (a Redis restart)
    final = wait_for_review(client, prefix)
    assert not final["feedback"]["llm_used"] and "could not be reached" in " ".join(final["feedback"]["notices"])
    assert final["completed_attempts"] == 1 and final["feedback"]["score"] == first["feedback"]["score"]


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_review_off_the_web_process(client, graded_platform, model, tmp_path):
    require_services()
    consumer, _ = graded_platform
    with celery_processes(tmp_path, workers=1, beat=False, broker_db=3):
        first, final = submit_and_receive(client, consumer, model)
        logs = worker_logs(tmp_path)
    assert "Task ldai.llm_review[" in logs and "succeeded" in logs, logs  # the worker ran it, not a thread of this process
    check_review_arrived(first, final, model)


def test_quota_counters_are_atomic_across_concurrent_callers():
    """8 threads x 50 calls, each with its own connection when the cache is Redis: exactly 400 counted, and a window set."""
    quota = shared_quota()
    if services.selected_backend() == "postgres":
        assert isinstance(quota, RedisQuota)  # REDIS_URL configured: the Lua counter, shared by every worker
    key = f"ldai:test-quota:{time.monotonic_ns()}"

    def hammer():
        for _ in range(50):
            quota.incr(key, 3600)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert quota.incr(key, 3600) == 401
    if isinstance(quota, RedisQuota):
        client = cache._cache.get_client(write=True)
        assert 0 < client.ttl(cache.make_and_validate_key(key)) <= 3600
