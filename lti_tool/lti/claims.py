"""Names from the LTI 1.3 / LTI Advantage specifications, in one place.

Why constants: a claim name typed twice is a bug waiting for a typo that no test
catches (the token simply "lacks" the misspelt claim). Every module of the tool
reads claim names, message types, scopes and role URIs from here.
"""

from __future__ import annotations

from typing import Final

# Core LTI 1.3 (https://www.imsglobal.org/spec/lti/v1p3/)
LTI: Final = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE: Final = LTI + "message_type"
VERSION: Final = LTI + "version"
DEPLOYMENT_ID: Final = LTI + "deployment_id"
TARGET_LINK_URI: Final = LTI + "target_link_uri"
RESOURCE_LINK: Final = LTI + "resource_link"
ROLES: Final = LTI + "roles"
CONTEXT: Final = LTI + "context"
TOOL_PLATFORM: Final = LTI + "tool_platform"
LAUNCH_PRESENTATION: Final = LTI + "launch_presentation"
CUSTOM: Final = LTI + "custom"
LIS: Final = LTI + "lis"
ROLE_SCOPE_MENTOR: Final = LTI + "role_scope_mentor"
FOR_USER: Final = LTI + "for_user"

# OpenID Connect claims of the id_token (https://openid.net/specs/openid-connect-core-1_0.html)
ISS: Final = "iss"
SUB: Final = "sub"
AUD: Final = "aud"
AZP: Final = "azp"
EXP: Final = "exp"
IAT: Final = "iat"
NONCE: Final = "nonce"
NAME: Final = "name"
GIVEN_NAME: Final = "given_name"
FAMILY_NAME: Final = "family_name"
EMAIL: Final = "email"
LOCALE: Final = "locale"

# JOSE header fields
KID: Final = "kid"
ALG: Final = "alg"

# Launch presentation fields
PRESENTATION_LOCALE: Final = "locale"
PRESENTATION_RETURN_URL: Final = "return_url"
PRESENTATION_DOCUMENT_TARGET: Final = "document_target"

# Resource link / context fields
ID: Final = "id"
TITLE: Final = "title"
LABEL: Final = "label"

SUPPORTED_VERSION: Final = "1.3.0"

# Message types
RESOURCE_LINK_REQUEST: Final = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST: Final = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE: Final = "LtiDeepLinkingResponse"
SUBMISSION_REVIEW_REQUEST: Final = "LtiSubmissionReviewRequest"
DATA_PRIVACY_LAUNCH_REQUEST: Final = "DataPrivacyLaunchRequest"

# Deep Linking 2.0 (https://www.imsglobal.org/spec/lti-dl/v2p0/)
DL: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DL_SETTINGS: Final = DL + "deep_linking_settings"
DL_CONTENT_ITEMS: Final = DL + "content_items"
DL_DATA: Final = DL + "data"
DL_MSG: Final = DL + "msg"
DL_ERRORMSG: Final = DL + "errormsg"
DL_RETURN_URL: Final = "deep_link_return_url"
DL_ACCEPT_TYPES: Final = "accept_types"
DL_ACCEPT_TARGETS: Final = "accept_presentation_document_targets"
DL_ACCEPT_MULTIPLE: Final = "accept_multiple"
DL_SETTINGS_DATA: Final = "data"
DL_TYPE_RESOURCE_LINK: Final = "ltiResourceLink"

# Assignment and Grade Services 2.0 (https://www.imsglobal.org/spec/lti-ags/v2p0/)
AGS_ENDPOINT: Final = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_LINEITEM: Final = "lineitem"
AGS_LINEITEMS: Final = "lineitems"
AGS_SCOPE: Final = "scope"
SCOPE_LINEITEM: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_SCOPES: Final = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)

# Names and Role Provisioning Services 2.0
NRPS_ENDPOINT: Final = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCOPE_NRPS_READONLY: Final = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# Dynamic Registration 1.0 (https://www.imsglobal.org/spec/lti-dr/v1p0)
TOOL_CONFIGURATION: Final = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION: Final = "https://purl.imsglobal.org/spec/lti-platform-configuration"

# LIS role vocabulary (https://www.imsglobal.org/spec/lti/v1p3/#role-vocabularies)
ROLE_PREFIX: Final = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLE_CONTEXT_INSTRUCTOR: Final = ROLE_PREFIX + "membership#Instructor"
ROLE_CONTEXT_LEARNER: Final = ROLE_PREFIX + "membership#Learner"
ROLE_CONTEXT_ADMINISTRATOR: Final = ROLE_PREFIX + "membership#Administrator"
ROLE_CONTEXT_CONTENT_DEVELOPER: Final = ROLE_PREFIX + "membership#ContentDeveloper"
ROLE_SYSTEM_ADMINISTRATOR: Final = ROLE_PREFIX + "system/person#Administrator"

# Client-side postMessages (LTI Platform Storage, https://www.imsglobal.org/spec/lti-cs-pm/v0p1)
LOGIN_STORAGE_TARGET: Final = "lti_storage_target"
PM_PUT_DATA: Final = "lti.put_data"
PM_GET_DATA: Final = "lti.get_data"
PM_CLOSE: Final = "org.imsglobal.lti.close"

# Custom parameters the tool itself places through deep linking (read back at launch)
CUSTOM_ACTIVITY: Final = "ldai_activity"
CUSTOM_PACK: Final = "ldai_pack"
CUSTOM_SETTINGS: Final = "ldai_settings"
CUSTOM_CONTENT: Final = "ldai_content"
CUSTOM_JOB_FAMILY: Final = "ldai_job_family"  # the skills map's job family, set by the platform
# Teams (issue 15): LTI 1.3 has no group claim, so the platform substitutes them into custom parameters:
# Moodle ``ldai_team_ids=$Moodle.Person.userGroupIds`` (mod/lti/locallib.php, lti_calculate_custom_parameter),
# Canvas ``ldai_team_ids=$Canvas.group.contextIds`` (lib/lti/variable_expander.rb); both are ids, joined by commas.
# ``ldai_team`` may name the team directly (a placement per team, or a platform that can substitute a name).
CUSTOM_TEAM_IDS: Final = "ldai_team_ids"
CUSTOM_TEAM: Final = "ldai_team"
CUSTOM_PACK_OWN: Final = "custom"
