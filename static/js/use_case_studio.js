/* Studio editor of the use-case activity: mode, job family, validation, weight, and the pack or the
 * author's own JSON (model case and survey). Saving is all or nothing, errors next to each field. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;

  function LdaiUseCaseStudio(runtime, element, args) {
    var parts = C.studioParts(runtime, element, args);
    var form = parts.form, t = parts.i18n.gettext;

    function value(name) { return C.fieldValue(form, name); }

    C.wireStudioForm(runtime, form, parts.i18n, parts.api, parts.announce, Object.assign({
      collect: function () {
        return {display_name: value('display_name'), mode: value('mode'), job_family: value('job_family'),
          require_validation: value('require_validation'), weight: value('weight'), pack: value('pack'),
          custom_content: value('custom_content')};
      }
    }, C.jsonBoxHooks(form, 'custom_content', t('Replace the JSON you wrote with the selected pack?'))));
  }

  global.LdaiUseCaseStudio = LdaiUseCaseStudio;
}(window));
