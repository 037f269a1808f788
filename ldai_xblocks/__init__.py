"""ldai-xblocks: AI-literacy activities for Open edX and any LTI 1.3 platform."""

__version__ = "0.1.0"
