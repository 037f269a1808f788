"""Job description -> proposed profile, against a real HTTP server on 127.0.0.1 speaking the OpenAI protocol.

As in tests/unit/test_llm_adapter.py (whose FakeOpenAI server this reuses), only the model is replaced,
because a paid API cannot run here: sockets, requests, the chat-completions JSON and status codes are real.
The block's handler is called through a real runtime (tests/conftest.py).
"""

from __future__ import annotations

import json

import pytest

from ldai_xblocks.content import load_pack
from ldai_xblocks.engine import llm, skills_llm
from tests.unit.test_llm_adapter import KEY_ENV, completion, server  # noqa: F401 - the FakeOpenAI server fixture

DESCRIPTION = ("Payroll controller at Acme. You close the monthly payroll, reconcile accounts and write the variance report. "
               "Contact: paie@acme.example, +33 6 12 34 56 78. Project Nightingale is confidential.")
REPLY = {"targets": {"report-automation": {"level": 3, "weight": 4}, "anomaly-detection": {"level": 2, "weight": 5},
                     "data-protection": {"level": 3, "weight": 5}, "telepathy": {"level": 3, "weight": 5},
                     "prompting": {"level": 7, "weight": 1}},
         "rationale": {"anomaly-detection": "Spotting payroll errors is the core of the job."}}


@pytest.fixture
def llm_config(server, monkeypatch):  # noqa: F811
    monkeypatch.setenv(KEY_ENV, "test-key-123")
    # The fake server listens on 127.0.0.1: allowed as the operator would (the guarded client refuses it by default).
    return {"HTTP_ALLOWED_HOSTS": ["127.0.0.1"], "llm": {"backend": "openai", "model": "test-model", "base_url": server.base_url, "api_key_env": KEY_ENV,
                    "timeout": 2, "max_retries": 0}, "CONFIDENTIAL_TERMS": ["Nightingale"]}


def test_the_proposal_is_redacted_checked_and_shown_as_a_diff(server, llm_config):  # noqa: F811
    server.replies = [(200, completion("Here you go:\n" + json.dumps(REPLY)), {}, 0)]
    document = load_pack("skills_map", "en/ai-at-work")
    proposal = skills_llm.propose_profile(DESCRIPTION, document, "finance", "", llm.LLMSettings.from_settings(llm_config), terms=["Nightingale"])
    sent = json.dumps(server.requests[0]["body"])
    assert "paie@acme.example" not in sent and "12 34 56 78" not in sent and "Nightingale" not in sent
    messages = server.requests[0]["body"]["messages"]
    assert [m["role"] for m in messages] == ["system", "user"] and "report-automation" in messages[0]["content"]
    assert messages[1]["content"].startswith(skills_llm.DATA_START) and "payroll" in messages[1]["content"]
    assert set(proposal.redacted_kinds) >= {"email", "phone", "term"}
    assert proposal.profile["targets"] == {"report-automation": {"level": 3, "weight": 4.0}, "anomaly-detection": {"level": 2, "weight": 5.0},
                                           "data-protection": {"level": 3, "weight": 5.0}}
    assert sorted(proposal.dropped) == ["prompting", "telepathy"] and proposal.problems == []
    changes = {c["id"]: c for c in proposal.diff}
    assert changes["report-automation"] == {"id": "report-automation", "before": {"level": 2, "weight": 3}, "after": {"level": 3, "weight": 4.0}}
    assert changes["prompting"]["after"] is None  # the proposal drops a target: shown, never applied silently
    assert proposal.profile["name"] == "Finance"


@pytest.mark.parametrize(("reply", "reason"), [
    (completion("I cannot help with that."), "bad_reply"),
    (completion(json.dumps({"targets": {"telepathy": {"level": 1, "weight": 1}}})), "bad_reply"),
])
def test_a_useless_reply_is_an_error_not_a_profile(server, llm_config, reply, reason):  # noqa: F811
    server.replies = [(200, reply, {}, 0)]
    with pytest.raises(llm.LLMError) as caught:
        skills_llm.propose_profile(DESCRIPTION, load_pack("skills_map", "en/ai-at-work"), "finance", "", llm.LLMSettings.from_settings(llm_config))
    assert caught.value.reason == reason


def test_the_block_proposes_to_authors_only_and_saves_nothing(blocks, handler, server, llm_config):  # noqa: F811
    server.replies = [(200, completion(json.dumps(REPLY)), {}, 0)]
    block = blocks.from_xml("<ldai_skills_map/>", settings=llm_config)
    assert "Propose a profile" in block.studio_view().body_html()
    status, body = handler(block, "propose_profile", {"description": DESCRIPTION, "job": "payroll", "job_name": "Payroll"})
    assert status == 200, body
    assert body["profile"]["id"] == "payroll" and all(change["before"] is None for change in body["diff"])
    assert body["names"]["report-automation"] == "Automating reports"
    assert block.custom_content == "" and "payroll" not in json.dumps(block.content_document())
    status, body = handler(block, "propose_profile", {"description": " ", "job": "Payroll!"})
    assert status == 400 and set(body["fields"]) == {"job_description", "proposal_job"}
    server.replies = [(500, {"error": "boom"}, {}, 0)]
    status, body = handler(block, "propose_profile", {"description": DESCRIPTION, "job": "finance"})
    assert status == 502 and body["code"] == "llm_failed"
    block.runtime.service(block, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "student"
    assert handler(block, "propose_profile", {"description": DESCRIPTION, "job": "finance"})[0] == 403


def test_without_a_model_the_block_says_so(blocks, handler):
    block = blocks.from_xml("<ldai_skills_map/>")
    assert "Propose a profile" not in block.studio_view().body_html()
    status, body = handler(block, "propose_profile", {"description": DESCRIPTION, "job": "finance"})
    assert status == 409 and body["code"] == "llm_disabled"
