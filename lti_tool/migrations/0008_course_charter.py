"""The course's AI charter, one record per platform and LTI context (issue 15)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lti_tool", "0007_badges"),
    ]

    operations = [
        migrations.CreateModel(
            name="CourseCharter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("context_id", models.CharField(help_text="The platform's course (LTI context).", max_length=255, verbose_name="context id")),
                ("document", models.JSONField(blank=True, help_text="Empty: the default template in each learner's language.", null=True, verbose_name="charter")),
                ("history", models.JSONField(blank=True, default=dict, help_text="The rules of every saved version.", verbose_name="versions")),
                ("modified", models.DateTimeField(auto_now=True, verbose_name="modified")),
                ("platform", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="course_charters", to="lti_tool.platform", verbose_name="platform")),
            ],
            options={"verbose_name": "course charter", "verbose_name_plural": "course charters"},
        ),
        migrations.AddConstraint(
            model_name="coursecharter",
            constraint=models.UniqueConstraint(fields=("platform", "context_id"), name="lti_course_charter_unique"),
        ),
    ]
