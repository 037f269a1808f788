"""pylti1p3's Django example, reduced to login + launch (the part the benchmark times).

Differences from the example, each in the anchor's favour: no ``pprint`` of the launch data
to stdout, and the login is called with ``lti1p3_new_window=1`` by the benchmark, so the
example's cookie-check page (an extra round trip in a browser) is skipped.
"""

from __future__ import annotations

import os

from django.http import JsonResponse
from django.template import Context, Engine
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.tool_config import ToolConfJsonFile

PAGE_TITLE = "Game Example"
TEMPLATES = Engine(dirs=[os.path.join(os.path.dirname(__file__), "templates")])
CONFIG_PATH_ENV = "LDAI_BENCH_PYLTI1P3_CONFIG"


def get_lti_config_path() -> str:
    return os.environ[CONFIG_PATH_ENV]


def get_tool_conf():
    return ToolConfJsonFile(get_lti_config_path())


def get_launch_data_storage():
    return DjangoCacheDataStorage()


def get_launch_url(request):
    target_link_uri = request.POST.get("target_link_uri", request.GET.get("target_link_uri"))
    if not target_link_uri:
        raise Exception('Missing "target_link_uri" param')
    return target_link_uri


@csrf_exempt
def login(request):
    tool_conf = get_tool_conf()
    launch_data_storage = get_launch_data_storage()
    oidc_login = DjangoOIDCLogin(request, tool_conf, launch_data_storage=launch_data_storage)
    target_link_uri = get_launch_url(request)
    return oidc_login.enable_check_cookies().redirect(target_link_uri)


@csrf_exempt
@require_POST
def launch(request):
    tool_conf = get_tool_conf()
    launch_data_storage = get_launch_data_storage()
    message_launch = DjangoMessageLaunch(request, tool_conf, launch_data_storage=launch_data_storage)
    message_launch_data = message_launch.get_launch_data()
    difficulty = message_launch_data.get("https://purl.imsglobal.org/spec/lti/claim/custom", {}).get("difficulty", None) or "normal"
    html = TEMPLATES.get_template("game.html").render(Context({
        "page_title": PAGE_TITLE,
        "is_deep_link_launch": message_launch.is_deep_link_launch(),
        "launch_data": message_launch.get_launch_data(),
        "launch_id": message_launch.get_launch_id(),
        "curr_user_name": message_launch_data.get("name", ""),
        "curr_diff": difficulty,
    }))
    from django.http import HttpResponse

    return HttpResponse(html)


def get_jwks(request):
    return JsonResponse(get_tool_conf().get_jwks(), safe=False)
