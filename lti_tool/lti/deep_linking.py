"""Deep linking: an instructor picks an activity and its content, and the tool returns an LTI resource link.

Why the configuration travels in custom parameters: the platform stores them
with the link and sends them back in every launch of that link, so the tool
needs no table of "links not yet launched". The keys (read at launch by the
runtime) are:

- ``ldai_activity``: the block type (``ldai_risk_quiz``...);
- ``ldai_pack``: a default pack ref (``"fr/marketing"``), ``"auto"`` (the default
  pack in each learner's language), or ``"custom"``;
- ``ldai_content``: the instructor's own JSON document, only with ``"custom"``;
- ``ldai_settings``: JSON of the block's settings fields (``display_name``,
  ``max_attempts``, ``weight``).

The JSON values are written so that Moodle's storage of custom parameters (``key=value``
lines cleaned with PARAM_TEXT) gives them back unchanged (:func:`custom_json`); a value a
platform still mangles is reported to the instructor at launch (``lti_tool.runtime.launch_setup``).

The line item (``scoreMaximum`` = the points, ``label`` = the title, ``tag``
naming the activity) lets the platform create the grade column at once.

The form posts back the launch id (a random secret bound to this instructor's
validated launch), which is what protects it; it needs no cookie, so it works
in an iframe that blocks third-party cookies.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from ldai_xblocks.content import ContentError, list_packs, load_pack, parse_document
from ldai_xblocks.content.packs import default_pack_ref
from ldai_xblocks.i18n import N_, gettext_for

from . import claims as c
from . import launch_context
from .clock import issued_at
from .errors import LaunchError
from .launch_context import LaunchContext
from .pages import allow_framing, error_response, origin_of, render
from .tool_config import PlatformRegistration

log = logging.getLogger("ldai.lti.deep_linking")

# block type -> (content kind, name, one-line description)
ACTIVITIES: dict[str, tuple[str, str, str]] = {
    "ldai_risk_quiz": ("risk_quiz", N_("AI risk quiz"), N_("Workplace scenarios: is this use of AI safe, risky or forbidden?")),
    "ldai_hallucination_detector": (
        "hallucination_detector", N_("Hallucination detector"), N_("Spot the invented facts in an AI-written text."),
    ),
    "ldai_prompt_sandbox": ("prompt_sandbox", N_("Prompt sandbox"), N_("Write a prompt for a work task and get feedback on it.")),
    "ldai_skills_map": ("skills_map", N_("AI skills map"), N_("The AI skills each job needs, the learner's level from their results, and what to work on first.")),
    "ldai_charter": ("charter", N_("Company AI charter"), N_("Read the course's AI charter, answer questions on it, and accept it; instructors see who accepted which version.")),
    "ldai_use_case": ("use_case", N_("AI use-case library"), N_("Learners record how AI helps them at work; managers validate; colleagues adopt. Or the managers' usage survey.")),
}
JOB_FAMILIES = {
    "marketing": N_("Marketing"), "finance": N_("Finance"), "hr": N_("Human resources"),
    "production": N_("Production"), "sales": N_("Sales"), "management": N_("Management"),
}
LANGUAGE_NAMES = {"en": N_("English"), "fr": N_("French")}
AUTO_PACK = "auto"
MAX_POINTS = 1000
MAX_ATTEMPTS = 100
MAX_CONTENT_CHARS = 60_000  # the document rides in every launch token of the link


@dataclass
class Choice:
    """What the instructor chose, as read from the form; ``errors`` maps a field to messages in their language."""

    activity: str = "ldai_risk_quiz"
    source: str = "pack"
    pack: str = AUTO_PACK
    content: str = ""
    title: str = ""
    max_attempts: int = 2
    points: float = 10.0
    errors: dict[str, list[str]] = field(default_factory=dict)
    document: dict | None = None

    @property
    def kind(self) -> str:
        return ACTIVITIES[self.activity][0]

    def custom_params(self) -> dict[str, str]:
        params = {
            c.CUSTOM_ACTIVITY: self.activity,
            c.CUSTOM_PACK: c.CUSTOM_PACK_OWN if self.source == "custom" else self.pack,
            c.CUSTOM_SETTINGS: custom_json({"display_name": self.title, "max_attempts": self.max_attempts, "weight": self.points}),
        }
        if self.source == "custom" and self.document is not None:
            params[c.CUSTOM_CONTENT] = custom_json(self.document)
        return params


# Characters Moodle's PARAM_TEXT cleaning would act on (strip_tags; fix_utf8 drops U+FFFE/U+FFFF), written as
# JSON escapes. They can only occur inside JSON strings, so the escaped text decodes to the same value.
_PLATFORM_UNSAFE = {ord(ch): f"\\u{ord(ch):04x}" for ch in "<>&\ufffe\uffff"}


def custom_json(value) -> str:
    """JSON for a custom parameter that survives Moodle's storage of custom parameters unchanged.

    Moodle stores them as ``key=value`` lines cleaned with PARAM_TEXT (``mod/lti/locallib.php``
    ``params_to_string``, ``lib/classes/param.php``): ``strip_tags`` would cut a value at its
    first ``<`` (a title "Score <50% = retry" lost everything after it, points and content
    included) and a raw line break would split the line. ``json.dumps`` already escapes line
    breaks and control characters; ``<``, ``>``, ``&`` and the two non-characters are escaped here.
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_PLATFORM_UNSAFE)


def platform_title(title: str) -> str:
    """The title as the platform will keep it: a ``<`` that would open a tag for ``strip_tags`` gets a space after it.

    PHP's ``strip_tags`` (Moodle cleans the activity name with PARAM_TEXT) reads ``<`` followed by
    anything but whitespace as the start of a tag and drops the rest of the title; ``< `` is text.
    """
    return re.sub(r"<(?=[^\s])", "< ", title)


def _number(raw: str, cast, low, high, errors: list[str], message: str):
    try:
        value = cast(raw.strip().replace(",", "."))
    except (ValueError, AttributeError):
        errors.append(message)
        return None
    if not low <= value <= high or value != value:  # also refuses NaN
        errors.append(message)
        return None
    return value


def read_choice(form, language: str) -> Choice:
    """Validate the posted form; every problem gets a message in the instructor's language."""
    _ = gettext_for(language)
    choice = Choice()
    activity = form.get("activity", "")
    if activity not in ACTIVITIES:
        choice.errors["activity"] = [_("Choose one of the listed activities.")]
        return choice
    choice.activity = activity
    choice.source = "custom" if form.get("source") == "custom" else "pack"
    if choice.source == "pack":
        pack = form.get(f"pack_{activity}", AUTO_PACK)
        if pack != AUTO_PACK and pack not in {p.ref for p in list_packs(choice.kind)}:
            choice.errors["pack"] = [_("Choose one of the listed packs.")]
        else:
            choice.pack = pack
    else:
        choice.content = form.get("content", "")
        if not choice.content.strip():
            choice.errors["content"] = [_("Paste your content (JSON), or choose a default pack.")]
        elif len(choice.content) > MAX_CONTENT_CHARS:
            choice.errors["content"] = [_("Your content is too long (more than 60,000 characters): split it into several activities.")]
        else:
            try:
                choice.document = parse_document(choice.kind, choice.content, _)
            except ContentError as error:
                choice.errors["content"] = [str(p) for p in error.problems[:20]]
    choice.title = " ".join(form.get("title", "").split())[:200]
    if not choice.title:
        choice.title = default_title(choice, language)
    attempt_problems: list[str] = []
    attempts = _number(form.get("max_attempts", "2"), int, 0, MAX_ATTEMPTS, attempt_problems, _("Attempts: a whole number from 0 (unlimited) to 100."))
    if attempts is not None:
        choice.max_attempts = attempts
    point_problems: list[str] = []
    points = _number(form.get("points", "10"), float, 0.01, MAX_POINTS, point_problems, _("Points: a number above 0 and at most 1000."))
    if points is not None:
        choice.points = round(points, 2)
    for name, messages in (("max_attempts", attempt_problems), ("points", point_problems)):
        if messages:
            choice.errors[name] = messages
    return choice


def default_title(choice: Choice, language: str) -> str:
    _ = gettext_for(language)
    if choice.source == "custom" and choice.document:
        return str(choice.document.get("title", ""))[:200] or _(ACTIVITIES[choice.activity][1])
    if choice.pack != AUTO_PACK:
        try:
            return str(load_pack(choice.kind, choice.pack).get("title", ""))[:200]
        except (KeyError, ContentError):
            pass
    return _(ACTIVITIES[choice.activity][1])


def preview_of(choice: Choice, language: str) -> dict | None:
    """A summary of the chosen content (titles and counts, never answers)."""
    if choice.errors:
        return None
    if choice.source == "custom":
        document = choice.document
    else:
        ref = choice.pack
        if ref == AUTO_PACK:
            ref = default_pack_ref(choice.kind, language) or ""
        try:
            document = load_pack(choice.kind, ref)
        except (KeyError, ContentError):
            return None
    if not document:
        return None
    elements = next((document[k] for k in ("questions", "items", "scenarios", "competences") if isinstance(document.get(k), list)), [])
    labels = []
    for element in elements[:5]:
        label = next((element.get(k) for k in ("title", "stem", "prompt", "name", "id") if isinstance(element, dict) and element.get(k)), "")
        labels.append(str(label)[:220] + ("…" if len(str(label)) > 220 else ""))
    return {"title": document.get("title", ""), "description": document.get("description", ""), "count": len(elements), "labels": labels}


# ----- pages ---------------------------------------------------------------------------------------------


def _form_context(context: LaunchContext, choice: Choice, preview: dict | None, request) -> dict:
    _ = gettext_for(context.locale)
    packs = {
        block_type: [
            {"ref": p.ref, "title": p.title, "lang": p.lang, "job_family": p.job_family or "",
             "label": " — ".join(x for x in (p.title, _(LANGUAGE_NAMES.get(p.lang, p.lang)),
                                             _(JOB_FAMILIES[p.job_family]) if p.job_family in JOB_FAMILIES else "") if x)}
            for p in list_packs(kind)
        ]
        for block_type, (kind, _name, _description) in ACTIVITIES.items()
    }
    return {
        "title": _("Choose an activity"),
        "action": request.build_absolute_uri(reverse("lti_tool:deep_link")),
        "launch_id": context.launch_id,
        "activities": [{"type": t, "name": _(name), "description": _(description)} for t, (_k, name, description) in ACTIVITIES.items()],
        "packs": packs,
        "job_families": [{"id": k, "name": _(v)} for k, v in JOB_FAMILIES.items()],
        "languages": [{"id": k, "name": _(v)} for k, v in LANGUAGE_NAMES.items()],
        "auto_pack": AUTO_PACK,
        "choice": choice,
        "preview": preview,
        "platform_title": (context.deep_linking or {}).get(c.TITLE, "") if isinstance((context.deep_linking or {}).get(c.TITLE), str) else "",
    }


def picker(request, context: LaunchContext, choice: Choice | None = None, preview: dict | None = None, status: int = 200) -> HttpResponse:
    """The instructor's form (the answer to a deep linking launch)."""
    if not context.is_instructor:
        return error_response(LaunchError("not_instructor"), context.locale)
    return render("deep_linking.html", _form_context(context, choice or Choice(), preview, request), context.locale, status=status)


def response_jwt(context: LaunchContext, choice: Choice, launch_url: str) -> str:
    """The signed LtiDeepLinkingResponse (pylti1p3's DeepLink, signed with our current key)."""
    line_item = LineItem().set_score_maximum(choice.points).set_label(platform_title(choice.title)).set_tag(f"ldai:{choice.activity}")
    resource = (
        DeepLinkResource()
        .set_type(c.DL_TYPE_RESOURCE_LINK)
        .set_title(platform_title(choice.title))
        .set_url(launch_url)
        .set_custom_params(choice.custom_params())
        .set_lineitem(line_item)
    )
    settings = dict(context.deep_linking or {})
    deep_link = DeepLink(PlatformRegistration(context.platform), context.deployment.deployment_id, settings)
    message = deep_link.get_message_jwt([resource])
    message[c.AZP] = context.platform.client_id
    message[c.IAT] = issued_at()  # backdated: php-jwt (Moodle) has no leeway, our clock may run ahead
    if c.DL_SETTINGS_DATA not in settings:
        message.pop(c.DL_DATA, None)  # "data" must be echoed only when the platform sent one
    return deep_link.encode_jwt(message)


@csrf_exempt
@xframe_options_exempt
def submit(request):
    """POST of the picker: preview, or return the chosen link to the platform."""
    if request.method != "POST":
        response = error_response(LaunchError("method_not_allowed"))
        response["Allow"] = "POST"
        return response
    context = launch_context.load(request.POST.get("launch_id", ""))
    if context is None or not context.is_deep_linking:
        return error_response(LaunchError("launch_expired"))
    origins = {o for o in (origin_of(context.platform.issuer), origin_of(context.platform.auth_login_url),
                           origin_of((context.deep_linking or {}).get(c.DL_RETURN_URL))) if o}
    if not context.is_instructor:
        return error_response(LaunchError("not_instructor"), context.locale, origins=origins)
    choice = read_choice(request.POST, context.locale)
    if choice.errors or request.POST.get("action") == "preview":
        status = 400 if choice.errors else 200
        return allow_framing(picker(request, context, choice, preview_of(choice, context.locale), status=status), origins)
    launch_url = request.build_absolute_uri(reverse("lti_tool:launch"))
    token = response_jwt(context, choice, launch_url)
    log.info("deep linking response: platform %s, deployment %s, %s", context.platform.pk, context.deployment.deployment_id, choice.activity)
    _ = gettext_for(context.locale)
    response = render(
        "deep_linking_return.html",
        {"title": _("Adding the activity to your course…"), "return_url": context.deep_linking[c.DL_RETURN_URL], "jwt": token},
        context.locale,
    )
    return allow_framing(response, origins)
