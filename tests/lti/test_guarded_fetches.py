"""Every server-side fetch of the tool goes through the guarded client: JWKS, AGS and the LLM refuse internal addresses.

The platforms of these tests listen on 127.0.0.1 and the LTI test settings allow that host
(``LDAI["HTTP_ALLOWED_HOSTS"]``, tests/lti/conftest.py); here the allowance is taken away,
as on a production tool whose platform URL points inside the operator's network.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from ldai_xblocks.engine import llm
from tests.unit.test_llm_adapter import FakeOpenAI, completion

pytest_plugins = ["tests.lti.runtime_fixtures"]


@pytest.fixture
def no_internal_hosts(settings):
    settings.LDAI = {**settings.LDAI, "HTTP_ALLOWED_HOSTS": []}


def test_a_keyset_on_an_internal_address_is_not_fetched(registered, lti_platform, no_internal_hosts):
    from lti_tool.lti.http import FetchError
    from lti_tool.lti.keysets import fetch_keyset

    hits = lti_platform.jwks_hits
    with pytest.raises(FetchError, match="non-public"):
        fetch_keyset(registered)
    assert lti_platform.jwks_hits == hits


def test_grades_are_not_posted_to_an_internal_address(registered_platform, fake_platform, fresh_cache, no_internal_hosts):
    from lti_tool.grades import ags, sender
    from lti_tool.grades.outbox import record_score
    from lti_tool.models import GradeOutbox, ResourceLinkConfig

    lineitem = fake_platform.add_lineitem(tag="quiz", label="Quiz", score_maximum=10, resource_link_id="rl-1")
    link = ResourceLinkConfig.objects.create(
        deployment=registered_platform, context_id="c1", resource_link_id="rl-1", title="Quiz", block_type="ldai_risk_quiz",
        lineitem_url=lineitem, lineitems_url=fake_platform.lineitems_url, ags_scopes=[ags.SCOPE_SCORE],
    )
    with transaction.atomic():
        record_score(link, "learner-1", 0.5, 1.0)
    sender.deliver_due()
    assert fake_platform.accepted_for("learner-1") == [] and GradeOutbox.objects.get().status != GradeOutbox.Status.SENT
    assert "RefusedDestination" in GradeOutbox.objects.get().last_error


def test_the_llm_on_an_internal_address_needs_the_operators_allowance(monkeypatch):
    server = FakeOpenAI()
    try:
        server.replies = [(200, completion("answer"), {}, 0)]
        monkeypatch.setenv("LDAI_TEST_KEY", "k")
        config = {"llm": {"backend": "openai", "model": "m", "base_url": server.base_url, "api_key_env": "LDAI_TEST_KEY", "max_retries": 2}}
        with pytest.raises(llm.LLMError) as refused:
            llm.ChatClient(llm.LLMSettings.from_settings(config)).complete([{"role": "user", "content": "hi"}], 10, "answer")
        assert refused.value.reason == "unreachable" and server.requests == []  # not sent, and not retried
        allowed = llm.LLMSettings.from_settings({**config, "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]})
        assert llm.ChatClient(allowed).complete([{"role": "user", "content": "hi"}], 10, "answer") == "answer"
    finally:
        server.close()
