"""The Django project that serves the LTI tool and the demo (one server, one command)."""
