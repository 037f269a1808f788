/* Studio editor of the prompt sandbox: scenario choice, criterion weights, grading, Promptathon and the
 * AI-model switch. Saving is all or nothing: the server checks everything and, when a field is wrong,
 * the message appears next to it and nothing is saved (nothing typed is lost either). */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;

  function LdaiPromptSandboxStudio(runtime, element, args) {
    var parts = C.studioParts(runtime, element, args);
    var form = parts.form, i18n = parts.i18n, api = parts.api, announce = parts.announce;
    var t = i18n.gettext;

    function value(name) { return C.fieldValue(form, name); }
    var collectTeam = C.teamSettings(form, announce, i18n);

    function collect() {
      var weights = {};
      form.querySelectorAll('[data-ldai-weight]').forEach(function (input) {
        weights[input.getAttribute('data-ldai-weight')] = C.fieldValue(form, input.name);
      });
      var data = {weights: weights};
      ['display_name', 'job_family', 'pack', 'scenario_id', 'custom_content', 'grading', 'max_attempts', 'reveal_after',
        'leak_caps_grade', 'leak_cap', 'weight', 'leaderboard_enabled', 'leaderboard_size', 'leaderboard_anonymous', 'use_llm'
      ].forEach(function (name) { data[name] = value(name); });
      return collectTeam(data);
    }

    var editor = C.contentEditor(parts, global.LdaiPromptScenarioEditor, '[data-ldai-scenario-editor]', '[data-ldai-se-open]',
      t('The JSON above is not valid, so it cannot be edited scenario by scenario. Fix it, or empty it to start from the selected pack.'));

    C.wireStudioForm(runtime, form, i18n, api, announce, Object.assign(C.jsonBoxHooks(form, 'custom_content', t('Replace the JSON you wrote with the selected pack?')), {
      collect: collect,
      saved: function () { editor.clearProblems(); },
      /* The document's problems go next to the scenario editor's fields when it is open. */
      failed: function (error) {
        var focus = editor.showProblems((error.fields || {}).custom_content);
        return focus ? {focus: focus} : {};
      }
    }));
  }

  global.LdaiPromptSandboxStudio = LdaiPromptSandboxStudio;
}(window));
