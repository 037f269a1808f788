"""Settings of the load test's gunicorn: the tool site's own, plus one trivial view (the anchor) in its URLs.

Why a settings module rather than flags: the anchor must be served by the very same
gunicorn, middleware and database as the tool, so the difference between the two runs
is our code and nothing else. The shared cache is the production one (``REDIS_URL``,
docs: several workers need it for login state, nonces and launch sessions); without a
``redis-server`` on the machine the bench falls back to Django's file cache, and says so.
"""

import os

from lti_tool.site.settings import *  # noqa: F403 - the tool site as shipped, then the two changes below

ROOT_URLCONF = "bench.load_urls"

if not os.environ.get("REDIS_URL") and os.environ.get("LDAI_BENCH_FILE_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": os.environ["LDAI_BENCH_FILE_CACHE"]}}

# The production profile puts hundreds of learners in one course in two minutes: the model's per-course daily
# quota (1,000 calls, engine/llm.py) is an operator's budget for a real course, not a limit to measure here.
LDAI = {**LDAI, "LLM": {**LDAI["LLM"], "quotas": {"per_course": 0}}}  # noqa: F405
