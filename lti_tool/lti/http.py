"""Small, bounded HTTP fetches to platforms (JWKS, openid-configuration, registration).

Why a wrapper around requests: every URL here comes from configuration or from a
platform, so each call gets a timeout, a size cap, no redirects to follow blindly,
and a scheme check (https only, unless the operator allows http for development).
"""

from __future__ import annotations

import json

import requests

from ..conf import lti_settings

USER_AGENT = "ldai-lti-tool"


class FetchError(Exception):
    """A platform URL could not be fetched or did not return the JSON expected (message is safe to show)."""


def check_url(url: object) -> str:
    if not isinstance(url, str) or not url:
        raise FetchError("no URL")
    allowed = ("https://", "http://") if lti_settings().allow_insecure_urls else ("https://",)
    if not url.startswith(allowed):
        raise FetchError(f"URL must start with {' or '.join(allowed)}")
    return url


def _read_json(response: requests.Response, url: str):
    limit = lti_settings().http_max_bytes
    body = b""
    for chunk in response.iter_content(chunk_size=16384):
        body += chunk
        if len(body) > limit:
            raise FetchError(f"{url} answered more than {limit} bytes")
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{url} did not answer JSON") from exc


def get_json(url: str, *, headers: dict | None = None):
    check_url(url)
    try:
        with requests.get(
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})},
            timeout=lti_settings().http_timeout, allow_redirects=False, stream=True,
        ) as response:
            if response.status_code != 200:
                raise FetchError(f"{url} answered HTTP {response.status_code}")
            return _read_json(response, url)
    except requests.RequestException as exc:
        raise FetchError(f"{url} could not be reached ({type(exc).__name__})") from exc


def post_json(url: str, payload: dict, *, headers: dict | None = None) -> tuple[int, object]:
    check_url(url)
    try:
        with requests.post(
            url, json=payload,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})},
            timeout=lti_settings().http_timeout, allow_redirects=False, stream=True,
        ) as response:
            try:
                body = _read_json(response, url)
            except FetchError:
                body = None
            return response.status_code, body
    except requests.RequestException as exc:
        raise FetchError(f"{url} could not be reached ({type(exc).__name__})") from exc
