"""LTI launch speed: our login + launch server time until the activity's HTML is sent, beside pylti1p3's example tool.

Both tools run in this process behind Django's full request stack (middleware included),
driven by Django's test client, against the same platform key served from a keyset URL on
127.0.0.1 (``bench/lti_platform.py``). One launch = the OIDC login request (answered with
the redirect to the platform) + the launch POST (answered with the page). The platform's
own work in between, signing the id_token, is not timed: it is not the tool's. Each launch
is a new learner in a new browser (fresh cookies); the two tools alternate launch by launch
so the shared machine's noise falls on both.

- ours: ``/lti/login/`` + ``/lti/launch/`` with every check of issue 5, rendering the risk
  quiz through the tool's XBlock runtime (``lti_tool.pages.activity.launch_response``);
- anchor: ``bench/baseline_pylti1p3`` (pylti1p3's Django example: JSON tool config,
  DjangoOIDCLogin + DjangoMessageLaunch + DjangoCacheDataStorage), rendering its page.

``lti_launch_per_s`` is 1000 / mean server milliseconds of a launch (one worker, back to
back); ``lti_launch_median_ms`` the median. Targets (issue 5): >= 1.5x the anchor's
launches per second, median under 10 ms. ``lti_launch_checks_*`` time the same launches with
the anchor's own page in place of our activity, so the cost of our checks is read apart
from the cost of rendering an XBlock.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.common import figure, median, setup_django

# LDAI_BENCH_LTI_ROUNDS: fewer rounds to see the direction on a loaded machine (the ratios come from one run).
ROUNDS = int(os.environ.get("LDAI_BENCH_LTI_ROUNDS", "150"))
WARMUP = min(15, max(3, ROUNDS // 10))
# LDAI_BENCH_LTI_LOCALE: the launch's language (the learner's page carries that language's JavaScript catalog).
LOCALE = os.environ.get("LDAI_BENCH_LTI_LOCALE", "en")
ANCHOR = "pylti1p3_django_example"
ACTIVITY = "ldai_risk_quiz"


def _anchor_config(directory: Path, issuer: str, keyset_url: str, client_id: str, deployment_id: str) -> Path:
    """The example's ``configs/game.json`` for our platform, with its own tool key files."""
    from cryptography.hazmat.primitives import serialization

    from bench.lti_platform import new_private_pem

    private_pem = new_private_pem()
    public_pem = serialization.load_pem_private_key(private_pem.encode(), password=None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    (directory / "private.key").write_text(private_pem)
    (directory / "public.key").write_text(public_pem)
    config = {issuer: [{
        "default": True, "client_id": client_id, "auth_login_url": issuer + "/auth", "auth_token_url": issuer + "/token",
        "auth_audience": None, "key_set_url": keyset_url, "key_set": None,
        "private_key_file": "private.key", "public_key_file": "public.key", "deployment_ids": [deployment_id],
    }]}
    path = directory / "game.json"
    path.write_text(json.dumps(config))
    return path


class Tool:
    """One contender: its login and launch paths, and how a browser talks to it."""

    def __init__(self, name: str, login: str, launch: str, marker: bytes, extra_login: dict | None = None,
                 page: Callable | None = None):
        from django.test import Client

        self.name, self.login, self.launch, self.marker = name, login, launch, marker
        self.extra_login = extra_login or {}
        self.page = page  # replaces the activity's page (the "checks only" contender)
        self.browser = Client()  # one request handler per tool, built once, as in a running server

    def one_launch(self, number: int, platform_pem: str, issuer: str) -> float:
        """Server milliseconds of one learner's login + launch (the platform's signing excluded)."""
        from http.cookies import SimpleCookie

        from bench.lti_platform import CLIENT_ID, DEPLOYMENT_ID, resource_link_claims, sign

        browser = self.browser
        browser.cookies = SimpleCookie()  # a new learner in a new browser: no cookie from earlier launches
        target = "http://testserver" + self.launch
        sub = f"bench-learner-{self.name}-{number}"
        params = {"iss": issuer, "login_hint": sub, "target_link_uri": target, "lti_message_hint": "hint",
                  "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT_ID, **self.extra_login}
        start = time.perf_counter()
        login = browser.get(self.login, params)
        login_s = time.perf_counter() - start
        if login.status_code != 302:
            raise RuntimeError(f"{self.name}: login answered {login.status_code}: {login.content[:300]!r}")
        auth = {k: v[0] for k, v in parse_qs(urlsplit(login["Location"]).query).items()}
        claims = resource_link_claims(issuer=issuer, nonce=auth["nonce"], target_link_uri=target, sub=sub,
                                      resource_link_id="bench-link", activity=ACTIVITY, locale=LOCALE)
        token = sign(claims, platform_pem)
        form = urlencode({"state": auth["state"], "id_token": token})  # a platform's form_post, not multipart
        with _activity_page(self.page):
            start = time.perf_counter()
            page = browser.post(self.launch, form, content_type="application/x-www-form-urlencoded")
            launch_s = time.perf_counter() - start
        if page.status_code != 200 or self.marker not in page.content:
            raise RuntimeError(f"{self.name}: launch answered {page.status_code}: {page.content[:500]!r}")
        return (login_s + launch_s) * 1000


@contextmanager
def _activity_page(page: Callable | None):
    """Swap the runtime's launch_response for ``page`` during one launch (None: the real activity)."""
    if page is None:
        yield
        return
    import lti_tool.pages.activity as activity

    real = activity.launch_response
    activity.launch_response = page
    try:
        yield
    finally:
        activity.launch_response = real


def _anchor_like_page(request, context):
    """The anchor's own page (its game.html), rendered with our launch: isolates the launch checks."""
    from django.http import HttpResponse
    from django.template import Context

    from bench.baseline_pylti1p3.views import PAGE_TITLE, TEMPLATES

    html = TEMPLATES.get_template("game.html").render(Context({
        "page_title": PAGE_TITLE, "is_deep_link_launch": context.is_deep_linking, "launch_data": context.claims,
        "launch_id": context.launch_id, "curr_user_name": context.user_name, "curr_diff": "normal",
    }))
    return HttpResponse(html)


def measure(rounds: int = ROUNDS, warmup: int = WARMUP) -> dict[str, list[float]]:
    setup_django()
    from django.conf import settings
    from django.test.utils import override_settings
    from django.urls import clear_url_caches

    from bench.lti_platform import CLIENT_ID, DEPLOYMENT_ID, PlatformServer, new_private_pem, public_jwks
    from lti_tool.lti.keys import ensure_signing_key
    from lti_tool.models import Deployment, Platform

    platform_pem = new_private_pem()
    with PlatformServer(public_jwks(platform_pem)) as jwks, tempfile.TemporaryDirectory(prefix="ldai-bench-lti-") as scratch:
        issuer = jwks.base_url
        keyset_url = jwks.base_url + "/jwks"
        platform, _ = Platform.objects.update_or_create(
            issuer=issuer, client_id=CLIENT_ID,
            defaults={"auth_login_url": issuer + "/auth", "auth_token_url": issuer + "/token", "keyset_url": keyset_url, "is_active": True},
        )
        Deployment.objects.update_or_create(platform=platform, deployment_id=DEPLOYMENT_ID, defaults={"is_active": True})
        ensure_signing_key()
        os.environ["LDAI_BENCH_PYLTI1P3_CONFIG"] = str(_anchor_config(Path(scratch), issuer, keyset_url, CLIENT_ID, DEPLOYMENT_ID))
        lti = {**getattr(settings, "LDAI_LTI", {}), "ALLOW_INSECURE_URLS": True}
        ldai = {**getattr(settings, "LDAI", {}), "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}  # the JWKS server is on 127.0.0.1
        with override_settings(ROOT_URLCONF="bench.baseline_pylti1p3.urls", LDAI_LTI=lti, LDAI=ldai, ALLOWED_HOSTS=["testserver"]):
            clear_url_caches()
            tools = [
                Tool("ours", "/lti/login/", "/lti/launch/", b"<html"),
                Tool("ours_checks", "/lti/login/", "/lti/launch/", b"Game Example", page=_anchor_like_page),
                Tool("anchor", "/baseline/login/", "/baseline/launch/", b"Game Example", {"lti1p3_new_window": "1"}),
            ]
            samples: dict[str, list[float]] = {tool.name: [] for tool in tools}
            for number in range(warmup + rounds):
                for tool in tools:
                    elapsed = tool.one_launch(number, platform_pem, issuer)
                    if number >= warmup:
                        samples[tool.name].append(elapsed)
        clear_url_caches()
    return samples


def run() -> list[dict]:
    import logging

    accepted = logging.getLogger("ldai.lti.launch")
    level = accepted.level
    accepted.setLevel(logging.WARNING)  # one "launch accepted" line per launch would flood the bench's output
    try:
        samples = measure()
    finally:
        accepted.setLevel(level)
    per_s = {name: 1000 / statistics.fmean(values) for name, values in samples.items()}
    how = (f"{ROUNDS} launches each, alternating, new learner and browser each time; server time of login + launch "
           f"through Django's full stack in {LOCALE}; the anchor skips its cookie-check page and fetches the platform JWKS per launch as the example does")
    return [
        figure("lti_launch_per_s", per_s["ours"], "launches/s", ANCHOR, per_s["anchor"], "higher",
               note=how + "; ours renders the risk quiz through the XBlock runtime, the anchor a static page"),
        figure("lti_launch_median_ms", median(samples["ours"]), "ms", ANCHOR, median(samples["anchor"]), "lower",
               note="median server ms of login + launch until the activity HTML is sent (risk quiz via the XBlock runtime)"),
        figure("lti_launch_checks_per_s", per_s["ours_checks"], "launches/s", ANCHOR, per_s["anchor"], "higher",
               note="the same launches with our page replaced by the anchor's own template: the login and launch checks alone"),
        figure("lti_launch_checks_median_ms", median(samples["ours_checks"]), "ms", ANCHOR, median(samples["anchor"]), "lower",
               note="median server ms of login + launch with the anchor's page: what the stricter checks cost"),
    ]


if __name__ == "__main__":
    for fig in run():
        print(fig)
