"""The pages people see once a launch is validated: the activity page (learner view, or authoring view and
results for instructors). The top of the import chain: pages -> runtime -> lti.
"""
