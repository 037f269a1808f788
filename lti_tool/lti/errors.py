"""Why a launch was refused, in words a learner or an LMS administrator can act on.

Every refusal is a :class:`LaunchError` carrying a stable ``code`` (logged, and
shown small on the page for support), an HTTP status in the 4xx range, and a
message marked for translation; the page is rendered in the launch's language
when it is known. Nothing here ever echoes a token, a key or a secret.
"""

from __future__ import annotations

from ldai_xblocks.i18n import N_

# code -> (HTTP status, message). Status: 400 malformed request, 403 refused, 404/410 gone.
REASONS: dict[str, tuple[int, str]] = {
    # OIDC login initiation
    "login_missing_iss": (400, N_("The platform did not say who it is (no 'iss' parameter in the login request). Ask the administrator of your learning platform to check the tool's login URL.")),
    "login_missing_login_hint": (400, N_("The login request has no 'login_hint'. Open the activity again from your course; if it keeps failing, ask the platform administrator to check the tool set-up.")),
    "login_missing_target_link_uri": (400, N_("The login request does not say which page of the tool to open (no 'target_link_uri'). Ask the platform administrator to check the tool URL.")),
    "login_bad_target_link_uri": (400, N_("The login request asks for a page that is not part of this tool ('target_link_uri'). Ask the platform administrator to set the tool URL to this site's launch URL, shown on its /lti/config/ page.")),
    "login_param_too_long": (400, N_("A parameter of the login request is too long. Ask the platform administrator to check the tool set-up.")),
    "platform_unknown": (403, N_("This learning platform is not registered with the tool (unknown issuer or client id). An administrator must register it first: see the tool's /lti/config/ page.")),
    "platform_ambiguous": (400, N_("Several registrations share this issuer and the platform did not send its client id. Ask the platform administrator to send 'client_id' in the login request, or register a single client for this issuer.")),
    "platform_inactive": (403, N_("This learning platform's registration is switched off in the tool. Ask the tool administrator to reactivate it.")),
    # Launch: state and browser binding
    "missing_state": (400, N_("The launch has no 'state'. Open the activity again from your course.")),
    "missing_id_token": (400, N_("The platform sent no 'id_token'. Open the activity again from your course.")),
    "state_unknown": (400, N_("This launch has expired or was already used. Go back to your course and open the activity again.")),
    "state_not_bound": (403, N_("This launch was started in another browser. Go back to your course and open the activity again in this browser.")),
    # Launch: the JWT itself
    "token_malformed": (400, N_("The platform's launch message is not a valid signed token (JWT). Ask the platform administrator to check the tool set-up.")),
    "kid_missing": (400, N_("The launch message does not say which platform key signed it (no 'kid' in its header). Ask the platform administrator to check the platform's keys.")),
    "kid_unknown": (403, N_("The launch message is signed with a key the platform does not publish (unknown 'kid'), even after reloading the platform's keys. Ask the platform administrator to check the public keyset URL registered in the tool.")),
    "alg_unsupported": (400, N_("The launch message is signed with an algorithm the tool does not accept (only RS256, RS384 and RS512).")),
    "keyset_unavailable": (403, N_("The tool could not read the platform's public keys from its keyset URL, so it cannot check this launch. Try again in a minute; if it persists, ask the platform administrator to check the keyset URL.")),
    "signature_invalid": (403, N_("The launch message's signature does not match the platform's key. Go back to your course and open the activity again; if it persists, ask the platform administrator to check the platform's keys.")),
    "token_expired": (403, N_("The launch message has expired ('exp' is in the past). Check that your computer's and the platform's clocks are right, then open the activity again.")),
    "token_not_yet_valid": (403, N_("The launch message was issued in the future ('iat'). The platform's clock is probably wrong; ask its administrator to fix it.")),
    "missing_exp_iat": (400, N_("The launch message lacks its issue time or expiry ('iat' and 'exp' are required).")),
    "iss_mismatch": (403, N_("The launch message comes from a different platform than the one that started the login ('iss' does not match).")),
    "aud_mismatch": (403, N_("The launch message is addressed to another tool: its audience ('aud') does not contain this tool's client id.")),
    "azp_missing": (403, N_("The launch message names several audiences but no authorized party ('azp'), so the tool cannot tell it was meant for it.")),
    "azp_mismatch": (403, N_("The launch message's authorized party ('azp') is not this tool's client id.")),
    "nonce_missing": (400, N_("The launch message has no 'nonce'.")),
    "nonce_mismatch": (403, N_("The launch message's 'nonce' is not the one this login issued. Open the activity again from your course.")),
    "nonce_reused": (403, N_("This launch message was already used (replayed 'nonce'). Open the activity again from your course.")),
    "target_link_missing": (400, N_("The launch message does not say which page of the tool to open (the 'target_link_uri' claim is missing).")),
    "target_link_mismatch": (403, N_("The launch message opens a different page ('target_link_uri') from the one the login asked for.")),
    # Launch: LTI claims
    "version_missing": (400, N_("The launch message does not say which LTI version it uses (the 'version' claim is missing).")),
    "version_unsupported": (400, N_("The launch message uses an LTI version other than 1.3.0. This tool speaks LTI 1.3 only.")),
    "message_type_missing": (400, N_("The launch message does not say what kind of launch it is (the 'message_type' claim is missing).")),
    "message_type_unsupported": (400, N_("This tool cannot handle this kind of launch (unsupported 'message_type'). It supports resource links and deep linking.")),
    "deployment_missing": (400, N_("The launch message does not name its deployment (the 'deployment_id' claim is missing).")),
    "deployment_unknown": (403, N_("This deployment of the tool is not registered. A tool administrator must add it (admin, or 'ldai lti add-platform ... --deployment-id ID').")),
    "deployment_inactive": (403, N_("This deployment of the tool is waiting for approval. A tool administrator must activate it in the admin before learners can use it.")),
    "sub_missing": (400, N_("The launch message does not identify the user (the 'sub' claim is missing or empty). This tool needs to know who is learning to keep their progress.")),
    "roles_missing": (400, N_("The launch message has no 'roles' claim.")),
    "resource_link_missing": (400, N_("The launch message does not identify the activity link (the resource_link 'id' is missing).")),
    "claim_malformed": (400, N_("A claim of the launch message has the wrong shape (for example, text where a list is expected). Ask the platform administrator to check the tool set-up.")),
    "deep_linking_settings_missing": (400, N_("The deep linking request has no deep linking settings, or no return URL.")),
    "deep_linking_no_resource_link": (400, N_("The platform does not accept LTI resource links in this deep linking request, which is the only kind of item this tool creates.")),
    "invalid_message": (400, N_("The launch message is not valid LTI 1.3.")),
    # After the launch
    "launch_expired": (410, N_("This page has expired. Go back to your course and open the activity again.")),
    "not_instructor": (403, N_("Only an instructor of the course can choose the activity.")),
    "registration_disabled": (403, N_("Dynamic registration is switched off on this tool. Register the platform by hand (see the /lti/config/ page).")),
    "registration_not_allowed": (403, N_("Registering the tool needs a registration link from the tool's administrator. Ask them for a new link (tool admin: Registration links, or 'ldai lti registration-link') and paste that link into your platform instead of this address.")),
    "registration_missing_config": (400, N_("Open this address from your platform's 'register a tool' screen: it needs the 'openid_configuration' parameter the platform adds.")),
    "registration_config_unreachable": (400, N_("The tool could not read the platform's configuration (openid_configuration). Check that the platform is reachable from the tool's server, then try again.")),
    "registration_config_invalid": (400, N_("The platform's configuration (openid_configuration) is incomplete or does not match the platform's address, so the tool will not register with it.")),
    "registration_refused": (400, N_("The platform refused the tool's registration. Start the registration again from the platform; if it fails again, register the tool by hand (see /lti/config/).")),
    "method_not_allowed": (405, N_("This address only answers the LTI platform's requests. Open the activity from your course.")),
}


class LaunchError(Exception):
    """A refused LTI request; ``detail`` is extra, non-secret context in English for the log and the page."""

    def __init__(self, code: str, detail: str = "", *, locale: str | None = None):
        if code not in REASONS:
            raise ValueError(f"unknown launch error code {code!r}")
        super().__init__(code)
        self.code = code
        self.detail = detail[:300]
        self.locale = locale

    @property
    def status(self) -> int:
        return REASONS[self.code][0]

    @property
    def message(self) -> str:
        """The English source message (translate it with the reader's gettext)."""
        return REASONS[self.code][1]

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code
