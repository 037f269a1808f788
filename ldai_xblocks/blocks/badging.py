"""An Open Badge on any activity: the author's settings, the rule, and issuing through the shell.

``BadgeMixin`` (blocks/base.py) keeps the fields and handlers; this module does the work, so the
mixin stays a few lines. Who issues:

* the LTI tool: its ``ldai_badges`` runtime service (the tool's issuer, stored credentials,
  public revocation list and the learner's private badge page);
* Open edX: the issuer configured in the ``LDAI`` settings (``XBLOCK_SETTINGS["LDAI"]["BADGE_ISSUER"]``:
  ``id``, ``name``, ``url``, ``jwks_url``, ``revocation_list_url``, ``kid`` and the private key in
  ``private_key_pem`` or the environment variable named by ``private_key_env``). Without it nothing
  is issued and the editor and the course team's view say so.

The competence criterion reads the learner's evidenced level (skills map, issue 14) of the competence:
from the evidence the course's activities recorded, or from an ``ldai_skills`` service if a shell has one.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from typing import Any

from ..content import load_pack
from ..content.packs import default_pack_ref
from ..engine import badge_image, badges, skills
from ..i18n import N_

MAX_ALIGNMENTS = 20
_COMPETENCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
NO_ISSUER = N_("Badges need an issuer: set BADGE_ISSUER in the LDAI settings of the platform (see docs/badges.rst). Until then learners do not receive this badge.")
OWN_SVG_PROBLEMS = {
    "too_big": N_("The image is too big: at most 200 kB."),
    "not_svg": N_("The image must be an SVG document (<svg ...>)."),
    "unsafe": N_("The image contains scripts, event handlers or links: export a plain SVG drawing."),
}


def config(block) -> dict[str, Any]:
    """The author's badge settings with every key present (defaults for what was never set)."""
    saved = block.badge if isinstance(block.badge, dict) else {}
    return {  # every value typed, whatever was stored (a Dict field set through custom parameters is not validated)
        "enabled": saved.get("enabled") is True,
        "criterion": saved.get("criterion") if saved.get("criterion") in badges.CRITERIA else "completed",
        "min_score": _bounded(saved.get("min_score"), 80, 100),
        "competence": _text(saved.get("competence")),
        "min_level": _bounded(saved.get("min_level"), 3, skills.LEVEL_MAX),
        "name": _text(saved.get("name")),
        "description": _text(saved.get("description")),
        "criteria_text": _text(saved.get("criteria_text")),
        "colour": saved["colour"] if badge_image.valid_colour(_text(saved.get("colour"))) else badge_image.DEFAULT_COLOUR,
        "image_svg": _text(saved.get("image_svg")),
        "alignments": [a for a in saved.get("alignments", []) if isinstance(a, str)] if isinstance(saved.get("alignments"), list) else [],
    }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _bounded(value: Any, default: int, high: int) -> int:
    """A stored number read defensively: a value set by hand (LTI custom parameters) never breaks a view."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return int(min(high, max(0, value)))


def validate(block, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The badge settings an author sent, checked field by field (messages in the author's language)."""
    _ = block._
    errors: dict[str, list[str]] = {}
    clean = config(block)
    enabled = data.get("enabled", False)
    if not isinstance(enabled, bool):
        errors["badge_enabled"] = [_("This value is not valid here.")]
    clean["enabled"] = enabled is True
    if data.get("criterion") not in badges.CRITERIA:
        errors["badge_criterion"] = [_("Choose one of the listed options.")]
    else:
        clean["criterion"] = data["criterion"]
    for name, low, high in (("min_score", 0, 100), ("min_level", 0, skills.LEVEL_MAX)):
        raw = data.get(name, clean[name])
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
            errors[f"badge_{name}"] = [_("Enter a number between {low} and {high}.").format(low=low, high=high)]
        else:
            clean[name] = int(raw)
    for name, limit in (("name", 100), ("description", 500), ("criteria_text", 500), ("competence", 100)):
        value = data.get(name, "")
        if not isinstance(value, str):
            errors[f"badge_{name}"] = [_("This value is not valid here.")]
            continue
        value = value.strip()
        if len(value) > limit:
            errors[f"badge_{name}"] = [_("At most {count} characters.").format(count=limit)]
        clean[name] = value
    if clean["enabled"]:
        for name in ("name", "description", "criteria_text"):
            if not clean[name] and f"badge_{name}" not in errors:
                errors[f"badge_{name}"] = [_("Fill this in: it is part of the badge learners receive.")]
    if clean["criterion"] == "competence" and clean["enabled"] and not _COMPETENCE_ID.match(clean["competence"]):
        errors["badge_competence"] = [_("Enter the id of a competence of the skills map, e.g. prompting.context.")]
    colour = data.get("colour", clean["colour"])
    if not isinstance(colour, str) or not badge_image.valid_colour(colour):
        errors["badge_colour"] = [_("Enter a colour as # and six hexadecimal digits, e.g. #1f5f99.")]
    else:
        clean["colour"] = colour
    image = data.get("image_svg", "")
    if not isinstance(image, str):
        errors["badge_image_svg"] = [_("This value is not valid here.")]
    elif image.strip():
        problem = badge_image.own_svg_problem(image.strip())
        if problem:
            errors["badge_image_svg"] = [_(OWN_SVG_PROBLEMS[problem])]
        clean["image_svg"] = image.strip()
    else:
        clean["image_svg"] = ""
    alignments = data.get("alignments", "")
    items = [a.strip() for a in alignments.split(",") if a.strip()] if isinstance(alignments, str) else None
    if items is None or len(items) > MAX_ALIGNMENTS or not all(_COMPETENCE_ID.match(a) for a in items):
        errors["badge_alignments"] = [_("List competence ids separated by commas (at most {count}), e.g. prompting.context, charter.data.").format(count=MAX_ALIGNMENTS)]
    else:
        clean["alignments"] = items
    return clean, errors


def achievement(block, settings: dict[str, Any]) -> badges.Achievement:
    """The OB 3.0 Achievement of this block; its id follows the block, not the name (renaming keeps earners' badges)."""
    digest = hashlib.sha256(str(block.scope_ids.usage_id).encode()).hexdigest()[:24]
    return badges.Achievement(
        id=f"urn:ldai:achievement:{digest}",
        name=settings["name"],
        description=settings["description"],
        criteria=settings["criteria_text"],
        alignments=tuple(badges.Alignment(code) for code in settings["alignments"]),
        language=block.language(),
    )


def settings_issuer(block) -> tuple[badges.IssuerProfile, badges.Signer] | None:
    """The issuer of the LDAI settings (Open edX), or None when it is missing or incomplete."""
    data = block.ldai_settings().get("BADGE_ISSUER")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) and data[k] for k in ("id", "name", "kid")):
        return None
    pem = data.get("private_key_pem") or os.environ.get(str(data.get("private_key_env") or ""), "")
    try:
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        return None
    profile = badges.IssuerProfile(
        id=data["id"], name=data["name"], url=str(data.get("url", "")), jwks_url=str(data.get("jwks_url", "")),
        revocation_list_url=str(data.get("revocation_list_url", "")),
    )
    return profile, badges.Signer(kid=data["kid"], private_key=key)


def _service(block):
    try:
        return block.runtime.service(block, "ldai_badges")
    except Exception:  # NoSuchServiceError in runtimes that never heard of it (Open edX, the workbench)
        return None


def issuer_available(block) -> bool:
    return _service(block) is not None or settings_issuer(block) is not None


def competence_level(block, competence: str) -> float | None:
    """The learner's evidenced level (0-3) of a competence: from an ``ldai_skills`` service when a shell
    offers one, else from the course evidence the activities recorded (blocks/evidence.py), read with
    the default skills map's signal mapping in the learner's language (engine/skills.py)."""
    try:
        service = block.runtime.service(block, "ldai_skills")
    except Exception:
        service = None
    level = getattr(service, "level", None)
    if level is not None:
        try:
            return float(level(block.learner_id(), competence))
        except (TypeError, ValueError):
            return None
    course_evidence = getattr(block, "course_evidence", None)
    ref = default_pack_ref("skills_map", block.language())
    if course_evidence is None or ref is None:
        return None
    mapping = skills.signal_map(load_pack("skills_map", ref))
    items = [e for e in skills.evidence_from_signals(course_evidence(), mapping) if e.competence == competence]
    return skills.evidenced_level(items, datetime.now(UTC))[0]


def award_after_request(block) -> dict[str, Any] | None:
    """The badge check once a learner's request is done (json_api), when its evidence is recorded too.

    The author's setting first: with no badge on the activity, no learner field is read for it."""
    if not config(block)["enabled"] or not block.attempts_completed:
        return None
    return award_if_earned(block, block.score_earned)


def award_if_earned(block, score: float) -> dict[str, Any] | None:
    """Issue the badge when the learner meets the rule for the first time; what the learner then sees."""
    settings = config(block)
    if not settings["enabled"] or block.badge_earned or not settings["name"]:
        return None
    rule = badges.BadgeRule(settings["criterion"], settings["min_score"] / 100, settings["competence"], settings["min_level"])
    level = competence_level(block, settings["competence"]) if rule.criterion == "competence" else None
    if not badges.rule_met(rule, completed=True, score=score, level=level):
        return None
    earned = _issue(block, settings, score)
    if earned is None:
        return None
    block.badge_earned = earned
    block.emit("badge_earned", {"badge": earned["achievement_id"], "score": round(score, 4)})
    return learner_view(block)


def _issue(block, settings: dict[str, Any], score: float) -> dict[str, Any] | None:
    the_achievement = achievement(block, settings)
    evidence = badges.Evidence(activity=block.title(), score=score, date=datetime.now(UTC))
    service = _service(block)
    if service is not None:
        if not _is_learner(block):
            return None  # an instructor's preview in the tool: nothing issued, as no grade is sent
        issued = service.issue(the_achievement, evidence, settings["colour"], settings["image_svg"])
    else:
        configured = settings_issuer(block)
        if configured is None:
            return None
        profile, signer = configured
        credential, token = badges.issue(the_achievement, profile, signer, badges.recipient_for(block.learner_id()), evidence=evidence)
        issued = {"token": token, "credential_id": credential["id"], "page_url": ""}
    return {**issued, "achievement_id": the_achievement.id, "name": settings["name"], "colour": settings["colour"]}


def _is_learner(block) -> bool:
    """A learner, as the host says it (``is_author``: docs/decisions/0003)."""
    return not block.is_author()


def learner_view(block) -> dict[str, Any] | None:
    """What the learner's view shows about the badge: to earn (name, criteria) or earned (downloads)."""
    settings = config(block)
    earned = block.badge_earned if isinstance(block.badge_earned, dict) else {}
    _ = block._
    if earned.get("token"):
        downloads = [] if earned.get("page_url") else [
            {"label": label, "url": block.runtime.handler_url(block, "badge_file", filename)}
            for filename, label in (("badge.svg", _("Badge picture (SVG)")), ("credential.json", _("Credential (JSON)")), ("credential.jwt", _("Credential (JWT, for wallets)")))
        ]
        return {"earned": True, "name": earned.get("name", ""), "page_url": earned.get("page_url", ""), "downloads": downloads,
                "page_label": _("See and download your badge (opens a new tab)"),
                "message": _("You earned the badge “{name}”.").format(name=earned.get("name", "")), "criteria": "", "warning": ""}
    if not settings["enabled"] or not settings["name"]:
        return None
    available = issuer_available(block)
    if not available and _is_learner(block):
        return None  # no promise to a learner of a badge nobody can issue; the course team sees why
    view = {"earned": False, "name": settings["name"], "criteria": settings["criteria_text"], "page_url": "", "downloads": [],
            "message": _("Badge to earn: “{name}”.").format(name=settings["name"]), "warning": ""}
    if not available:
        view["warning"] = _(NO_ISSUER)
    return view


def editor_view(block) -> dict[str, Any]:
    """What the Studio form's badge section shows: the saved settings and the issuer's state."""
    values = config(block)
    return {
        "saved": {**values, "alignments": ", ".join(values["alignments"])},
        "criteria": [("completed", block._("The activity is completed")), ("score", block._("The best score reaches a minimum")),
                     ("competence", block._("A competence of the skills map reaches a level"))],
        "warning": "" if issuer_available(block) else block._(NO_ISSUER),
    }


def file_response(block, filename: str):
    """One of the learner's own downloads (their state only: no other learner's badge is reachable)."""
    from webob import Response

    earned = block.badge_earned if isinstance(block.badge_earned, dict) else {}
    if filename not in badges.DOWNLOADS or not earned.get("token"):
        return Response(status=404, body=b"Not found", content_type="text/plain")
    settings = config(block)
    body, content_type, name = badges.download(filename, earned["token"], earned.get("name", ""), earned.get("colour", badge_image.DEFAULT_COLOUR), settings["image_svg"])
    response = Response(body=body.encode("utf-8"), content_type=content_type.split(";")[0], charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers.update(badges.DOWNLOAD_HEADERS)
    return response
