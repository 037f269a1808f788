"""The XBlock hosting room: the tool's XBlock runtime, the launch session that guards handler URLs, what a
launch sets up (``launch_setup``: the resource link from custom parameters, the learner's name), and
the handler and asset views.

It builds on ``lti_tool.lti`` (a validated :class:`~lti_tool.lti.launch_context.LaunchContext`) and feeds
``lti_tool.grades`` (the outbox); it never imports ``lti_tool.pages``.
"""
