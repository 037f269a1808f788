"""The LTI 1.3 tool: lets Moodle, Canvas or any LTI 1.3 platform launch the ldai activities and get grades back."""
