"""The learner's language in Open edX, and catalogs pulled by atlas taking precedence (OEP-58).

Replays ``xmodule/modulestore/django.py`` (``XBlockI18nService``: once it finds a catalog for
the block - atlas's ``conf/plugins-locale/xblock.v1/<module>`` from ``xmodule/modulestore/api.py``,
else the package's bundled ``translations`` - its translator is a plain ``gettext`` object with
no ``get_language``) with Django's active language as a request sets it. The old code asked the
service for the language and fell back to English for everyone in that case.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.utils import translation
from xblock.core import XBlock

from ldai_xblocks import i18n, rendering
from ldai_xblocks.rendering import unpack_init_args
from tests.openedx.conftest import author
from tests.openedx.platform import OUR_BLOCK_TYPES, XBlockI18nService

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_catalogs():
    """Catalogs are cached per process (atlas pulls them when the image is built); tests that add one start clean."""
    caches = (i18n.translation, i18n.js_catalog, rendering.make_environment)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def test_the_request_language_wins_when_the_service_has_no_get_language(platform, block_type):
    author(platform, block_type)
    with translation.override("fr"):
        block = platform.lms(block_type, "b1", "learner")
        service = block.runtime.service(block, "i18n")
        assert not hasattr(service, "get_language"), "the platform found our catalog: its translator is plain gettext"
        assert block.language() == "fr"
        fragment = block.student_view()
    assert 'lang="fr"' in fragment.content and "Mode d’emploi" in fragment.content
    assert unpack_init_args(fragment.json_init_args)["lang"] == "fr"


def test_outside_a_request_the_site_language_or_english(platform, block_type):
    author(platform, block_type)
    translation.deactivate()
    assert platform.collect(block_type, "b1").language() == "en"


def test_catalogs_pulled_by_atlas_take_precedence(platform, settings, tmp_path, fresh_catalogs):
    folder = tmp_path / "conf/plugins-locale/xblock.v1/ldai_xblocks/fr/LC_MESSAGES"
    folder.mkdir(parents=True)
    for domain, msgid, msgstr in (("django", "How it works", "Comment ça marche (atlas)"), ("djangojs", "Rank", "Place (atlas)")):
        catalog = Catalog(locale="fr", domain=domain)
        catalog.add(msgid, msgstr)
        with open(folder / f"{domain}.mo", "wb") as out:
            write_mo(out, catalog)
    settings.REPO_ROOT = tmp_path
    author(platform, "ldai_risk_quiz")
    with translation.override("fr"):
        block = platform.lms("ldai_risk_quiz", "b1", "learner")
        assert XBlockI18nService(block).get_python_locale(block) == ("django", str(tmp_path / "conf/plugins-locale/xblock.v1/ldai_xblocks"))
        fragment = block.student_view()
    assert "Comment ça marche (atlas)" in fragment.content  # atlas's string
    assert "Fermer" in fragment.content  # ours fill what atlas lacks
    catalog = unpack_init_args(fragment.json_init_args)["i18n"]
    assert catalog["Rank"] == "Place (atlas)" and len(catalog) > 10


def test_the_platforms_compiled_javascript_catalog_is_loaded_before_our_scripts(platform, settings, tmp_path):
    """``get_javascript_i18n_catalog_url`` (XBlockI18nService) and drag-and-drop-v2's namespace convention."""
    compiled = tmp_path / "js/xblock.v1-i18n/ldai_xblocks/fr.js"
    compiled.parent.mkdir(parents=True)
    compiled.write_text("window.LdaiXBlocksI18N = {};", encoding="utf-8")
    settings.STATICI18N_ROOT = tmp_path
    author(platform, "ldai_prompt_sandbox")
    with translation.override("fr"):
        fragment = platform.lms("ldai_prompt_sandbox", "b1", "learner").student_view()
    urls = [resource.data for resource in fragment.resources if resource.kind == "url" and resource.mimetype == "application/javascript"]
    assert urls[0] == "/static/js/xblock.v1-i18n/ldai_xblocks/fr.js" and urls[1].endswith("/public/js/ldai-common.js")
    for block_type in OUR_BLOCK_TYPES:
        assert XBlock.load_class(block_type).i18n_js_namespace == "LdaiXBlocksI18N"
    assert "'LdaiXBlocksI18N'" in (ROOT / "static/js/ldai-common.js").read_text(encoding="utf-8")


def test_the_project_can_join_openedx_translations():
    config = yaml.safe_load((ROOT / "conf/locale/config.yaml").read_text(encoding="utf-8"))
    assert config["locales"][0] == "en" and "fr" in config["locales"]
    for domain, ours in (("django", "text"), ("djangojs", "textjs")):  # the English sources, under the names atlas uses
        with open(ROOT / f"conf/locale/en/LC_MESSAGES/{domain}.po", "rb") as source:
            catalog = read_po(source)
        assert len(catalog) > 20 and (ROOT / f"conf/locale/en/LC_MESSAGES/{domain}.po").resolve() == ROOT / f"translations/en/LC_MESSAGES/{ours}.po"
