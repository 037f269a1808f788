"""pylti1p3's tool configuration, backed by our Platform/Deployment/ToolKey models.

Why a ToolConfAbstract subclass rather than pylti1p3's JSON or ``lti1p3_tool_config``
app: registrations are edited in the admin, by the CLI and by Dynamic
Registration, deployments can be inactive, and the tool's keys rotate; the
library only needs to be handed a ``Registration`` per (issuer, client id).
Every issuer may have several client ids (one per Moodle site behind a shared
issuer, Canvas' shared issuer), so lookups always use the client id.
"""

from __future__ import annotations

from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from ..models import Deployment, Platform, ToolKey
from .keys import ensure_signing_key, public_jwks


class PlatformRegistration(Registration):
    """A pylti1p3 registration that remembers its Platform row and signs with our current key."""

    def __init__(self, platform: Platform, tool_key: ToolKey | None = None):
        self.platform = platform
        self._tool_key = tool_key
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)
        self.set_key_set_url(platform.keyset_url)
        self.set_key_set(platform.keyset_json or None)

    @property
    def tool_key(self) -> ToolKey:
        if self._tool_key is None:
            self._tool_key = ensure_signing_key()
        return self._tool_key

    # The signing key is looked up only when something is signed (deep linking, AGS).
    def get_tool_private_key(self) -> str:
        return self.tool_key.private_key_pem

    def get_kid(self) -> str:
        return self.tool_key.kid

    def get_jwks(self) -> list:
        return public_jwks()["keys"]


class DbToolConf(ToolConfAbstract):
    """Registrations from the database; only active platforms and deployments count."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    @staticmethod
    def platform(iss: str, client_id: str | None) -> Platform | None:
        if not iss or not client_id:
            return None
        return Platform.objects.filter(issuer=iss, client_id=client_id, is_active=True).first()

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        platforms = list(Platform.objects.filter(issuer=iss, is_active=True)[:2])
        return PlatformRegistration(platforms[0]) if len(platforms) == 1 else None

    def find_registration_by_params(self, iss: str, client_id: str, *args, **kwargs) -> Registration | None:
        platform = self.platform(iss, client_id)
        return PlatformRegistration(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> PyltiDeployment | None:
        platforms = list(Platform.objects.filter(issuer=iss, is_active=True)[:2])
        if len(platforms) != 1:
            return None
        return self.find_deployment_by_params(iss, deployment_id, platforms[0].client_id)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str, *args, **kwargs) -> PyltiDeployment | None:
        row = self.deployment(iss, client_id, deployment_id)
        return PyltiDeployment().set_deployment_id(row.deployment_id) if row and row.is_active else None

    @staticmethod
    def deployment(iss: str, client_id: str, deployment_id: str) -> Deployment | None:
        """The Deployment row, active or not (the caller says which of the two is wrong)."""
        return (
            Deployment.objects.select_related("platform")
            .filter(platform__issuer=iss, platform__client_id=client_id, deployment_id=deployment_id)
            .first()
        )

    def get_jwks(self, iss: str | None = None, client_id: str | None = None, **kwargs) -> dict:
        return public_jwks()
