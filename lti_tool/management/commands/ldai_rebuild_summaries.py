"""``manage.py ldai_rebuild_summaries [--deployment PK ...]``: recompute the dashboard's summaries from the statements.

Why an operator needs it: the summaries are kept on write (``lti_tool.dashboard.summaries.summarize``), and the
migration that created them summarised what was stored then; this repairs them after a restore from a backup
that held statements only, a bulk import written straight to the database, or a change of the summary rules.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lti_tool.dashboard.summaries import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard's per-learner summaries from the stored statements (all deployments, or those given)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--deployment", type=int, action="append", help="a deployment's id (repeatable); default: every deployment")

    def handle(self, *args, deployment: list[int] | None = None, **options) -> None:
        read = rebuild(deployment)
        self.stdout.write(f"Summaries rebuilt from {read} statements.")
