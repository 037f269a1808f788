"""The tool's database: registrations (LTI-A), the runtime's state and grade outbox (LTI-B), and the xAPI
statements the dashboard reads, and the Open Badges it issued."""

from .badges import BadgeKey, IssuedBadge  # noqa: F401 (Open Badges the tool issued, and their keys)
from .charter import CourseCharter  # noqa: F401 (the course-wide charter)
from .registration import Deployment, PendingRegistration, Platform, RegistrationLink, ToolKey
from .runtime import GradeOutbox, LearnerState, ResourceLinkConfig  # noqa: F401 (LTI-B: the runtime's models)
from .statements import Statement, StatementFact  # noqa: F401 (what learners did, as xAPI statements)
from .xapi_sources import XapiSource  # noqa: F401 (who may post statements to the tool)

__all__ = ["Deployment", "PendingRegistration", "Platform", "RegistrationLink", "ToolKey"]
from .summaries import LearnerActivityDay, LearnerFactDay, LearnerProfile  # noqa: F401 (the dashboard's per-learner summaries)
