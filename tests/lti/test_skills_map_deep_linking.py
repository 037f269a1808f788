"""The skills map in the deep-linking picker: chosen, previewed (competence names), and returned to the platform.

The platform side is lti-consumer-xblock's LtiAdvantageConsumer (tests/lti/conftest.py), as in test_deep_linking.py.
"""

from __future__ import annotations

import jwt

from tests.lti.test_deep_linking import DL, choose, field, picker  # noqa: F401 - the picker fixture


def test_the_skills_map_is_offered_previewed_and_returned(client, picker):  # noqa: F811
    response, launch_id = picker()
    html = response.content.decode()
    assert 'value="ldai_skills_map"' in html and "en/ai-at-work" in html
    preview = choose(client, launch_id, activity="ldai_skills_map", pack_ldai_skills_map="en/ai-at-work", action="preview").content.decode()
    assert "AI skills at work" in preview and "Checking AI output" in preview.split('id="preview"')[1]
    page = choose(client, launch_id, activity="ldai_skills_map", pack_ldai_skills_map="fr/ai-at-work", title="Ma carte").content.decode()
    (item,) = jwt.decode(field(page, "JWT"), options={"verify_signature": False})[DL + "content_items"]
    assert item["custom"]["ldai_activity"] == "ldai_skills_map" and item["custom"]["ldai_pack"] == "fr/ai-at-work"
    assert item["lineItem"]["tag"] == "ldai:ldai_skills_map"
