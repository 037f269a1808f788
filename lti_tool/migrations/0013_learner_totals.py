from django.db import migrations, models


def summarize_stored_statements(apps, schema_editor):
    """The statements stored before: summarised, totals included, by the code of ``manage.py ldai_rebuild_summaries``.

    The live models are used on purpose (the rebuild's upsert SQL is written against them); a later migration that
    changes these tables must replace this step with its own (as this one replaced 0012's).
    """
    from lti_tool.dashboard.summaries import rebuild

    rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('lti_tool', '0012_summaries'),
    ]

    operations = [
        migrations.AddField(
            model_name='learnerprofile',
            name='totals',
            field=models.TextField(blank=True, db_default='{}', verbose_name='all-time totals (JSON)'),
        ),
        migrations.AddField(
            model_name='learnerprofile',
            name='shown',
            field=models.TextField(blank=True, db_default='{}', verbose_name='what the figures read of the totals (JSON)'),
        ),
        migrations.AddField(
            model_name='learnerprofile',
            name='revision',
            field=models.PositiveBigIntegerField(db_default=0, verbose_name='revision'),
        ),
        migrations.AddIndex(
            model_name='learnerprofile',
            index=models.Index(fields=['deployment', 'context_id', 'job_family', 'team'], name='lti_summary_profile_menu'),
        ),
        migrations.RunPython(summarize_stored_statements, migrations.RunPython.noop),
    ]
