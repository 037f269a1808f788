"""Locust scenario of ``bench/bench_load.py``: learners who open an activity from their LMS, then submit.

Run by ``bench_load`` (``locust --headless -f bench/locustfile.py LtiLearner|TrivialLearner``)
with ``LDAI_LOAD_CONFIG`` naming a JSON file: the platform's issuer, key and ids, the
activities and their submit payloads, where to write every response time.

One visit of a simulated learner, each visit a new learner of the LMS:

1. OIDC login initiation (``GET /lti/login/``), answered by a redirect carrying state and nonce;
2. the launch (``POST /lti/launch/``) with an id_token the platform signs for that nonce:
   the activity's page comes back, with the block's handler URL and its initial state;
3. reading and answering (a pause drawn in ``think_seconds``), then the submit through the block's handler
   (the charter's two: check the answers, then accept);
4. the prompt sandbox with a model configured (production profile, ``poll_llm``): the submit answers at
   once with a pending marker and the learner's page asks ``llm_review`` every 2 s, at most 60 times, as
   ``static/js/prompt_sandbox.js`` (``awaitReview``) does; each ask is a ``4 feedback_poll`` request, and
   the time from the submit to the model's review reaching the page a ``5 feedback`` sample. How many
   reviews were awaited and how many arrived goes to ``llm_out``;
5. another such pause before the next visit.

``TrivialLearner`` makes the same three requests with the same pauses against a view that
only answers "ok": the floor that gunicorn, Django and this machine set on their own.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import gevent
from cryptography.hazmat.primitives import serialization
from locust import HttpUser, between, events, task

from bench.lti_platform import resource_link_claims, sign
from ldai_xblocks.content.packs import load_pack
from ldai_xblocks.engine import charter as charter_engine
from ldai_xblocks.rendering import unpack_init_args

CONFIG = json.loads(Path(os.environ["LDAI_LOAD_CONFIG"]).read_text(encoding="utf-8"))
THINK = tuple(CONFIG["think_seconds"])  # (min, max) of every pause, seconds
SAMPLES: list[tuple[str, float, bool]] = []  # (request name, milliseconds, failed)
NEXT_ACTIVITY = itertools.cycle(CONFIG.get("activities", []))  # in turn: every activity gets its share of visits
LLM = {"awaited": 0, "arrived": 0, "gave_up": 0}  # the model's reviews the learners waited for, and how it ended
POLL_SECONDS, POLL_TRIES = 2.0, 60  # static/js/prompt_sandbox.js, awaitReview
# A use case a salesperson records (the use-case activity's handler checks every field).
USE_CASE = {"job_family": "sales", "task": "Preparing the follow-up e-mail after a customer demo", "tool": "The company assistant",
            "data": "The demo's agenda and our product sheet", "before": "Forty minutes per e-mail, written from scratch",
            "after": "A draft in five minutes, then I adapt the tone", "minutes_saved": 120, "rating": 5}

HANDLER_PREFIX = re.compile(r'data-handler-prefix="([^"]+)"')
INIT_ARGS = re.compile(r'<script type="json/xblock-args" class="xblock_json_init_args">(.*?)</script>', re.S)
PAGE_STATE = re.compile(r'<script type="application/json" data-ldai-state>(.*?)</script>', re.S)  # the skills map's state


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    SAMPLES.append((name, response_time, exception is not None))


@events.user_error.add_listener
def _record_error(user_instance, exception, tb, **kwargs):
    """A learner's visit that broke on our side of the exchange (a page without what the script needs) is an error too."""
    SAMPLES.append((f"0 visit-broken {type(exception).__name__}", 0.0, True))


@events.test_stop.add_listener
def _write_samples(environment, **kwargs):
    Path(CONFIG["samples_out"]).write_text(json.dumps(SAMPLES), encoding="utf-8")
    if CONFIG.get("llm_out"):
        Path(CONFIG["llm_out"]).write_text(json.dumps(LLM), encoding="utf-8")


def _charter_answers(state: dict) -> dict:
    """The right answers to the drawn questions: a learner who read the charter (accept needs a pass)."""
    bank = charter_engine.build_bank(load_pack("charter", "en/ai-charter"))
    return {q["id"]: sorted(bank.questions[q["id"]].correct_ids) for q in state["questions"]}


def submit_payload(activity: dict, state: dict) -> dict:
    """What the block's JavaScript would send for a learner's first submit, from the state the page carries."""
    kind = activity["payload"]
    if kind == "quiz":
        question = state["questions"][0]
        return {"question_id": question["id"], "selected": [question["choices"][0]["id"]]}
    if kind == "flags":
        return {"flags": {item["id"]: [list(unit) for unit in item["units"][:2]] for item in state["items"]}}
    if kind == "charter":
        return {"version": state["version"], "answers": _charter_answers(state)}
    if kind == "charter_accept":
        return {"version": state["version"]}
    if kind == "levels":
        return {"levels": {q["id"]: 2 for q in state["questions"]}}
    if kind == "use_case":
        return dict(USE_CASE)
    return {"prompt": activity["prompt"]}


# The platform's key, loaded once: loading (and validating) an RSA key takes tens of milliseconds, which
# would stall locust's event loop at every learner's arrival and show up as our latency.
PLATFORM_KEY = serialization.load_pem_private_key(CONFIG["private_pem"].encode(), password=None) if "private_pem" in CONFIG else None


class ProxiedUser(HttpUser):
    """With ``behind_proxy`` (production profile), every request on a connection of its own, as gunicorn sees them.

    docs/deployment.rst puts a TLS proxy in front: the browser keeps its connection with nginx
    (75 s), and nginx opens a new one to gunicorn per request (HTTP/1.0 upstream by default).
    Talking to gunicorn directly over kept-alive connections instead, a learner's request sent
    after a pause close to gunicorn's keep-alive (2 s: the page's poll interval) races gunicorn
    closing that idle connection and fails with a reset (the first full runs: 43, then 3 such
    failures, on nothing else) - a failure no learner behind the proxy would meet."""

    abstract = True

    def on_start(self):
        if CONFIG.get("behind_proxy"):
            self.client.headers["Connection"] = "close"


class LtiLearner(ProxiedUser):
    wait_time = between(*THINK)

    @task
    def visit(self):
        activity = next(NEXT_ACTIVITY)
        sub = f"bench-{uuid.uuid4().hex[:12]}"
        target = self.host.rstrip("/") + "/lti/launch/"
        login = {"iss": CONFIG["issuer"], "login_hint": sub, "target_link_uri": target, "lti_message_hint": activity["link"],
                 "client_id": CONFIG["client_id"], "lti_deployment_id": CONFIG["deployment_id"]}
        with self.client.get("/lti/login/", params=login, allow_redirects=False, name="1 login", catch_response=True) as response:
            location = response.headers.get("Location", "")
            query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
            if response.status_code != 302 or "state" not in query or "nonce" not in query:
                response.failure(f"login answered {response.status_code} without state and nonce")
                return
            response.success()
        claims = resource_link_claims(issuer=CONFIG["issuer"], nonce=query["nonce"], target_link_uri=target, sub=sub,
                                      resource_link_id=activity["link"], activity=activity["block_type"],
                                      client_id=CONFIG["client_id"], deployment_id=CONFIG["deployment_id"],
                                      lineitem=activity.get("lineitem", ""), custom=activity.get("custom"))
        token = sign(claims, PLATFORM_KEY)
        with self.client.post("/lti/launch/", data={"id_token": token, "state": query["state"]}, name=f"2 launch {activity['name']}",
                              catch_response=True) as response:
            prefix = HANDLER_PREFIX.search(response.text or "")
            args = INIT_ARGS.search(response.text or "")
            if response.status_code != 200 or not prefix or not args:
                response.failure(f"launch answered {response.status_code} without the activity")
                return
            response.success()
        state = unpack_init_args(json.loads(args.group(1))).get("state")  # as LdaiCommon.initArgs decodes it
        if state is None:  # a block whose state rides in the page (skills map), as its JavaScript reads it
            page = PAGE_STATE.search(response.text)
            state = json.loads(html.unescape(page.group(1))) if page else {}
        gevent.sleep(random.uniform(*THINK))
        handlers = activity["handler"] if isinstance(activity["handler"], list) else [activity["handler"]]
        payloads = activity["payload"] if isinstance(activity["payload"], list) else [activity["payload"]]
        for handler, payload in zip(handlers, payloads, strict=True):
            state = self._call(prefix.group(1), handler, submit_payload({**activity, "payload": payload}, state),
                               f"3 submit {activity['name']}")
            if state is None:
                return
        if CONFIG.get("poll_llm") and (state.get("feedback") or {}).get("llm_pending"):
            self._await_review(prefix.group(1))

    def _call(self, prefix: str, handler: str, payload: dict, name: str) -> dict | None:
        """One handler call as the block's JavaScript makes it; the new state, or None when it failed."""
        with self.client.post(html.unescape(prefix) + handler + "/", json=payload, name=name, catch_response=True) as response:
            if response.status_code != 200:
                why = (response.text or "")[:200] if response.status_code else repr(response.error)[:200]  # 0: no answer at all
                response.failure(f"{handler} answered {response.status_code}: {why}")
                return None
            response.success()
            return response.json()

    def _await_review(self, prefix: str) -> None:
        """Poll ``llm_review`` like the page until the model's review is in the state (or the page gives up)."""
        LLM["awaited"] += 1
        started = time.monotonic()
        for _ in range(POLL_TRIES):
            gevent.sleep(POLL_SECONDS)
            state = self._call(prefix, "llm_review", {}, "4 feedback_poll")
            feedback = (state or {}).get("feedback") or {}
            if state is not None and not feedback.get("llm_pending"):
                arrived = bool(feedback.get("llm_used"))
                LLM["arrived" if arrived else "gave_up"] += 1
                self.environment.events.request.fire(
                    request_type="LLM", name="5 feedback", response_time=(time.monotonic() - started) * 1000, response_length=0,
                    exception=None if arrived else RuntimeError(f"the review ended without the model: {feedback.get('notices')}"))
                return
        LLM["gave_up"] += 1


class TrivialLearner(ProxiedUser):
    """The same requests, the same pauses, against a view that does nothing."""

    wait_time = between(*THINK)

    @task
    def visit(self):
        for name, method in (("1 login", "get"), ("2 launch", "post")):
            with getattr(self.client, method)("/bench/trivial/", name=f"{name} trivial", catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"answered {response.status_code}")
                    return
        gevent.sleep(random.uniform(*THINK))
        with self.client.post("/bench/trivial/", json={"ok": True}, name="3 submit trivial", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
