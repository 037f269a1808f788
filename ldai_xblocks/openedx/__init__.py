"""What we plug into an Open edX LMS beside the XBlocks: today, xAPI transformers for event-routing-backends.

Loaded through the platform's plugin mechanism (the ``lms.djangoapp`` entry point in setup.py); everything
here imports Open edX packages lazily and does nothing when they are absent.
"""
