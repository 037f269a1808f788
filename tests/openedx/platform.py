"""What Open edX does to an XBlock, replayed from edx-platform's own code on the real XBlock library.

Each piece names the edx-platform file it reproduces (repository ``openedx/edx-platform``,
read with the search tools; the copies keep the platform's logic and names, minus Django
models and MongoDB). The tests in this folder drive our blocks through these pieces the way
the LMS, Studio, content libraries v2 and the mobile API do; the workbench is not the proof.
"""

from __future__ import annotations

import gettext
import importlib.resources
import os
from collections import namedtuple
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from opaque_keys.edx.locator import CourseLocator, LibraryLocatorV2, LibraryUsageLocatorV2
from xblock.core import XBlock
from xblock.exceptions import InvalidScopeError
from xblock.fields import Scope, ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KeyValueStore, KvsFieldData, MemoryIdManager, Runtime

OUR_BLOCK_TYPES = ("ldai_risk_quiz", "ldai_hallucination_detector", "ldai_prompt_sandbox", "ldai_skills_map")
GRADED_BLOCK_TYPES = OUR_BLOCK_TYPES[:3]
"""The activities with own-content fixtures and a first graded submit in tests/openedx/conftest.py (the skills map, merged
after this suite was written, has neither yet: the static, user, mobile and language contracts cover it already)."""
COURSE = CourseLocator("ldai", "contract", "2026")
LIBRARY = LibraryLocatorV2("ldai", "contract-lib")

# ------------------------------------------------------------------------- static files
# openedx/core/lib/xblock_utils/__init__.py (xblock_local_resource_url, xblock_resource_pkg), production branch.


def xblock_resource_pkg(block_class: type) -> str:
    """The module one level above the block's: ``ldai_xblocks.blocks.risk_quiz`` -> ``ldai_xblocks.blocks``."""
    return block_class.__module__.rsplit(".", 1)[0]


def xblock_local_resource_url(block: XBlock, uri: str) -> str:
    """``/static/xblock/resources/<package>/<uri>``: a collected static file (pipeline enabled, as in production)."""
    xblock_class = getattr(block.__class__, "unmixed_class", block.__class__)
    return f"/static/xblock/resources/{xblock_resource_pkg(xblock_class)}/{uri}"


# openedx/core/lib/xblock_pipeline/finder.py (XBlockPackageStorage, XBlockPipelineFinder): what collectstatic copies.
IGNORED_EXTENSIONS = (".py", ".pyc", ".scss")


def collected_static_files(block_classes) -> set[str]:
    """Every path ``collectstatic`` writes for these classes: ``xblock/resources/<package>/<path under resources dir>``."""
    collected: set[str] = set()
    for package, resources_dir in {(xblock_resource_pkg(cls), cls.get_resources_dir()) for cls in block_classes}:
        base = importlib.resources.files(package).joinpath(resources_dir or "")
        if not base.is_dir():
            continue

        def walk(folder, prefix: str, package=package):
            for item in folder.iterdir():
                if os.path.splitext(item.name)[1] in IGNORED_EXTENSIONS:
                    continue
                if item.is_dir():
                    walk(item, f"{prefix}{item.name}/")
                else:
                    collected.add(f"xblock/resources/{package}/{prefix}{item.name}")

        walk(base, "")
    return collected


# ------------------------------------------------------------------------- users
# common/djangoapps/xblock_django/user_service.py (DjangoXBlockUserService) and constants.py; the Django user is a
# plain object here (no database), the defaults are the platform's: role 'student', not staff.


@dataclass
class PlatformUser:
    """What DjangoXBlockUserService reads of django.contrib.auth's User and the profile."""

    id: int
    username: str
    first_name: str = ""
    full_name: str = ""
    is_staff: bool = False
    is_authenticated: bool = True

    @property
    def profile(self):
        return namedtuple("Profile", "name")(self.full_name)

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


class DjangoXBlockUserService(UserService):
    def __init__(self, django_user: PlatformUser | None, directory: dict[str, PlatformUser] | None = None, **kwargs):
        super().__init__()
        self._django_user = django_user
        self._user_is_staff = kwargs.get("user_is_staff", False)
        self._user_role = kwargs.get("user_role", "student")
        self._anonymous_user_id = kwargs.get("anonymous_user_id", None)
        self._directory = directory or {}

    def get_current_user(self):
        xblock_user = XBlockUser(is_current_user=True)
        user = self._django_user
        if user is not None and user.is_authenticated:
            xblock_user.full_name = user.profile.name
            xblock_user.emails = [user.email]
            xblock_user.opt_attrs["edx-platform.anonymous_user_id"] = self._anonymous_user_id
            xblock_user.opt_attrs["edx-platform.is_authenticated"] = True
            xblock_user.opt_attrs["edx-platform.user_id"] = user.id
            xblock_user.opt_attrs["edx-platform.username"] = user.username
            xblock_user.opt_attrs["edx-platform.user_is_staff"] = self._user_is_staff
            xblock_user.opt_attrs["edx-platform.user_role"] = self._user_role
        else:
            xblock_user.opt_attrs["edx-platform.is_authenticated"] = False
        return xblock_user

    def get_user_by_anonymous_id(self, uid=None):
        """``user_by_anonymous_id``: the Django User (first_name, profile) or None."""
        return self._directory.get(uid or self._anonymous_user_id)


@dataclass(frozen=True)
class CourseTeam:
    """lms/djangoapps/teams/models.py: the fields of a CourseTeam a block reads."""

    team_id: str
    name: str
    topic_id: str  # the team-set
    course_id: str


class TeamsService:
    """lms/djangoapps/teams/services.py: ``get_team(user, course_id, teamset_id)`` returns the user's CourseTeam in
    that team-set or None; the API parses the course id with ``CourseKey.from_string`` and finds the team through
    ``membership__user__username`` (lms/djangoapps/teams/api.py)."""

    def __init__(self, teams: list[CourseTeam], members: dict[str, str]):
        self._teams = {team.team_id: team for team in teams}
        self._members = members  # username -> team_id

    def get_team(self, user, course_id, teamset_id):
        if not isinstance(course_id, str):
            raise ValueError(f"The supplied course id {course_id} is not valid.")
        team = self._teams.get(self._members.get(getattr(user, "username", ""), ""))
        return team if team is not None and team.course_id == course_id and team.topic_id == teamset_id else None


@dataclass(frozen=True)
class TeamsetConfig:
    """openedx/core/lib/teams_config.py: one team-set of the course's teams configuration."""

    teamset_id: str
    name: str


class TeamsConfigurationService:
    """xmodule/services.py: ``get_teams_configuration(course_id)`` is the course's ``teams_configuration``
    (a TeamsConfig whose ``teamsets_by_id`` maps ids to TeamsetConfig), installed in Studio by
    ``load_services_for_studio`` (cms/djangoapps/contentstore/utils.py) and in the preview."""

    def __init__(self, teamsets: list[TeamsetConfig]):
        self.teamsets_by_id = {teamset.teamset_id: teamset for teamset in teamsets}

    def get_teams_configuration(self, course_id):
        return self


class StudioPermissionsService:
    """openedx/core/djangoapps/content/services.py: may the user read/write this course or library?"""

    def __init__(self, user: PlatformUser, writable: set):
        self._user = user
        self._writable = writable

    def can_read(self, context_key) -> bool:
        return self.can_write(context_key)

    def can_write(self, context_key) -> bool:
        return (self._user.username, str(context_key)) in self._writable


# ------------------------------------------------------------------------- i18n
# xmodule/modulestore/django.py (XBlockI18nService) and xmodule/modulestore/api.py (get_python_locale_root ...).


class XBlockI18nService:
    def __init__(self, block=None):
        self.translator = translation
        if block:
            domain, locale_dir = self.get_python_locale(block)
            selected_language = translation.get_language()
            if locale_dir:
                try:
                    self.translator = gettext.translation(
                        domain, locale_dir, [translation.to_locale(selected_language if selected_language else settings.LANGUAGE_CODE)]
                    )
                except OSError:
                    pass

    def get_python_locale(self, block):
        module = getattr(block, "unmixed_class", block.__class__).__module__.split(".")[0]
        atlas = Path(settings.REPO_ROOT) / "conf/plugins-locale/xblock.v1" / module if getattr(settings, "REPO_ROOT", None) else None
        if atlas is not None and atlas.is_dir():
            return "django", str(atlas)
        return "text", str(importlib.resources.files(module).joinpath("translations"))

    def get_javascript_i18n_catalog_url(self, block):
        module = getattr(block, "unmixed_class", block.__class__).__module__.split(".")[0]
        locale = translation.to_locale(translation.get_language())
        path = Path(getattr(settings, "STATICI18N_ROOT", "/nonexistent")) / f"js/xblock.v1-i18n/{module}/{locale}.js"
        return f"/static/js/xblock.v1-i18n/{module}/{locale}.js" if path.exists() else None

    def __getattr__(self, name):
        name = "gettext" if name == "ugettext" else name
        return getattr(self.translator, name)


# ------------------------------------------------------------------------- settings
# xmodule/services.py (SettingsService.get_settings_bucket).


class SettingsService:
    def get_settings_bucket(self, block, default=None):
        actual_default = default if default is not None else {}
        bucket = getattr(block, "block_settings_key", getattr(block, "unmixed_class", block.__class__).__name__)
        return getattr(settings, "XBLOCK_SETTINGS", {}).get(bucket, actual_default)


# ------------------------------------------------------------------------- field data
# xmodule/modulestore/split_mongo/split_mongo_kvs.py (SplitMongoKVS): a block not bound to a learner (the course-blocks
# API's collect step, Studio's edit view) has only settings/content; reading or writing a learner's field raises.


class AuthoredOnlyKVS(KeyValueStore):
    VALID_SCOPES = (Scope.parent, Scope.children, Scope.settings, Scope.content)

    def __init__(self, store: DictKeyValueStore):
        self.store = store

    def get(self, key):
        if key.scope not in self.VALID_SCOPES:
            raise InvalidScopeError(key)
        return self.store.get(key)

    def set(self, key, value):
        if key.scope not in self.VALID_SCOPES:
            raise InvalidScopeError(key, self.VALID_SCOPES)
        self.store.set(key, value)

    def delete(self, key):
        if key.scope not in self.VALID_SCOPES:
            raise InvalidScopeError(key, self.VALID_SCOPES)
        self.store.delete(key)

    def has(self, key):
        return key.scope in self.VALID_SCOPES and self.store.has(key)


class RecordingKVS(DictKeyValueStore):
    """The learner's storage (StudentModule rows), with every write counted: a GET must write nothing."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []

    def set(self, key, value):
        self.writes.append(key.field_name)
        super().set(key, value)

    def set_many(self, update_dict):
        self.writes.extend(key.field_name for key in update_dict)
        super().set_many(update_dict)


# ------------------------------------------------------------------------- the runtime


class AuthoredDataMode:
    """openedx/core/djangoapps/xblock/runtime/runtime.py: libraries v2 in Studio (draft) or in the LMS (published)."""

    DEFAULT_DRAFT = namedtuple("Mode", "name")("DEFAULT_DRAFT")
    STRICTLY_PUBLISHED = namedtuple("Mode", "name")("STRICTLY_PUBLISHED")


class OpenEdxRuntime(Runtime):
    """A runtime built from the real XBlock library with the services the named platform context installs."""

    def __init__(self, services: dict[str, Any], store: KeyValueStore, user_id: Any, authored_data_mode=None):
        ids = MemoryIdManager()
        super().__init__(ids, ids, services={"field-data": KvsFieldData(store), **services})
        self.user_id = user_id
        self.events: list[tuple[str, dict]] = []
        if authored_data_mode is not None:
            self.authored_data_mode = authored_data_mode

    def service(self, block, service_name):
        """The i18n service is installed as a class and built per block (xmodule/x_module.py, ModuleStoreRuntime.service)."""
        service = super().service(block, service_name)
        return service(block=block) if service is XBlockI18nService else service

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/courses/{_context(block.scope_ids.usage_id)}/xblock/{block.scope_ids.usage_id}/handler/{handler_name}/{suffix}"

    def local_resource_url(self, block, uri):
        return xblock_local_resource_url(block, uri)

    def resource_url(self, resource):
        raise NotImplementedError("Open edX does not serve XBlock resources this way")

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))

    def events_of(self, event_type: str) -> list[dict]:
        return [data for kind, data in self.events if kind == event_type]


def _context(usage_id) -> str:
    return str(getattr(usage_id, "context_key", "") or "")


@dataclass
class Platform:
    """One Open edX installation: its authored content, its learners' state, its users and their rights."""

    authored: DictKeyValueStore = field(default_factory=DictKeyValueStore)
    learners: RecordingKVS = field(default_factory=RecordingKVS)
    users: dict[str, PlatformUser] = field(default_factory=dict)
    writers: set = field(default_factory=set)  # (username, context key) with Studio write access
    anonymous_ids: dict[str, str] = field(default_factory=dict)
    course_teams: list = field(default_factory=list)  # CourseTeam rows of the course (lms/djangoapps/teams)
    team_members: dict[str, str] = field(default_factory=dict)  # username -> team_id (CourseTeamMembership)
    teamsets: list = field(default_factory=list)  # TeamsetConfig of the course's teams configuration

    def user(self, username: str, **kwargs) -> PlatformUser:
        if username not in self.users:
            self.users[username] = PlatformUser(id=len(self.users) + 1, username=username, **kwargs)
            self.anonymous_ids[username] = f"anon-{username}"
        return self.users[username]

    def directory(self) -> dict[str, PlatformUser]:
        return {self.anonymous_ids[name]: user for name, user in self.users.items()}

    def usage_key(self, block_type: str, block_id: str, library: bool = False):
        if library:
            return LibraryUsageLocatorV2(LIBRARY, block_type, block_id)
        return COURSE.make_usage_key(block_type, block_id)

    def _block(self, runtime: OpenEdxRuntime, block_type: str, block_id: str, user_id, library: bool = False):
        usage = self.usage_key(block_type, block_id, library)
        return runtime.construct_xblock_from_class(XBlock.load_class(block_type), ScopeIds(user_id, block_type, usage, usage))

    def _merged_store(self) -> KeyValueStore:
        return _SplitStore(self.authored, self.learners)

    # The contexts, each from the file that builds it ------------------------------------------------------
    def lms(self, block_type: str, block_id: str, username: str, role: str = "student", staff: bool = False):
        """lms/djangoapps/courseware/block_render.py (prepare_runtime_for_user): the learner's real role, no Studio service."""
        user = self.user(username)
        services = {
            "i18n": XBlockI18nService,
            "settings": SettingsService(),
            "user": DjangoXBlockUserService(user, self.directory(), user_role=role, user_is_staff=staff,
                                            anonymous_user_id=self.anonymous_ids[username]),
            "teams": TeamsService(self.course_teams, self.team_members),  # lms/djangoapps/teams/services.py, LMS only
        }
        runtime = OpenEdxRuntime(services, self._merged_store(), user.id)
        return self._block(runtime, block_type, block_id, user.id)

    def studio_handler(self, block_type: str, block_id: str, username: str):
        """cms/djangoapps/contentstore/views/component.py (component_handler -> load_services_for_studio).

        The user service is built with the Django user only: role 'student', not staff, whoever the author is.
        """
        user = self.user(username)
        services = {
            "i18n": XBlockI18nService,
            "settings": SettingsService(),
            "user": DjangoXBlockUserService(user, self.directory()),
            "studio_user_permissions": StudioPermissionsService(user, self.writers),
            "teams_configuration": TeamsConfigurationService(self.teamsets),
        }
        runtime = OpenEdxRuntime(services, AuthoredOnlyKVS(self.authored), user.id)
        return self._block(runtime, block_type, block_id, user.id)

    def studio_preview(self, block_type: str, block_id: str, username: str, role: str = "staff"):
        """cms/djangoapps/contentstore/views/preview.py (_prepare_runtime_for_preview): the real role, permissions service."""
        user = self.user(username)
        services = {
            "i18n": XBlockI18nService,
            "settings": SettingsService(),
            "user": DjangoXBlockUserService(user, self.directory(), user_role=role, anonymous_user_id="student"),
            "studio_user_permissions": StudioPermissionsService(user, self.writers),
        }
        runtime = OpenEdxRuntime(services, _SplitStore(self.authored, RecordingKVS()), user.id)
        return self._block(runtime, block_type, block_id, user.id)

    def library_v2(self, block_type: str, block_id: str, username: str, *, in_studio: bool):
        """openedx/core/djangoapps/xblock/runtime/runtime.py: only ``user_is_staff`` (global staff) reaches the block."""
        user = self.user(username)
        services = {
            "i18n": XBlockI18nService,
            "settings": SettingsService(),
            "user": DjangoXBlockUserService(user, self.directory(), user_is_staff=user.is_staff,
                                            anonymous_user_id=self.anonymous_ids[username]),
        }
        mode = AuthoredDataMode.DEFAULT_DRAFT if in_studio else AuthoredDataMode.STRICTLY_PUBLISHED
        runtime = OpenEdxRuntime(services, self._merged_store(), user.id, authored_data_mode=mode)
        return self._block(runtime, block_type, block_id, user.id, library=True)

    def collect(self, block_type: str, block_id: str):
        """lms/djangoapps/course_api/blocks/transformers/student_view.py (collect): the modulestore's block, no learner."""
        services = {"i18n": XBlockI18nService, "settings": SettingsService(), "user": DjangoXBlockUserService(None)}
        runtime = OpenEdxRuntime(services, AuthoredOnlyKVS(self.authored), None)
        return self._block(runtime, block_type, block_id, None)


class _SplitStore(KeyValueStore):
    """Authored fields in the modulestore, the learner's in their own table (lms/djangoapps/courseware/model_data.py)."""

    def __init__(self, authored: DictKeyValueStore, learners: DictKeyValueStore):
        self.authored, self.learners = authored, learners

    def _for(self, key):
        return self.authored if key.scope in AuthoredOnlyKVS.VALID_SCOPES else self.learners

    def get(self, key):
        return self._for(key).get(key)

    def set(self, key, value):
        self._for(key).set(key, value)

    def delete(self, key):
        self._for(key).delete(key)

    def has(self, key):
        return self._for(key).has(key)


# edx-user-state-client's interface.py: what generate_report_data iterates over (lms/djangoapps/instructor_analytics).
XBlockUserState = namedtuple("XBlockUserState", ["username", "block_key", "state", "updated", "scope"])
