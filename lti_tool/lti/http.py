"""Fetches to platforms (JWKS, openid-configuration, registration) through the guarded client.

Why a wrapper: every URL here comes from a platform or from configuration, so each
call goes through :mod:`ldai_xblocks.net` (URL read as requests reads it, no
loopback/private/metadata address unless ``LDAI["HTTP_ALLOWED_HOSTS"]`` names it,
https only unless ``ALLOW_INSECURE_URLS``, timeout and size caps, no redirects) and
answers JSON or a :class:`FetchError`. A FetchError's message is for the log: it
may tell an open port from a closed one, so pages never show it to anonymous users.
"""

from __future__ import annotations

import json

import requests
from django.conf import settings

from ldai_xblocks.net import CheckedUrl, NetPolicy, UnsafeUrl, check_url, guarded_session
from ldai_xblocks.net.policy import allowed_hosts_setting

from ..conf import lti_settings

USER_AGENT = "ldai-lti-tool"


class FetchError(Exception):
    """A platform URL could not be fetched or did not return the JSON expected (message: for the log)."""


def net_policy(*, timeout: float | None = None, max_bytes: int | None = None) -> NetPolicy:
    """The tool's policy, from its settings: the same for registration, JWKS and AGS, bar the caps."""
    conf = lti_settings()
    return NetPolicy(
        allow_http=conf.allow_insecure_urls,
        allowed_hosts=allowed_hosts_setting(getattr(settings, "LDAI", {})),
        timeout=conf.http_timeout if timeout is None else timeout,
        max_bytes=conf.http_max_bytes if max_bytes is None else max_bytes,
    )


def checked(url: object) -> CheckedUrl:
    """The URL as the client will fetch it, or FetchError (userinfo, backslash, http without the setting...)."""
    try:
        return check_url(url, net_policy())
    except UnsafeUrl as exc:
        raise FetchError(f"{str(url)[:200]!r}: {exc}") from None


def _json(response: requests.Response, url: str):
    try:
        return json.loads(response.content.decode("utf-8")) if response.content else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{url} did not answer JSON") from exc


def _send(method: str, url: str, **kwargs) -> requests.Response:
    target = checked(url).url
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **(kwargs.pop("headers", None) or {})}
    try:
        return guarded_session(net_policy()).request(method, target, headers=headers, allow_redirects=False, **kwargs)
    except requests.RequestException as exc:
        raise FetchError(f"{target} could not be fetched ({type(exc).__name__}: {exc})") from exc


def get_json(url: str, *, headers: dict | None = None):
    response = _send("GET", url, headers=headers)
    if response.status_code != 200:
        raise FetchError(f"{url} answered HTTP {response.status_code}")
    return _json(response, url)


def post_json(url: str, payload: dict, *, headers: dict | None = None) -> tuple[int, object]:
    response = _send("POST", url, json=payload, headers=headers)
    try:
        body = _json(response, url)
    except FetchError:
        body = None
    return response.status_code, body
