/* Studio editor of the company AI charter: settings, the version and the charter's JSON (started from the
 * template). Saving is all or nothing; a changed charter without a new version is refused next to the
 * version field, and nothing the author typed is lost. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;

  function LdaiCharterStudio(runtime, element, args) {
    var parts = C.studioParts(runtime, element, args);
    var form = parts.form, t = parts.i18n.gettext;

    function value(name) { return C.fieldValue(form, name); }

    C.wireStudioForm(runtime, form, parts.i18n, parts.api, parts.announce, Object.assign({
      collect: function () {
        return {
          display_name: value('display_name'), num_questions: value('num_questions'), pass_threshold: value('pass_threshold'),
          weight: value('weight'), version: value('version'), charter: value('charter')
        };
      }
    }, C.jsonBoxHooks(form, 'charter', t('Replace the charter you wrote with the template?'))));
  }

  global.LdaiCharterStudio = LdaiCharterStudio;
}(window));
