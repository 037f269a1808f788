"""The L&D dashboard and the Article 4 evidence pack: figures read from the tool's xAPI statements.

Rooms: ``access`` (who may see which statements), ``queries`` (the database side: narrow queries and SQL
aggregation, feeding ``ldai_xblocks.engine.value_metrics``), ``tables`` (figures as captioned tables and
charts), ``charts`` (accessible SVG), ``evidence`` (the employer's record: HTML, PDF, CSV), ``views``.
"""
