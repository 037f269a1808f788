"""The tool's knobs, read from ``settings.LDAI_LTI`` with safe defaults.

Why one accessor: views, the CLI and the tests must agree on a single value of
each knob (the clock leeway above all), and ``override_settings`` in a test must
take effect at once, so nothing is copied at import time (the memo is keyed by the
settings dict itself; replace ``LDAI_LTI``, do not mutate it in place).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

DEFAULTS = {
    "CLOCK_LEEWAY_SECONDS": 30,  # tolerated clock skew for iat/exp (issue 5, item 4)
    "LOGIN_STATE_SECONDS": 600,  # time between the OIDC login and the launch POST
    "LAUNCH_DATA_SECONDS": 8 * 3600,  # how long a validated launch stays usable (deep linking, handlers)
    "KEYSET_MAX_AGE_SECONDS": 24 * 3600,  # re-read a platform's JWKS at least daily
    "KEYSET_REFETCH_MIN_SECONDS": 10,  # unknown kid: at most one fresh fetch per platform in this window
    "HTTP_TIMEOUT_SECONDS": 5,  # JWKS, openid-configuration, registration endpoint
    "HTTP_MAX_BYTES": 256 * 1024,  # biggest JSON document accepted from a platform
    "KEY_ROTATION_GRACE_HOURS": 72,  # a rotated key stays in the JWKS this long
    "ALLOW_INSECURE_URLS": False,  # http:// keyset/registration URLs (development and tests only)
    "CHECK_TARGET_LINK_HOST": True,  # target_link_uri at login must point at this site
    "DYNAMIC_REGISTRATION": True,  # registration links and admins may register platforms (their deployments start inactive)
    "REGISTRATION_REQUEST_EMAIL": False,  # an administrator's own registration asks for the 'email' claim (links: per link)
    "FRAME_ANCESTORS": (),  # extra origins allowed to frame the tool (e.g. a Canvas school domain)
    "TOOL_NAME": "AI literacy at work",
    "DASHBOARD_MIN_GROUP": 5,  # the dashboard shows no figure about fewer learners than this ("fewer than N learners")
}


@dataclass(frozen=True)
class LtiSettings:
    clock_leeway: int
    login_state_seconds: int
    launch_data_seconds: int
    keyset_max_age: int
    keyset_refetch_min: int
    http_timeout: float
    http_max_bytes: int
    key_rotation_grace_hours: int
    allow_insecure_urls: bool
    check_target_link_host: bool
    dynamic_registration: bool
    registration_request_email: bool
    frame_ancestors: tuple[str, ...]
    tool_name: str
    dashboard_min_group: int


_memo: tuple[object, LtiSettings | None] = (None, None)  # (the settings dict it was read from, its LtiSettings)


def lti_settings() -> LtiSettings:
    """Read once per settings object: override_settings (tests) swaps the dict, so the memo follows it.

    A launch asks for several knobs; rebuilding the dataclass each time was measurable.
    """
    global _memo
    raw = getattr(settings, "LDAI_LTI", {})
    source, memo = _memo
    if source is raw and memo is not None:
        return memo
    memo = _read(raw)
    _memo = (raw, memo)
    return memo


def _read(raw: dict) -> LtiSettings:
    values = {**DEFAULTS, **raw}
    return LtiSettings(
        clock_leeway=int(values["CLOCK_LEEWAY_SECONDS"]),
        login_state_seconds=int(values["LOGIN_STATE_SECONDS"]),
        launch_data_seconds=int(values["LAUNCH_DATA_SECONDS"]),
        keyset_max_age=int(values["KEYSET_MAX_AGE_SECONDS"]),
        keyset_refetch_min=int(values["KEYSET_REFETCH_MIN_SECONDS"]),
        http_timeout=float(values["HTTP_TIMEOUT_SECONDS"]),
        http_max_bytes=int(values["HTTP_MAX_BYTES"]),
        key_rotation_grace_hours=int(values["KEY_ROTATION_GRACE_HOURS"]),
        allow_insecure_urls=bool(values["ALLOW_INSECURE_URLS"]),
        check_target_link_host=bool(values["CHECK_TARGET_LINK_HOST"]),
        dynamic_registration=bool(values["DYNAMIC_REGISTRATION"]),
        registration_request_email=bool(values["REGISTRATION_REQUEST_EMAIL"]),
        frame_ancestors=tuple(values["FRAME_ANCESTORS"]),
        tool_name=str(values["TOOL_NAME"]),
        dashboard_min_group=max(1, int(values["DASHBOARD_MIN_GROUP"])),
    )
