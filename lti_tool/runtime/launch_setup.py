"""What a resource launch sets up before the block renders: the link's settings, and the learner's name.

The link: on its first launch, a resource link takes its block type, pack, own content
and settings from the custom parameters deep linking placed on it (``lti_tool.lti.deep_linking``).
Why every unreadable value is recorded rather than dropped: platforms rewrite custom
parameters (Moodle stores them as ``key=value`` lines cleaned with PARAM_TEXT, and an
instructor may edit them by hand). A value the tool cannot read used to be replaced by
the block's default in silence, so a course ran with other points, attempts or content
than the instructor chose. Now each one is logged and kept in
``ResourceLinkConfig.setup_problems``: instructors see the list on the activity page
until they save the settings; learners are told the activity is not ready.

The name: stored only when the platform sends one, and refreshed at each launch, so a
learner renamed in the platform, or a platform that stopped sharing names, is reflected.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from xblock.core import XBlock
from xblock.fields import Scope

from ldai_xblocks import json_input
from ldai_xblocks.content import ContentError, list_packs, parse_document

from ..lti import claims as c
from ..models import LearnerState, ResourceLinkConfig
from . import link_cache
from .xblock_runtime import BLOCK_TYPES, DEFAULT_BLOCK_TYPE

log = logging.getLogger("ldai.lti.runtime")

AUTO_PACK = "auto"


@dataclass
class LinkSetup:
    """The values a new link starts with, and what could not be read (``problems``: dicts kept on the link)."""

    values: dict[str, Any] = field(default_factory=dict)
    pack: str = ""
    document: dict | None = None
    problems: list[dict[str, str]] = field(default_factory=list)

    def problem(self, code: str, name: str, detail: str = "") -> None:
        self.problems.append({"code": code, "field": name, "detail": detail[:300]})


def block_type_from(custom: dict) -> str | None:
    """The activity a launch names (``ldai_activity``: ``ldai_risk_quiz`` or ``risk_quiz``); None if unknown."""
    wanted = (custom.get(c.CUSTOM_ACTIVITY) or "").strip()
    if not wanted:
        return DEFAULT_BLOCK_TYPE
    wanted = wanted if wanted.startswith("ldai_") else f"ldai_{wanted}"
    return wanted if wanted in BLOCK_TYPES else None


def read_custom(block_type: str, custom: dict) -> LinkSetup:
    """Field values from the custom parameters, each checked by the block field's own type."""
    cls = XBlock.load_class(block_type)
    setup = LinkSetup()
    raw_settings = custom.get(c.CUSTOM_SETTINGS)
    requested: Any = {}
    if raw_settings:
        try:
            requested = json_input.loads(raw_settings)
        except ValueError as error:
            setup.problem("settings_unreadable", c.CUSTOM_SETTINGS, str(error))
        if not isinstance(requested, dict):
            if not setup.problems:
                setup.problem("settings_unreadable", c.CUSTOM_SETTINGS, "not a JSON object")
            requested = {}
    for name, raw in requested.items():
        block_field = cls.fields.get(name)
        if block_field is None or block_field.scope not in (Scope.settings, Scope.content):
            log.info("ignored custom setting %r: not a setting of %s", name[:60], block_type)
            continue
        try:
            setup.values[name] = block_field.to_json(block_field.enforce_type(block_field.from_json(raw)))
        except Exception as error:  # any conversion error: the value is not one this field can hold
            setup.problem("setting_invalid", name, f"{raw!r:.80}: {type(error).__name__}")
    pack = (custom.get(c.CUSTOM_PACK) or "").strip()[:100]
    setup.pack = pack
    kind = getattr(cls, "content_kind", "")
    if pack == c.CUSTOM_PACK_OWN:
        _read_own_content(setup, cls, kind, custom.get(c.CUSTOM_CONTENT))
    elif pack and "pack" in cls.fields:
        if pack != AUTO_PACK and kind and pack not in {p.ref for p in list_packs(kind)}:
            setup.problem("pack_unknown", c.CUSTOM_PACK, pack)
        else:
            setup.values["pack"] = pack
    for problem in setup.problems:
        log.warning("custom parameter %s of a new %s link could not be read (%s): %s",
                    problem["field"], block_type, problem["code"], problem["detail"])
    return setup


def _read_own_content(setup: LinkSetup, cls, kind: str, raw) -> None:
    if not raw or "custom_content" not in cls.fields:
        setup.problem("content_missing", c.CUSTOM_CONTENT)
        return
    try:
        document = parse_document(kind, raw)
    except ContentError as error:
        setup.problem("content_invalid", c.CUSTOM_CONTENT, "; ".join(str(p) for p in error.problems[:3]))
        return
    setup.values["custom_content"] = raw
    setup.document = document


def ensure_resource_link(context) -> ResourceLinkConfig | None:
    """The link of this launch, created on its first launch; AGS endpoints refreshed on every launch.

    Returns None when the launch names an activity this tool does not have.
    """
    block_type = block_type_from(context.custom)
    link = link_cache.resource_link(context.deployment.pk, context.resource_link_id)
    if link is None:
        if block_type is None:
            return None
        setup = read_custom(block_type, context.custom)
        link, _created = ResourceLinkConfig.objects.get_or_create(
            deployment=context.deployment, resource_link_id=context.resource_link_id,
            defaults={
                "context_id": context.context_id or "", "context_title": context.context_title,
                "title": context.resource_link_title, "block_type": block_type, "pack_ref": setup.pack,
                "custom_content": setup.document, "settings": setup.values, "setup_problems": setup.problems,
            },
        )
    ags = context.ags or {}
    updates = {
        # A line item found or created by tag earlier is kept while the platform still offers AGS.
        "lineitem_url": _url(ags.get("lineitem")) or (link.lineitem_url if ags else ""),
        "lineitems_url": _url(ags.get("lineitems")),
        "ags_scopes": [s for s in ags.get("scope") or [] if isinstance(s, str)],
        "title": context.resource_link_title or link.title,
        "context_title": context.context_title or link.context_title,
    }
    changed = [name for name, value in updates.items() if getattr(link, name) != value]
    if changed:
        for name in changed:
            setattr(link, name, updates[name])
        link.save(update_fields=[*changed, "modified"])
    return link


def refresh_learner_name(context, known_rows: list[LearnerState] | None = None) -> None:
    """The name the platform sent in this launch, on every row of this learner in the deployment ("" when none).

    ``known_rows``: every row of the learner in the deployment, already read by the launch
    (``runtime.xblock_runtime.learner_rows``): the UPDATE then runs only when one of them holds another
    name, and those objects get the new name too (a later ``save()`` of one must not write the old one back).
    """
    name = (context.user_name or "")[:255]
    if known_rows is not None:
        if all(row.user_name == name for row in known_rows):
            return
        for row in known_rows:
            row.user_name = name
    LearnerState.objects.filter(deployment=context.deployment, user_sub=context.user_sub).exclude(user_name=name).update(user_name=name)


def _url(value) -> str:
    """An AGS URL as stored (500 characters at most: a longer one is dropped, not cut into a wrong URL)."""
    if not isinstance(value, str) or not value:
        return ""
    if len(value) > 500:
        log.warning("ignored an AGS URL longer than 500 characters")
        return ""
    return value
