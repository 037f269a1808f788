"""Launch validation: everything pylti1p3 checks, and what it skips.

Built on pylti1p3's ``DjangoMessageLaunch`` (request parsing, JWT splitting,
state cookie service, its message validators as a last net). The order below
is chosen so that nothing is written until every check has passed:

1. state: saved by *this* tool's login, not yet used, and bound to this browser
   (the state cookie, or a proof read back from LTI Platform Storage);
2. token format and header: three parts, JSON objects, ``kid`` present, RSA alg;
3. issuer and audience: ``iss`` is the platform that started the login, ``aud``
   contains our client id, ``azp`` equals it when present and is required when
   ``aud`` has several values (pylti1p3 checks neither);
4. signature with the platform's key (one JWKS refetch for an unknown kid),
   ``exp``/``iat`` required, with a configurable clock leeway (default 30 s);
5. nonce equal to the one issued with this state, and never seen before
   (pylti1p3 accepts a replayed token), target_link_uri equal to the login's;
6. LTI claims: version 1.3.0, message type, deployment known AND active, user,
   roles, resource link or deep linking settings, shapes of the claims we read;
7. only then: the nonce is marked used, the state consumed (atomically: two
   racing copies of one token cannot both pass), the launch context cached.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import jwt
from pylti1p3.contrib.django import DjangoMessageLaunch
from pylti1p3.exception import LtiException

from ..conf import lti_settings
from ..models import Deployment, Platform
from . import claims as c
from . import keysets, launch_context, registry
from .errors import LaunchError
from .storage import LaunchStorage, state_key
from .tool_config import DbToolConf, PlatformRegistration

log = logging.getLogger("ldai.lti.launch")
SUPPORTED_MESSAGES = (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST)
STORAGE_PROOF_PARAM = "ldai_storage_proof"


class BrowserNotBound(Exception):
    """The launch's state is ours but this browser cannot prove it started the login (no cookie, no storage proof)."""

    def __init__(self, record: dict, state: str, tried_storage: bool):
        super().__init__("browser not bound")
        self.record = record
        self.state = state
        self.tried_storage = tried_storage


class ToolLaunch(DjangoMessageLaunch):
    """One launch POST; :meth:`run` returns a LaunchContext or raises LaunchError / BrowserNotBound."""

    def __init__(self, request):
        self.storage = LaunchStorage()
        super().__init__(request, DbToolConf(), launch_data_storage=self.storage)
        self.django_request = request
        self.unverified_locale: str | None = None

    # -- 1. state ---------------------------------------------------------------------------------------
    def _check_state(self) -> tuple[str, dict]:
        state = self._get_request_param("state")
        if not state:
            raise LaunchError("missing_state")
        if not self._get_request_param("id_token"):
            raise LaunchError("missing_id_token")
        record = self._session_service.get_state_params(state) if len(state) <= 128 else None
        if not isinstance(record, dict) or "nonce" not in record:
            raise LaunchError("state_unknown")
        if self._cookie_service.get_cookie(state) == state:
            return state, record
        proof = self._get_request_param(STORAGE_PROOF_PARAM)
        secret = record.get("storage_secret")
        if secret and proof and hmac.compare_digest(str(proof), secret):
            return state, record
        raise BrowserNotBound(record, state, tried_storage=bool(proof))

    # -- 2. format and header ------------------------------------------------------------------------------
    def _check_format(self) -> tuple[dict, dict]:
        try:
            self.validate_jwt_format()
        except LtiException as exc:
            raise LaunchError("token_malformed") from exc
        header, body = self._jwt.get("header"), self._jwt.get("body")
        if not isinstance(header, dict) or not isinstance(body, dict):
            raise LaunchError("token_malformed", "header and payload must be JSON objects")
        self.unverified_locale = launch_context.locale_of(body)
        kid = header.get(c.KID)
        if not kid or not isinstance(kid, str):
            raise LaunchError("kid_missing", locale=self.unverified_locale)
        if header.get(c.ALG) not in keysets.ALLOWED_ALGS:
            raise LaunchError("alg_unsupported", f"alg {str(header.get(c.ALG))[:20]!r}", locale=self.unverified_locale)
        return header, body

    # -- 3. issuer, audience, authorized party ---------------------------------------------------------------
    def _check_audience(self, body: dict, record: dict) -> Platform:
        locale = self.unverified_locale
        if body.get(c.ISS) != record["iss"]:
            raise LaunchError("iss_mismatch", locale=locale)
        # One cached lookup for the platform and, when the token names one, its deployment (checked again after verification).
        deployment_id = body.get(c.DEPLOYMENT_ID)
        self._deployment = None
        if isinstance(deployment_id, str) and deployment_id:
            self._deployment = registry.deployment(record["iss"], record["client_id"], deployment_id)
        if self._deployment is not None and self._deployment.platform_id == record["platform"]:
            platform = self._deployment.platform
        else:
            self._deployment = None
            platform = registry.platform(record["platform"], record["iss"], record["client_id"])
        if platform is None:
            raise LaunchError("platform_unknown", locale=locale)
        if not platform.is_active:
            raise LaunchError("platform_inactive", locale=locale)
        aud = body.get(c.AUD)
        audiences = aud if isinstance(aud, list) else [aud]
        if not all(isinstance(a, str) for a in audiences) or platform.client_id not in audiences:
            raise LaunchError("aud_mismatch", locale=locale)
        azp = body.get(c.AZP)
        if azp is None and len(audiences) > 1:
            raise LaunchError("azp_missing", locale=locale)
        if azp is not None and azp != platform.client_id:
            raise LaunchError("azp_mismatch", locale=locale)
        self._registration = PlatformRegistration(platform)
        return platform

    # -- 4. signature and time ----------------------------------------------------------------------------
    def _verify(self, platform: Platform, header: dict) -> dict:
        locale = self.unverified_locale
        try:
            key = keysets.public_key_for(platform, header[c.KID], header[c.ALG])
        except LaunchError as exc:
            exc.locale = locale
            raise
        try:
            return jwt.decode(
                self._get_id_token(),
                key,
                algorithms=[header[c.ALG]],
                leeway=lti_settings().clock_leeway,
                options={"require": [c.EXP, c.IAT], "verify_aud": False, "verify_iss": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchError("token_expired", locale=locale) from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchError("token_not_yet_valid", locale=locale) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise LaunchError("missing_exp_iat", str(exc), locale=locale) from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchError("signature_invalid", locale=locale) from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchError("token_malformed", type(exc).__name__, locale=locale) from exc

    # -- 5. nonce and target link ----------------------------------------------------------------------------
    @staticmethod
    def _check_nonce_and_target(body: dict, record: dict, locale: str) -> None:
        nonce = body.get(c.NONCE)
        if not nonce or not isinstance(nonce, str):
            raise LaunchError("nonce_missing", locale=locale)
        if not hmac.compare_digest(nonce.encode(), str(record["nonce"]).encode()):
            raise LaunchError("nonce_mismatch", locale=locale)
        target = body.get(c.TARGET_LINK_URI)
        if target is None:
            if body.get(c.MESSAGE_TYPE) == c.RESOURCE_LINK_REQUEST:
                raise LaunchError("target_link_missing", locale=locale)
        elif target != record["target_link_uri"]:
            raise LaunchError("target_link_mismatch", locale=locale)

    # -- 6. LTI claims -----------------------------------------------------------------------------------------
    def _check_claims(self, body: dict, platform: Platform, locale: str) -> Deployment:
        version = body.get(c.VERSION)
        if version is None:
            raise LaunchError("version_missing", locale=locale)
        if version != c.SUPPORTED_VERSION:
            raise LaunchError("version_unsupported", f"version {str(version)[:20]!r}", locale=locale)
        message_type = body.get(c.MESSAGE_TYPE)
        if not message_type:
            raise LaunchError("message_type_missing", locale=locale)
        if message_type not in SUPPORTED_MESSAGES:
            raise LaunchError("message_type_unsupported", f"message type {str(message_type)[:60]!r}", locale=locale)
        deployment_id = body.get(c.DEPLOYMENT_ID)
        if not deployment_id or not isinstance(deployment_id, str):
            raise LaunchError("deployment_missing", locale=locale)
        deployment = getattr(self, "_deployment", None)
        if deployment is None or deployment.deployment_id != deployment_id or deployment.platform_id != platform.pk:
            deployment = registry.deployment(platform.issuer, platform.client_id, deployment_id)
        if deployment is None:
            raise LaunchError("deployment_unknown", f"deployment id {deployment_id[:100]!r}", locale=locale)
        if not deployment.is_active:
            raise LaunchError("deployment_inactive", f"deployment id {deployment_id[:100]!r}", locale=locale)
        sub = body.get(c.SUB)
        if not sub or not isinstance(sub, str):
            raise LaunchError("sub_missing", locale=locale)
        if c.ROLES not in body:
            raise LaunchError("roles_missing", locale=locale)
        if message_type == c.RESOURCE_LINK_REQUEST:
            link = body.get(c.RESOURCE_LINK)
            if not isinstance(link, dict) or not link.get(c.ID):
                raise LaunchError("resource_link_missing", locale=locale)
        else:
            settings = body.get(c.DL_SETTINGS)
            if not isinstance(settings, dict) or not isinstance(settings.get(c.DL_RETURN_URL), str) or not settings[c.DL_RETURN_URL]:
                raise LaunchError("deep_linking_settings_missing", locale=locale)
            accept = settings.get(c.DL_ACCEPT_TYPES)
            if not isinstance(accept, list) or c.DL_TYPE_RESOURCE_LINK not in accept:
                raise LaunchError("deep_linking_no_resource_link", locale=locale)
        return deployment

    # -- 7. one-time use ---------------------------------------------------------------------------------------
    def _consume(self, body: dict, platform: Platform, state: str, locale: str) -> None:
        digest = hashlib.sha256(body[c.NONCE].encode()).hexdigest()
        lifetime = max(int(body[c.EXP]) - int(time.time()) + lti_settings().clock_leeway, 60)
        if not self.storage._get_cache().add(f"ldai-lti-nonce:{platform.pk}:{digest}", True, lifetime):
            raise LaunchError("nonce_reused", locale=locale)
        if not self.storage.delete(state_key(state)):
            raise LaunchError("nonce_reused", "state consumed by a concurrent launch", locale=locale)

    def run(self) -> launch_context.LaunchContext:
        state, record = self._check_state()
        header, unverified = self._check_format()
        platform = self._check_audience(unverified, record)
        body = self._verify(platform, header)
        locale = launch_context.locale_of(body)
        self._check_nonce_and_target(body, record, locale)
        deployment = self._check_claims(body, platform, locale)
        self._jwt = {"header": header, "body": body}
        self._validated = True
        try:
            self.validate_message()  # pylti1p3's own validators, a second net behind ours
        except LtiException as exc:
            raise LaunchError("invalid_message", str(exc)[:200], locale=locale) from exc
        try:
            context = launch_context.build(body, platform, deployment)
        except LaunchError as exc:
            exc.locale = locale
            raise
        self._consume(body, platform, state, locale)
        launch_context.save(context)
        self._launch_id = context.launch_id
        log.info("launch accepted: platform %s, deployment %s, %s", platform.pk, deployment.deployment_id, body[c.MESSAGE_TYPE])
        return context
