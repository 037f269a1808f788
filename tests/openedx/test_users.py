"""Authors and learners told apart the way each Open edX context tells them.

Replays the services each context installs: Studio's ``component_handler`` ->
``load_services_for_studio`` (``cms/djangoapps/contentstore/views/component.py``: a
``DjangoXBlockUserService(user)`` with the defaults of
``common/djangoapps/xblock_django/user_service.py`` - role ``student``, not staff - and the
``studio_user_permissions`` service of ``openedx/core/djangoapps/content/services.py``), the
Studio preview (``cms/djangoapps/contentstore/views/preview.py``: the real role), content
libraries v2 (``openedx/core/djangoapps/xblock/runtime/runtime.py``: only ``user_is_staff``,
authored data writable in Studio, read-only in the LMS) and the LMS
(``lms/djangoapps/courseware/block_render.py``: the learner's course role).
The old check read Studio's default role as a learner: every author but site staff got 403.
"""

from __future__ import annotations

import json

import pytest

from tests.openedx.conftest import AUTHOR, author, call

AUTHOR_HANDLERS = [("studio_submit", {}), ("pack_document", {"pack": "auto"})]


@pytest.fixture(params=AUTHOR_HANDLERS, ids=[name for name, _ in AUTHOR_HANDLERS])
def author_call(request):
    return request.param


def test_a_course_author_saves_through_studios_component_handler(platform, block_type, author_call):
    author(platform, block_type)
    block = platform.studio_handler(block_type, "b1", AUTHOR)
    assert block.runtime.service(block, "user").get_current_user().opt_attrs["edx-platform.user_role"] == "student"
    status, body = call(block, *author_call)
    assert status == 200, body


def test_studio_refuses_a_user_without_write_access_to_the_course(platform, block_type, author_call):
    author(platform, block_type)
    platform.user("visitor")
    status, body = call(platform.studio_handler(block_type, "b1", "visitor"), *author_call)
    assert status == 403 and body["code"] == "authors_only"


def test_the_studio_preview_lets_the_course_team_author(platform, block_type, author_call):
    author(platform, block_type)
    status, body = call(platform.studio_preview(block_type, "b1", AUTHOR, role="staff"), *author_call)
    assert status == 200, body


def test_a_library_author_who_is_not_site_staff_saves_in_libraries_v2(platform, block_type, author_call):
    platform.user("librarian", first_name="Lin")
    status, body = call(platform.library_v2(block_type, "lib1", "librarian", in_studio=True), *author_call)
    assert status == 200, body


@pytest.mark.parametrize("role", ["staff", "instructor"])
def test_course_staff_may_use_author_handlers_in_the_lms(platform, block_type, author_call, role):
    author(platform, block_type)
    status, body = call(platform.lms(block_type, "b1", "teacher", role=role), *author_call)
    assert status == 200, body


def test_a_learner_in_the_lms_is_refused_and_never_sees_the_answers(platform, block_type, author_call):
    author(platform, block_type)
    block = platform.lms(block_type, "b1", "learner")
    status, body = call(block, *author_call)
    assert status == 403 and body["code"] == "authors_only"
    assert "document" not in json.dumps(body)


def test_a_learner_of_a_published_library_block_is_refused(platform, block_type, author_call):
    platform.user("learner")
    status, body = call(platform.library_v2(block_type, "lib1", "learner", in_studio=False), *author_call)
    assert status == 403 and body["code"] == "authors_only"


def test_an_anonymous_visitor_is_refused(platform, block_type, author_call):
    author(platform, block_type)
    platform.user("ghost", is_authenticated=False)
    status, _ = call(platform.lms(block_type, "b1", "ghost"), *author_call)
    assert status == 403
