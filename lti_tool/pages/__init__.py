"""The pages people see once a launch is validated: the activity page (learner view, or authoring view and
results for instructors), the results' CSV export and "send again" (``results``), their error page (``errors``). The top of the import chain: pages -> runtime -> lti.
"""
