"""The LTI 1.3 protocol room: registration, OIDC login, launch checks, keys, deep linking and their pages.

Imports go one way across the tool's rooms: ``pages`` -> ``runtime`` -> ``lti`` (and ``grades``, which the
runtime feeds); this package never imports the runtime or the pages. The launch view hands a validated
resource launch to the page named in the URLconf (``lti_tool.urls``), so it needs no upward import.
"""
