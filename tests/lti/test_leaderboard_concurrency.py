"""A course of thousands finishing a hunt at once: no leaderboard entry is lost (issue 10, item 7).

The leaderboard lives in ``Scope.user_state_summary``, which the tool keeps on the resource link
(``ResourceLinkConfig.summary``, lti_tool/runtime). Each handler call reads it when its session
opens; writing the whole field back would drop what another learner committed in between. These
tests run the handler path of ``lti_tool/runtime/views.py`` (one transaction per call, rows locked)
against the real database: once with every learner's session opened before anyone commits, once
with six processes submitting at the same moment on the shipped SQLite settings (as several
gunicorn workers would).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import webob
from django.db import transaction

from lti_tool.models import ResourceLinkConfig
from lti_tool.runtime.session import open_session
from lti_tool.runtime.xblock_runtime import LtiRuntime
from tests.lti.runtime_fixtures import handler_prefix, launch_page
from tests.lti.test_runtime_activities import hunt_custom, perfect_flags

pytest_plugins = ["tests.lti.runtime_fixtures"]

LEARNERS = [f"learner-{n}" for n in range(6)]
BOARD = {"leaderboard_enabled": True, "leaderboard_anonymous": False, "max_attempts": 0}


def _tokens(client, consumer) -> dict[str, str]:
    tokens = {}
    for learner in LEARNERS:
        prefix = handler_prefix(launch_page(client, consumer, user_id=learner, name=f"Name {learner}", custom=hunt_custom(**BOARD)))
        tokens[learner] = prefix.rstrip("/").rsplit("/", 1)[-1]
    return tokens


def _submit(session, flags) -> int:
    """What the handler view does for one call: a runtime with locked rows, one transaction."""
    runtime = LtiRuntime(session, lock_rows=True)
    block = runtime.block()
    request = webob.Request.blank("/", method="POST", body=json.dumps({"flags": flags}).encode(), content_type="application/json")
    with transaction.atomic():
        return runtime.handle(block, "submit", request).status_int


def test_submits_that_read_the_board_before_each_other_commit_lose_no_entry(client, graded_platform):
    consumer, _ = graded_platform
    tokens = _tokens(client, consumer)
    sessions = {learner: open_session(token) for learner, token in tokens.items()}  # every one reads the board first
    flags = perfect_flags()
    for index, learner in enumerate(LEARNERS):
        item = sorted(flags)[index % len(flags)]
        assert _submit(sessions[learner], {item: flags[item]}) == 200
    entries = ResourceLinkConfig.objects.get().summary["leaderboard_entries"]
    assert len(entries) == len(LEARNERS)
    assert not any("Name" in json.dumps(entry) for entry in entries.values())  # no names in the shared summary


SETUP = textwrap.dedent(
    """
    import django, json, sys
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from lti_tool.models import Deployment, Platform, ResourceLinkConfig
    platform = Platform.objects.create(issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/auth",
                                       auth_token_url="https://lms.example/token", keyset_url="https://lms.example/jwks")
    deployment = Deployment.objects.create(platform=platform, deployment_id="d1")
    ResourceLinkConfig.objects.create(deployment=deployment, resource_link_id="link-1", context_id="course-1",
                                      block_type="ldai_hallucination_detector", settings=json.loads(sys.argv[1]))
    """
)
WORKER = textwrap.dedent(
    """
    import django, json, os, sys, time
    django.setup()
    import webob
    from django.db import transaction
    from lti_tool.lti.launch_context import LaunchContext
    from lti_tool.models import ResourceLinkConfig
    from lti_tool.runtime.session import RuntimeSession
    from lti_tool.runtime.xblock_runtime import LtiRuntime
    sub, folder, flags = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    link = ResourceLinkConfig.objects.select_related("deployment__platform").get()  # the board as this learner finds it
    context = LaunchContext(platform=link.deployment.platform, deployment=link.deployment, context_id="course-1", context_title="",
                            resource_link_id="link-1", resource_link_title="", user_sub=sub, user_name="Name " + sub, user_email="",
                            roles=[], is_instructor=False, locale="en", ags=None, custom={}, message_type="LtiResourceLinkRequest",
                            launch_id="launch-" + sub, return_url="")
    runtime = LtiRuntime(RuntimeSession(context=context, link=link, token="t"), lock_rows=True)
    block = runtime.block()
    open(os.path.join(folder, "ready-" + sub), "w").close()
    while not os.path.exists(os.path.join(folder, "go")):
        time.sleep(0.01)
    request = webob.Request.blank("/", method="POST", body=json.dumps({"flags": flags}).encode(), content_type="application/json")
    with transaction.atomic():
        print(runtime.handle(block, "submit", request).status_int)
    """
)


def test_parallel_submits_in_separate_processes_lose_no_entry(tmp_path: Path):
    """Six worker processes on one SQLite file (the shipped settings: IMMEDIATE transactions), started together."""
    env = {**os.environ, "LDAI_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lti_tool.site.settings"}
    env.pop("DATABASE_URL", None)
    settings = {**BOARD, "pack": "en/marketing"}
    subprocess.run([sys.executable, "-c", SETUP, json.dumps(settings)], env=env, check=True, capture_output=True)
    flags = perfect_flags()
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, learner, str(tmp_path), json.dumps(flags)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for learner in LEARNERS]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < len(LEARNERS) and time.monotonic() < deadline and all(w.poll() is None for w in workers):
        time.sleep(0.05)
    (tmp_path / "go").touch()
    results = [worker.communicate(timeout=120) for worker in workers]
    assert [out.strip() for out, _ in results] == ["200"] * len(LEARNERS), [err[-800:] for _, err in results if err][:2]
    check = "import django, json; django.setup(); from lti_tool.models import ResourceLinkConfig; print(json.dumps(ResourceLinkConfig.objects.get().summary))"
    summary = json.loads(subprocess.run([sys.executable, "-c", check], env=env, check=True, capture_output=True, text=True).stdout)
    assert len(summary["leaderboard_entries"]) == len(LEARNERS)
