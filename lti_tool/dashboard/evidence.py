"""The Article 4 evidence pack: who was trained on what, when, with which results, and which charter each accepted.

Why this record: Article 4 of the EU AI Act asks employers to take measures to ensure a sufficient level
of AI literacy of their staff; the pack is what an employer keeps to show the measures it took. It names
people, so it is for the employer's administrator or the course's instructor only (the dashboard's doors,
``access``), and it is never subject to the minimum-group rule: it is a record of individuals, not a figure.

Names: statements hold only anonymous ids. A name is the one the platform sent at the learner's latest
launch (``LearnerState.user_name``), joined through the same anonymous id the runtime gives the blocks
(``anonymous_id_of(issuer, sub)``); a learner whose platform sends no name, or whose statements came from
Open edX, appears under their anonymous code. Nothing else about the learner is added.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from django.db.models import Case, IntegerField, Max, Min, Q, Sum, Value, When
from django.db.models.fields.json import KeyTransform
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

import ldai_xblocks
from ldai_xblocks.engine import xapi
from ldai_xblocks.i18n import gettext_for
from ldai_xblocks.spreadsheet import safe_cell

from ..models import LearnerState, ResourceLinkConfig
from ..runtime.xblock_runtime import anonymous_id_of
from .access import Scope
from .queries import scoped
from .tables import Formatter

GRADED_ACTIONS = tuple(action for action, mapping in xapi.MAPPINGS.items() if mapping.verb == "completed")


@dataclass(frozen=True)
class TrainingLine:
    learner: str
    code: str  # the anonymous id, shortened: the same learner across lines and exports
    course: str
    activity: str
    first_seen: datetime
    last_seen: datetime
    attempts: int
    best: float | None
    passed: bool | None  # None: the activity has no pass mark


@dataclass(frozen=True)
class CharterLine:
    learner: str
    code: str
    version: str
    accepted_at: datetime


@dataclass(frozen=True)
class EvidencePack:
    scope_title: str
    platform: str
    generated_at: datetime
    tool_version: str
    training: list[TrainingLine]
    charters: list[CharterLine]


def _names(scope: Scope) -> dict[str, str]:
    pairs = LearnerState.objects.filter(deployment_id__in=scope.deployment_ids).exclude(user_name="").values_list("user_sub", "user_name").distinct()
    return {anonymous_id_of(scope.platform.issuer, sub): name for sub, name in pairs}


def build(scope: Scope, language: str) -> EvidencePack:
    f = Formatter(language, 1)
    names = _names(scope)
    links = {(d, r): (t, c) for d, r, t, c in ResourceLinkConfig.objects.filter(deployment_id__in=scope.deployment_ids).values_list(
        "deployment_id", "resource_link_id", "title", "context_title")}
    graded = Q(action__in=GRADED_ACTIONS)
    per_link = scoped(scope).values("actor", "deployment_id", "context_id", "resource_link_id", "activity").annotate(
        first=Min("timestamp"), last=Max("timestamp"),
        attempts=Sum(Case(When(graded, then=Value(1)), default=Value(0), output_field=IntegerField())),
        best=Max(Case(When(graded, then="score"))),
        outcome=Max(Case(When(graded & Q(success=True), then=Value(2)), When(graded & Q(success=False), then=Value(1)), default=Value(0),
                         output_field=IntegerField())),
    ).order_by()
    training = []
    for row in per_link:
        title, course = links.get((row["deployment_id"], row["resource_link_id"]), ("", ""))
        actor = row["actor"]
        training.append(TrainingLine(
            names.get(actor, ""), actor[:8], course or row["context_id"], title or f.activity(row["activity"]),
            row["first"], row["last"], row["attempts"] or 0, row["best"], {2: True, 1: False}.get(row["outcome"]),
        ))
    training.sort(key=lambda t: (t.learner.casefold() or "\uffff", t.code, t.course, t.first_seen))
    charters = []
    accepted = scoped(scope).filter(action="accepted").annotate(ext=KeyTransform("extensions", KeyTransform("result", "body")))
    for actor, stamp, ext in accepted.values_list("actor", "timestamp", "ext").order_by("timestamp"):
        version = (ext or {}).get(xapi.EXTENSION_IRI + "charter-version")
        if version:
            charters.append(CharterLine(names.get(actor, ""), actor[:8], str(version), stamp))
    charters.sort(key=lambda c: (c.learner.casefold() or "\uffff", c.code, c.accepted_at))
    return EvidencePack(scope.context_title, scope.platform.name, datetime.now(UTC), ldai_xblocks.__version__, training, charters)


def headers(language: str) -> tuple[list[str], list[str]]:
    _ = gettext_for(language)
    training = [_("Learner"), _("Anonymous code"), _("Course"), _("Activity"), _("First opened (UTC)"), _("Last activity (UTC)"),
                _("Graded attempts"), _("Best score (%)"), _("Passed")]
    charters = [_("Learner"), _("Anonymous code"), _("Charter version"), _("Accepted on (UTC)")]
    return training, charters


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def training_cells(line: TrainingLine, language: str) -> list[str]:
    _ = gettext_for(language)
    best = "" if line.best is None else f"{line.best * 100:.0f}"
    return [line.learner or _("(name not sent)"), line.code, line.course, line.activity, _when(line.first_seen), _when(line.last_seen),
            str(line.attempts), best, {True: _("yes"), False: _("no"), None: _("no pass mark")}[line.passed]]


def charter_cells(line: CharterLine, language: str) -> list[str]:
    _ = gettext_for(language)
    return [line.learner or _("(name not sent)"), line.code, line.version, _when(line.accepted_at)]


def to_csv(pack: EvidencePack, language: str) -> str:
    """One CSV, two sections (training, then charter acceptances), each cell neutralised for spreadsheets."""
    _ = gettext_for(language)
    training, charters = headers(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(_("AI literacy evidence pack")), safe_cell(pack.scope_title), safe_cell(pack.platform),
                     _when(pack.generated_at), f"ldai-xblocks {pack.tool_version}"])
    writer.writerow([])
    writer.writerow(training)
    for line in pack.training:
        writer.writerow([safe_cell(c) for c in training_cells(line, language)])
    writer.writerow([])
    writer.writerow(charters)
    for line in pack.charters:
        writer.writerow([safe_cell(c) for c in charter_cells(line, language)])
    return "\ufeff" + buffer.getvalue()


def to_pdf(pack: EvidencePack, language: str) -> bytes:
    """The printable pack as PDF (reportlab: pure Python, see docs/decisions/0006-evidence-pack-pdf.rst)."""
    _ = gettext_for(language)
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                                 title=_("AI literacy evidence pack"), author=pack.platform, lang=language)
    story = [
        Paragraph(escape(_("AI literacy evidence pack")), styles["Title"]),
        Paragraph(escape(_("{scope} on {platform}. Generated on {when} (UTC) by ldai-xblocks {version}.").format(
            scope=pack.scope_title, platform=pack.platform, when=_when(pack.generated_at), version=pack.tool_version)), styles["BodyText"]),
        Spacer(1, 4 * mm),
    ]
    training, charters = headers(language)
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#6b6b6b")), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fc")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")])
    for title, head, lines, cells in ((_("Training"), training, pack.training, training_cells), (_("Charter acceptances"), charters, pack.charters, charter_cells)):
        story.append(Paragraph(escape(title), styles["Heading2"]))
        if not lines:
            story.append(Paragraph(escape(_("Nothing recorded.")), styles["BodyText"]))
            continue
        data = [[Paragraph(escape(h), cell) for h in head]] + [[Paragraph(escape(c), cell) for c in cells(line, language)] for line in lines]
        table = LongTable(data, repeatRows=1)
        table.setStyle(style)
        story.append(table)
    document.build(story)
    return buffer.getvalue()
