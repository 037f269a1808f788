"""Fixtures of the Open edX contract suite: one platform (tests/openedx/platform.py) and our three blocks on it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from webob import Request

from tests.conftest import fixture_text
from tests.openedx.platform import OUR_BLOCK_TYPES, Platform

CUSTOM_CONTENT = {
    "ldai_risk_quiz": fixture_text("quiz_small.json"),
    "ldai_hallucination_detector": fixture_text("hallucination_small.json"),
    "ldai_prompt_sandbox": fixture_text("prompt_small.json"),
}
AUTHOR = "author"


@pytest.fixture
def platform() -> Platform:
    platform = Platform()
    from tests.openedx.platform import COURSE, LIBRARY

    platform.user(AUTHOR, first_name="Ada", full_name="Ada Lovelace")
    platform.writers |= {(AUTHOR, str(COURSE)), (AUTHOR, str(LIBRARY))}
    return platform


@pytest.fixture(params=OUR_BLOCK_TYPES)
def block_type(request) -> str:
    return request.param


def author(platform: Platform, block_type: str, block_id: str = "b1", **fields: Any):
    """Write a block's authored fields as Studio saves them (the modulestore), and return Studio's block."""
    block = platform.studio_handler(block_type, block_id, AUTHOR)
    for name, value in fields.items():
        setattr(block, name, value)
    block.save()
    return block


def call(block, name: str, payload: Any = None, method: str = "POST") -> tuple[int, Any]:
    """A handler through ``XBlock.handle`` with a real webob request, as the platform's handler views do."""
    request = Request.blank("/", method=method)
    if method == "POST":
        request.body = json.dumps(payload if payload is not None else {}).encode()
        request.content_type = "application/json"
    response = block.handle(name, request)
    try:
        return response.status_int, json.loads(response.body)
    except ValueError:
        return response.status_int, response.body.decode("utf-8", "replace")


def first_submit(block) -> dict:
    """The first graded submission a learner's JavaScript would send, per activity."""
    if block.scope_ids.block_type == "ldai_risk_quiz":
        question = block.user_state()["questions"][0]
        return call(block, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})[1]
    if block.scope_ids.block_type == "ldai_hallucination_detector":
        item = block.user_state()["items"][0]
        return call(block, "submit", {"flags": {item["id"]: [item["units"][0]]}})[1]
    return call(block, "submit", {"prompt": "Context: I manage a sales team. Task: draft a short e-mail announcing the new quarter's targets."})[1]


def submitted_by(platform, block_type: str, *usernames: str, block_id: str = "b1") -> dict:
    """Each learner's first graded submission, saved as the LMS saves a handler's writes; their blocks by username."""
    blocks = {}
    for username in usernames:
        block = blocks[username] = platform.lms(block_type, block_id, username)
        first_submit(block)
        block.save()
    return blocks


def learner_state(block) -> dict:
    """The learner's ``Scope.user_state`` as the platform stores it (StudentModule.state)."""
    from xblock.fields import Scope

    return {name: f.read_json(block) for name, f in block.fields.items() if f.scope == Scope.user_state and f.is_set_on(block)}
