/* Studio editor of the prompt sandbox: scenario choice, criterion weights, grading, Promptathon and the
 * AI-model switch. Saving is all or nothing: the server checks everything and, when a field is wrong,
 * the message appears next to it and nothing is saved (nothing typed is lost either). */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;

  function LdaiPromptSandboxStudio(runtime, element, args) {
    var root = C.rootElement(element);
    var form = root.querySelector('[data-ldai-studio-form]');
    var i18n = C.makeI18n(args.lang, args.i18n);
    var t = i18n.gettext;
    var api = C.makeApi(runtime, root, i18n);
    var announce = C.makeAnnouncer(form.querySelector('[data-ldai-live]'));

    function value(name) { return C.fieldValue(form, name); }

    function collect() {
      var weights = {};
      form.querySelectorAll('[data-ldai-weight]').forEach(function (input) {
        weights[input.getAttribute('data-ldai-weight')] = input.value === '' ? null : Number(input.value);
      });
      var data = {weights: weights};
      ['display_name', 'job_family', 'pack', 'scenario_id', 'custom_content', 'grading', 'max_attempts', 'reveal_after',
        'leak_caps_grade', 'leak_cap', 'weight', 'leaderboard_enabled', 'leaderboard_size', 'leaderboard_anonymous', 'use_llm'
      ].forEach(function (name) { data[name] = value(name); });
      return data;
    }

    C.wireStudioForm(runtime, form, i18n, api, announce, {
      collect: collect,
      confirmReplace: function () {
        return !form.querySelector('[name="custom_content"]').value.trim() || global.confirm(t('Replace the JSON you wrote with the selected pack?'));
      },
      packLoaded: function (document) {
        var area = form.querySelector('[name="custom_content"]');
        area.value = JSON.stringify(document, null, 2);
        area.focus();
      }
    });
  }

  global.LdaiPromptSandboxStudio = LdaiPromptSandboxStudio;
}(window));
