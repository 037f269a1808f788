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
    var summary = form.querySelector('[data-ldai-error-summary]');

    function value(name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) { return undefined; }
      if (input.type === 'checkbox') { return input.checked; }
      if (input.type === 'number') { return input.value === '' ? null : Number(input.value); }
      return input.value;
    }

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

    function showSummary(message) {
      summary.textContent = message;
      summary.hidden = !message;
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      showSummary('');
      C.setFieldErrors(form, {});
      if (runtime.notify) { runtime.notify('save', {state: 'start', message: t('Saving')}); }
      api.call('studio_submit', collect()).then(function (result) {
        announce(result.message || t('Saved.'));
        if (runtime.notify) { runtime.notify('save', {state: 'end'}); }
      }).catch(function (error) {
        if (runtime.notify) { runtime.notify('error', {title: t('Not saved'), message: error.message}); }
        showSummary(error.message);
        var first = C.setFieldErrors(form, error.fields);
        (first || summary).focus();
      });
    });

    form.querySelector('[data-ldai-cancel]').addEventListener('click', function () {
      if (runtime.notify) { runtime.notify('cancel', {}); }
    });

    form.querySelector('[data-ldai-load-pack]').addEventListener('click', function () {
      var area = form.querySelector('[name="custom_content"]');
      if (area.value.trim() && !global.confirm(t('Replace the JSON you wrote with the selected pack?'))) { return; }
      api.call('pack_document', {pack: value('pack')}).then(function (result) {
        area.value = JSON.stringify(result.document, null, 2);
        area.focus();
        announce(t('The pack was copied into the editor. Edit it, then save.'));
      }).catch(function (error) {
        C.setFieldErrors(form, error.fields || {pack: [error.message]});
      });
    });
  }

  global.LdaiPromptSandboxStudio = LdaiPromptSandboxStudio;
}(window));
