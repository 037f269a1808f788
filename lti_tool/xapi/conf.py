"""The xAPI knobs, from ``settings.LDAI_XAPI`` (environment in lti_tool/site/settings.py), with safe defaults.

Why read on each call: ``override_settings`` in a test, or a changed environment after a restart, takes
effect at once, and reading a dict is cheap next to an HTTP call.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

DEFAULTS = {
    "LRS_URL": "",  # the LRS's statements resource (…/xAPI/statements/), or its base (…/xAPI/): "" = no forwarding
    "LRS_USERNAME": "",
    "LRS_PASSWORD": "",
    "LRS_TOKEN": "",  # instead of a user name and password: sent as "Authorization: Bearer <token>"
    "FORWARD_BATCH": 100,  # statements per POST
    "FORWARD_RETRY_BASE": 10,  # seconds before the first retry, doubling (lti_tool.backoff, as grades)...
    "FORWARD_RETRY_MAX": 600,  # ...up to 10 minutes apart
    "FORWARD_GIVE_UP_AFTER": 7 * 24 * 3600,  # then marked refused: kept, and sent again from the admin
    "FORWARD_LEASE": 120,  # seconds a worker holds the rows it is sending
    "HTTP_TIMEOUT": 10,
    "INGEST_MAX_BYTES": 1024 * 1024,  # the biggest POST the ingest endpoint reads
    "INGEST_MAX_STATEMENTS": 500,  # statements per POST
}


@dataclass(frozen=True)
class XapiSettings:
    lrs_url: str
    lrs_username: str
    lrs_password: str
    lrs_token: str
    batch: int
    retry_base: float
    retry_max: float
    give_up_after: float
    lease: float
    http_timeout: float
    ingest_max_bytes: int
    ingest_max_statements: int

    @property
    def forwarding(self) -> bool:
        return bool(self.lrs_url)

    def statements_url(self) -> str:
        """The statements resource: an LRS is configured by its xAPI base or by the resource itself."""
        url = self.lrs_url
        return url if url.rstrip("/").endswith("/statements") else url.rstrip("/") + "/statements"


def xapi_settings() -> XapiSettings:
    values = {**DEFAULTS, **getattr(settings, "LDAI_XAPI", {})}
    return XapiSettings(
        lrs_url=str(values["LRS_URL"] or "").strip(),
        lrs_username=str(values["LRS_USERNAME"] or ""),
        lrs_password=str(values["LRS_PASSWORD"] or ""),
        lrs_token=str(values["LRS_TOKEN"] or ""),
        batch=max(1, int(values["FORWARD_BATCH"])),
        retry_base=float(values["FORWARD_RETRY_BASE"]),
        retry_max=float(values["FORWARD_RETRY_MAX"]),
        give_up_after=float(values["FORWARD_GIVE_UP_AFTER"]),
        lease=float(values["FORWARD_LEASE"]),
        http_timeout=float(values["HTTP_TIMEOUT"]),
        ingest_max_bytes=int(values["INGEST_MAX_BYTES"]),
        ingest_max_statements=int(values["INGEST_MAX_STATEMENTS"]),
    )
