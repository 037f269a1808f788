"""URLs of the LTI tool, mounted under /lti/ by the site."""

app_name = "lti_tool"
urlpatterns: list = []
