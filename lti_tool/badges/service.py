"""The ``ldai_badges`` XBlock service of the tool's runtime: blocks ask it to issue, it answers with the badge.

Why a service: the block decides WHEN a badge is earned (its rule, its score), the shell decides HOW
it is issued. In the tool the issuer is the tool itself (its profile, its badge key, its stored
credentials and revocation list); in Open edX there is no such service and the block signs with the
issuer configured in the ``LDAI`` settings (see ``ldai_xblocks.blocks.base.BadgeMixin``).
"""

from __future__ import annotations

from django.urls import reverse

from ldai_xblocks.engine import badges

from . import issuer


class LtiBadgeService:
    def __init__(self, session, anon_id: str):
        self.session = session
        self.anon_id = anon_id

    def available(self) -> bool:
        return True

    def issue(self, achievement: badges.Achievement, evidence: badges.Evidence, colour: str, image_svg: str = "") -> dict:
        """Issue (or find again) the learner's badge on this resource link; what the block keeps and shows.

        The page URL is relative: the learner follows it from the activity, on whatever host serves the tool.
        """
        source = f"lti:{self.session.link.pk}"
        badge = issuer.issue(issuer.Award(achievement=achievement, learner=self.anon_id, source=source, evidence=evidence,
                                          colour=colour, image_svg=image_svg))
        return {"token": badge.token, "credential_id": badge.credential_id, "page_url": reverse("lti_tool:badges:mine", args=(badge.download_key,))}
