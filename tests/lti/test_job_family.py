"""Issue 12, "any job family": an LTI link picks one family with its custom parameters, else learners get a mix.

Moodle stores custom parameters as ``key=value`` lines cleaned with PARAM_TEXT (mod/lti in moodle/moodle);
a JSON object in ``ldai_settings`` survives that cleaning (no tags), which is how deep linking writes it.
"""

from __future__ import annotations

import json

from ldai_xblocks.content.packs import load_pack
from lti_tool.lti import claims as c
from tests.lti.runtime_fixtures import init_args, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]


def test_a_custom_parameter_picks_the_job_family(client, graded_platform):
    consumer, _ = graded_platform
    custom = {c.CUSTOM_ACTIVITY: "ldai_hallucination_detector", c.CUSTOM_SETTINGS: json.dumps({"job_family": "hr"})}
    state = init_args(launch_page(client, consumer, user_id="learner-hr", custom=custom))["state"]
    hr = {item["id"] for item in load_pack("hallucination_detector", "en/hr")["items"]}
    assert {item["id"] for item in state["items"]} == hr


def test_without_a_family_the_learner_gets_a_mix(client, graded_platform):
    consumer, _ = graded_platform
    custom = {c.CUSTOM_ACTIVITY: "ldai_hallucination_detector"}
    state = init_args(launch_page(client, consumer, user_id="learner-mix", custom=custom))["state"]
    family = {item["id"]: item["job_family"] for item in load_pack("hallucination_detector", "en/any-job-family")["items"]}
    assert len(state["items"]) == 3 and len({family[item["id"]] for item in state["items"]}) == 3
