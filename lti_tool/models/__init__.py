"""The tool's database: registrations (LTI-A) and the runtime's state and grade outbox (LTI-B)."""

from .registration import Deployment, Platform, ToolKey

__all__ = ["Deployment", "Platform", "ToolKey"]
