"""The dashboard's pages: the figures, each table's CSV, and the evidence pack (HTML to print, PDF, CSV).

Two ways in (``access``): ``<token>/...`` through the launch session of an instructor's (or an
administrator's) activity page, like the results export, so it works in an LMS iframe without cookies;
``platform/<id>/...`` for the tool's operator logged in to its admin (Django staff).
"""

from __future__ import annotations

import csv
import functools
import io
from datetime import UTC, datetime, timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.i18n import gettext_for
from ldai_xblocks.spreadsheet import safe_cell

from ..conf import lti_settings
from ..lti.pages import allow_framing, render
from ..models import Platform
from ..pages.errors import error_page, origins_of
from ..runtime.session import SessionRefused, open_session
from ..runtime.views import reader_language, unlogged
from . import evidence, queries, tables
from .access import Scope, scope_of_platform, scope_of_session


def through_launch(view):
    """The view gets the scope of the token's launch: an instructor's or an administrator's; anyone else gets 403."""

    @functools.wraps(view)
    def wrapper(request, token: str, **kwargs):
        try:
            session = open_session(token)
        except SessionRefused as refused:
            return error_page(refused.code, reader_language(request))
        scope = scope_of_session(session)
        if scope is None:
            return error_page("instructors_only", session.locale, origins_of(session))
        return allow_framing(unlogged(view(request, scope, **kwargs)), origins_of(session))

    return wrapper


def for_operator(view):
    """The operator's door: a Django staff user, over one platform."""

    @functools.wraps(view)
    @staff_member_required
    def wrapper(request, platform: int, **kwargs):
        scope = scope_of_platform(get_object_or_404(Platform, pk=platform), reader_language(request))
        return view(request, scope, **kwargs)

    return wrapper


def _day(value: str) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)


def read_filters(request, language: str) -> tuple[vm.Filters, dict, list[str]]:
    """The filters of the query string, as given (to refill the form), and what could not be read."""
    _ = gettext_for(language)
    given = {key: request.GET.get(key, "")[:64] for key in ("since", "until", "job_family", "team")}
    problems = []
    dates = {}
    for key in ("since", "until"):
        try:
            dates[key] = _day(given[key]) if given[key] else None
        except ValueError:
            dates[key] = None
            problems.append(_("The date “{value}” is not a date as 2026-12-31: that limit is not applied.").format(value=given[key]))
    until = dates["until"] + timedelta(days=1) if dates["until"] else None  # the end day is included
    return vm.Filters(dates["since"], until, given["job_family"], given["team"]), given, problems


def _urls(request, scope: Scope) -> dict:
    if scope.token:
        base = reverse("lti_tool:dashboard", args=(scope.token,))
    else:
        base = reverse("lti_tool:dashboard-platform", args=(scope.platform.pk,))
    query = request.GET.urlencode()
    return {"page": base, "query": f"?{query}" if query else "", "evidence": base + "evidence/",
            "activity": reverse("lti_tool:activity", args=(scope.token,)) if scope.token else ""}


def _figures(request, scope: Scope, learner_limit: int | None = tables.PAGE_ROWS):
    language = scope.language
    minimum = lti_settings().dashboard_min_group
    filters, given, problems = read_filters(request, language)
    return tables.build(queries.dashboard(scope, filters, minimum, learner_limit), language, minimum), given, problems, minimum


@require_GET
def page(request, scope: Scope) -> HttpResponse:
    language = scope.language
    _ = gettext_for(language)
    figures, given, problems, minimum = _figures(request, scope)
    families, teams = queries.choices(scope)
    context = {
        "title": _("Learning dashboard"), "scope": scope, "tables": figures, "given": given, "problems": problems, "minimum": minimum,
        "families": families, "teams": teams, "urls": _urls(request, scope), "css": "",
    }
    return render("dashboard.html", context, language)


@require_GET
def table_csv(request, scope: Scope, table: str) -> HttpResponse:
    if table not in tables.TABLE_KEYS:
        return HttpResponseNotFound()
    figures, *_ = _figures(request, scope, learner_limit=None)  # a CSV has every line
    chosen = next(t for t in figures if t.key == table)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in chosen.headers])
    for row in chosen.rows:
        writer.writerow([cell if isinstance(cell, int | float) else safe_cell(str(cell)) for cell in row])
    return _download("\ufeff" + buffer.getvalue(), "text/csv; charset=utf-8", f"dashboard-{table}.csv")


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def evidence_page(request, scope: Scope, kind: str = "html") -> HttpResponse:
    language = scope.language
    pack = evidence.build(scope, language)
    if kind == "csv":
        return _download(evidence.to_csv(pack, language), "text/csv; charset=utf-8", "ai-literacy-evidence.csv")
    if kind == "pdf":
        return _download(evidence.to_pdf(pack, language), "application/pdf", "ai-literacy-evidence.pdf")
    training, charters = evidence.headers(language)
    context = {
        "title": gettext_for(language)("AI literacy evidence pack"), "pack": pack, "training_headers": training, "charter_headers": charters,
        "training": [evidence.training_cells(t, language) for t in pack.training],
        "charters": [evidence.charter_cells(c, language) for c in pack.charters], "urls": _urls(request, scope),
    }
    return render("evidence.html", context, language)


# The two doors over the same views.
launch_page = require_GET(xframe_options_exempt(through_launch(page)))
launch_csv = require_GET(xframe_options_exempt(through_launch(table_csv)))
launch_evidence = require_GET(xframe_options_exempt(through_launch(evidence_page)))
operator_page = for_operator(page)
operator_csv = for_operator(table_csv)
operator_evidence = for_operator(evidence_page)
