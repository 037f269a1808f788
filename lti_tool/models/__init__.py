"""The tool's database: registrations (LTI-A) and the runtime's state and grade outbox (LTI-B)."""

from .registration import Deployment, Platform, ToolKey
from .runtime import GradeOutbox, LearnerState, ResourceLinkConfig  # noqa: F401 (LTI-B: the runtime's models)

__all__ = ["Deployment", "Platform", "ToolKey"]
