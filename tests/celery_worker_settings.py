"""Settings of the Celery worker and beat processes that tests start: the shipped ones, faster clocks.

Only timing differs (retries after about a second instead of ten, a sweep every second), so a
test over 1,000 scores with a failing platform ends in seconds; everything else - the database
from DATABASE_URL, the broker from CELERY_BROKER_URL, the cache from REDIS_URL - is production's code.
"""

from lti_tool.site.settings import *  # noqa: F403
from lti_tool.site.settings import LDAI_LTI_RUNTIME

LDAI_LTI_RUNTIME = {**LDAI_LTI_RUNTIME, "GRADE_RETRY_BASE": 0.5, "GRADE_RETRY_MAX": 2, "GRADE_LEASE": 30}
LDAI_GRADE_SWEEP_SECONDS = 1.0
CELERY_BEAT_SCHEDULE = {"ldai-sweep-grades": {"task": "ldai.sweep_grades", "schedule": LDAI_GRADE_SWEEP_SECONDS}}

# What the tests' platforms need, as tests/lti/conftest.py's lti_test_settings gives the test process: they speak
# http on 127.0.0.1, a host the guarded client refuses unless the operator allows it.
LDAI_LTI = {**LDAI_LTI, "ALLOW_INSECURE_URLS": True}  # noqa: F405
LDAI = {**LDAI, "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}  # noqa: F405
