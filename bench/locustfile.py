"""Locust scenario of ``bench/bench_load.py``: learners who open an activity from their LMS, then submit.

Run by ``bench_load`` (``locust --headless -f bench/locustfile.py LtiLearner|TrivialLearner``)
with ``LDAI_LOAD_CONFIG`` naming a JSON file: the platform's issuer, key and ids, the
activities and their submit payloads, where to write every response time.

One visit of a simulated learner, each visit a new learner of the LMS:

1. OIDC login initiation (``GET /lti/login/``), answered by a redirect carrying state and nonce;
2. the launch (``POST /lti/launch/``) with an id_token the platform signs for that nonce:
   the activity's page comes back, with the block's handler URL and its initial state;
3. reading and answering (a pause drawn in ``think_seconds``), then one submit through the block's handler;
4. another such pause before the next visit.

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
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import gevent
from cryptography.hazmat.primitives import serialization
from locust import HttpUser, between, events, task

from bench.lti_platform import resource_link_claims, sign
from ldai_xblocks.rendering import unpack_init_args

CONFIG = json.loads(Path(os.environ["LDAI_LOAD_CONFIG"]).read_text(encoding="utf-8"))
THINK = tuple(CONFIG["think_seconds"])  # (min, max) of every pause, seconds
SAMPLES: list[tuple[str, float, bool]] = []  # (request name, milliseconds, failed)
NEXT_ACTIVITY = itertools.cycle(CONFIG.get("activities", []))  # in turn: every activity gets its share of visits

HANDLER_PREFIX = re.compile(r'data-handler-prefix="([^"]+)"')
INIT_ARGS = re.compile(r'<script type="json/xblock-args" class="xblock_json_init_args">(.*?)</script>', re.S)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    SAMPLES.append((name, response_time, exception is not None))


@events.test_stop.add_listener
def _write_samples(environment, **kwargs):
    Path(CONFIG["samples_out"]).write_text(json.dumps(SAMPLES), encoding="utf-8")


def submit_payload(activity: dict, state: dict) -> dict:
    """What the block's JavaScript would send for a learner's first submit, from the state the page carries."""
    kind = activity["payload"]
    if kind == "quiz":
        question = state["questions"][0]
        return {"question_id": question["id"], "selected": [question["choices"][0]["id"]]}
    if kind == "flags":
        return {"flags": {item["id"]: [list(unit) for unit in item["units"][:2]] for item in state["items"]}}
    return {"prompt": activity["prompt"]}


# The platform's key, loaded once: loading (and validating) an RSA key takes tens of milliseconds, which
# would stall locust's event loop at every learner's arrival and show up as our latency.
PLATFORM_KEY = serialization.load_pem_private_key(CONFIG["private_pem"].encode(), password=None) if "private_pem" in CONFIG else None


class LtiLearner(HttpUser):
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
                                      client_id=CONFIG["client_id"], deployment_id=CONFIG["deployment_id"])
        token = sign(claims, PLATFORM_KEY)
        with self.client.post("/lti/launch/", data={"id_token": token, "state": query["state"]}, name=f"2 launch {activity['name']}",
                              catch_response=True) as response:
            prefix = HANDLER_PREFIX.search(response.text or "")
            args = INIT_ARGS.search(response.text or "")
            if response.status_code != 200 or not prefix or not args:
                response.failure(f"launch answered {response.status_code} without the activity")
                return
            response.success()
        state = unpack_init_args(json.loads(args.group(1))).get("state") or {}  # as LdaiCommon.initArgs decodes it
        gevent.sleep(random.uniform(*THINK))
        url = html.unescape(prefix.group(1)) + activity["handler"] + "/"
        with self.client.post(url, json=submit_payload(activity, state), name=f"3 submit {activity['name']}", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"submit answered {response.status_code}: {(response.text or '')[:200]}")
            else:
                response.success()


class TrivialLearner(HttpUser):
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
