"""The tool site's URLs plus ``/bench/trivial/``: the floor the load test compares the tool with."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from lti_tool.site.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def trivial(request):
    """The least a Django view can do: what gunicorn, Django's middleware and the machine cost on their own."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench-trivial"), *site_urlpatterns]
