"""The per-process cache of registrations: saved changes apply at once, bypassing ones within MAX_AGE."""

from __future__ import annotations

from lti_tool.lti import registry


def test_a_saved_change_is_seen_at_once_and_a_raw_update_within_max_age(registered, monkeypatch):
    from lti_tool.models import Deployment

    clock = [1000.0]
    monkeypatch.setattr(registry.time, "monotonic", lambda: clock[0])
    key = (registered.issuer, registered.client_id, "deployment-a")
    assert registry.deployment(*key).is_active
    deployment = Deployment.objects.get()
    deployment.is_active = False
    deployment.save()  # the admin's way: every process drops its copies
    assert registry.deployment(*key).is_active is False
    Deployment.objects.update(is_active=True)  # bypasses the models' signals
    assert registry.deployment(*key).is_active is False  # still the cached copy...
    clock[0] += registry.MAX_AGE + 0.1
    assert registry.deployment(*key).is_active is True  # ...but not for longer than MAX_AGE


def test_another_process_bump_is_seen_through_the_shared_version(registered, django_assert_num_queries):
    key = (registered.issuer, registered.client_id, "deployment-a")
    registry.deployment(*key)
    with django_assert_num_queries(0):
        assert registry.deployment(*key) is not None
    from django.core.cache import cache

    cache.set(registry.VERSION_KEY, cache.get(registry.VERSION_KEY, 0) + 1, None)  # as another worker's bump would
    with django_assert_num_queries(1):
        registry.deployment(*key)


def test_unknown_registrations_are_cached_too_until_one_is_added(registered):
    from lti_tool.models import Deployment

    assert registry.deployment(registered.issuer, registered.client_id, "new-one") is None
    Deployment.objects.create(platform=registered, deployment_id="new-one")
    assert registry.deployment(registered.issuer, registered.client_id, "new-one") is not None
