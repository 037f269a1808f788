/* Studio editor of the risk-awareness quiz: plain fields, the content pack or the author's own JSON,
 * and the company charter. Saving is all or nothing: the server checks everything and, when a field
 * is wrong, the message appears next to it and nothing is saved (nothing typed is lost either). */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;

  function LdaiRiskQuizStudio(runtime, element, args) {
    var parts = C.studioParts(runtime, element, args);
    var form = parts.form, i18n = parts.i18n, api = parts.api, announce = parts.announce;
    var t = i18n.gettext;

    function value(name) { return C.fieldValue(form, name); }

    function collect() {
      var charter = {};
      form.querySelectorAll('[data-ldai-rule]').forEach(function (rule) {
        charter[rule.getAttribute('data-ldai-rule')] = {
          text: rule.querySelector('[data-ldai-rule-text]').value,
          allowed: rule.querySelector('[data-ldai-rule-allowed]').checked
        };
      });
      return {
        display_name: value('display_name'),
        num_questions: value('num_questions'),
        balanced: value('balanced'),
        job_family: value('job_family'),
        max_attempts: value('max_attempts'),
        pass_threshold: value('pass_threshold'),
        weight: value('weight'),
        show_answers: value('show_answers'),
        prepost_role: value('prepost_role'),
        prepost_pair: value('prepost_pair'),
        pack: value('pack'),
        custom_content: value('custom_content'),
        categories: Array.prototype.filter.call(form.querySelectorAll('[data-ldai-category]'), function (box) { return box.checked; })
          .map(function (box) { return box.value; }),
        /* No rule to edit when the course's charter activity maintains the charter: leave the field alone. */
        charter: form.querySelector('[data-ldai-rule]') ? charter : undefined
      };
    }

    C.wireStudioForm(runtime, form, i18n, api, announce, Object.assign({collect: collect},
      C.jsonBoxHooks(form, 'custom_content', t('Replace the JSON you wrote with the selected pack?'))));

    C.contentEditor(parts, global.LdaiQuizQuestionEditor, '[data-ldai-question-editor]', '[data-ldai-qe-open]',
      t('The JSON above is not valid, so it cannot be edited question by question. Fix it, or empty it to start from the selected pack.'));
  }

  global.LdaiRiskQuizStudio = LdaiRiskQuizStudio;
}(window));
