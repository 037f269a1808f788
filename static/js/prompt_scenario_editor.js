/* Form editor of the prompt sandbox's scenarios, for Studio.
 *
 * As for the quiz's question editor, the JSON text area stays the single source of truth (an author can
 * still paste a whole document): this editor reads it, shows one scenario at a time as ordinary form
 * fields, and writes the JSON back after every change. Validation is the server's, the same as for the
 * JSON: after a failed save, each problem of the document ("$.scenarios[2].title: ...") is shown next to
 * the field it is about, the list says which scenarios have problems, and focus goes to the first one. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  /* The fields of a scenario, in the order of the form: [key, kind]; lists are edited one entry a line. */
  var FIELDS = [
    ['id', 'text'], ['job_family', 'family'], ['title', 'text'], ['task', 'area'], ['context', 'area'],
    ['success_criteria', 'lines'], ['sample_data', 'area'], ['confidential_terms', 'lines'], ['reference_prompt', 'area']
  ];
  var PROBLEM = /^\$\.scenarios\[(\d+)\](?:\.(\w+))?(?:\[\d+\])?(?:\.\S*)?: ([\s\S]*)$/;

  function LdaiPromptScenarioEditor(panel, area, i18n, loadDocument, announce) {
    var t = i18n.gettext;
    var select = panel.querySelector('[data-ldai-se-select]');
    var body = panel.querySelector('[data-ldai-se-form]');
    var uid = select.id;
    var doc = null;
    var problems = {};  /* scenario index -> {field key -> [messages]} from the last failed save */

    var LABELS = {
      id: [t('Identifier'), t('Lowercase letters, digits, “-” and “_”; unique in the document.')],
      job_family: [t('Job family'), null],
      title: [t('Title'), null],
      task: [t('The task given to the learner'), null],
      context: [t('The learner’s situation'), null],
      success_criteria: [t('What a good prompt does (one point a line)'), t('Shown to the learner as a checklist.')],
      sample_data: [t('Material at hand (optional)'), t('Real-looking documents; put confidential data here on purpose to test the learner.')],
      confidential_terms: [t('Confidential names and terms (one a line, optional)'), t('Client names, project code names…: flagged when a learner puts them in a prompt.')],
      reference_prompt: [t('Reference prompt'), t('Shown after the number of attempts set below; it must contain no confidential data.')]
    };
    var FAMILIES = [['marketing', t('Marketing')], ['finance', t('Finance')], ['hr', t('Human resources')],
      ['production', t('Production')], ['sales', t('Sales')], ['management', t('Management')]];

    function write() { area.value = JSON.stringify(doc, null, 2); }

    function label(scenario, index) {
      var title = (scenario.title || t('(no title yet)')).replace(/\s+/g, ' ');
      var flag = problems[index] ? ' ' + t('(to fix)') : '';
      return (index + 1) + '. ' + (title.length > 70 ? title.slice(0, 69) + '…' : title) + flag;
    }

    function refreshList(index) {
      C.clear(select);
      doc.scenarios.forEach(function (scenario, i) { select.appendChild(el('option', {value: String(i), text: label(scenario, i)})); });
      select.value = String(Math.max(0, Math.min(index, doc.scenarios.length - 1)));
    }

    function control(scenario, key, kind, id) {
      var value = scenario[key];
      if (kind === 'family') {
        return el('select', {id: id}, FAMILIES.map(function (pair) { return el('option', {value: pair[0], text: pair[1], selected: pair[0] === value}); }));
      }
      if (kind === 'text') { return el('input', {type: 'text', id: id, value: value || ''}); }
      var text = kind === 'lines' ? (value || []).join('\n') : (value || '');
      return el('textarea', {id: id, rows: key === 'context' || key === 'reference_prompt' || key === 'sample_data' ? '5' : '3'}, [text]);
    }

    function apply(scenario, key, kind, input) {
      if (kind === 'lines') {
        var lines = input.value.split('\n').map(function (line) { return line.trim(); }).filter(Boolean);
        if (lines.length || key === 'success_criteria') { scenario[key] = lines; } else { delete scenario[key]; }
      } else if (key === 'sample_data' && !input.value) {
        delete scenario[key];
      } else {
        scenario[key] = key === 'id' ? input.value.trim() : input.value;
      }
      write();
    }

    function render(index) {
      C.clear(body);
      var scenario = doc.scenarios[index];
      if (!scenario) { return; }
      var mine = problems[index] || {};
      FIELDS.forEach(function (pair) {
        var key = pair[0], kind = pair[1];
        var id = uid + '-f-' + key;
        var input = control(scenario, key, kind, id);
        var help = LABELS[key][1] ? el('p', {class: 'ldai-help-text', id: id + '-help', text: LABELS[key][1]}) : null;
        var errors = mine[key] ? el('ul', {class: 'ldai-field-error', id: id + '-error'}, mine[key].map(function (m) { return el('li', {text: m}); })) : null;
        var described = [help ? id + '-help' : null, errors ? id + '-error' : null].filter(Boolean).join(' ');
        if (described) { input.setAttribute('aria-describedby', described); }
        if (errors) { input.setAttribute('aria-invalid', 'true'); }
        input.setAttribute('data-ldai-se-field', key);
        input.addEventListener('input', function () { apply(scenario, key, kind, input); });
        input.addEventListener('change', function () { apply(scenario, key, kind, input); refreshList(index); });
        body.appendChild(el('div', {class: 'ldai-field'}, [el('label', {for: id, text: LABELS[key][0]}), help, input, errors]));
      });
      if (mine._) {
        body.insertBefore(el('ul', {class: 'ldai-field-error'}, mine._.map(function (m) { return el('li', {text: m}); })), body.firstChild);
      }
    }

    select.addEventListener('change', function () { render(Number(select.value)); });

    panel.querySelector('[data-ldai-se-add]').addEventListener('click', function () {
      var used = doc.scenarios.map(function (s) { return s.id; });
      var n = doc.scenarios.length + 1;
      while (used.indexOf('scenario-' + n) !== -1) { n++; }
      var family = doc.job_family || 'marketing';
      doc.scenarios.push({id: 'scenario-' + n, job_family: family, title: '', task: '', context: '', success_criteria: [], reference_prompt: ''});
      write();
      refreshList(doc.scenarios.length - 1);
      render(doc.scenarios.length - 1);
      body.querySelector('[data-ldai-se-field=title]').focus();
      announce(t('Scenario added at the end of the list.'));
    });

    panel.querySelector('[data-ldai-se-remove]').addEventListener('click', function () {
      var index = Number(select.value);
      if (doc.scenarios.length < 2 || !global.confirm(t('Remove this scenario?'))) { return; }
      doc.scenarios.splice(index, 1);
      problems = {};
      write();
      refreshList(index);
      render(Number(select.value));
      select.focus();
      announce(t('Scenario removed.'));
    });

    return {
      open: function () {
        return loadDocument().then(function (document) {
          doc = document;
          if (!doc || !Array.isArray(doc.scenarios) || !doc.scenarios.length) { throw new Error(t('The JSON has no list of scenarios to edit.')); }
          write();
          panel.hidden = false;
          refreshList(0);
          render(0);
          select.focus();
        });
      },
      /* After a failed save: the document's problems next to their fields; returns the field to focus, if any. */
      showProblems: function (messages) {
        problems = {};
        if (!doc || panel.hidden) { return null; }
        var count = 0;
        (messages || []).forEach(function (message) {
          var match = PROBLEM.exec(message);
          if (!match) { return; }
          var index = Number(match[1]);
          var key = match[2] && LABELS[match[2]] ? match[2] : '_';
          problems[index] = problems[index] || {};
          (problems[index][key] = problems[index][key] || []).push(match[3]);
          count++;
        });
        if (!count) { return null; }
        var indexes = Object.keys(problems).map(Number).sort(function (a, b) { return a - b; });
        var shown = problems[Number(select.value)] ? Number(select.value) : indexes[0];
        refreshList(shown);
        render(shown);
        return body.querySelector('[aria-invalid="true"]') || select;
      },
      clearProblems: function () {
        problems = {};
        if (doc && !panel.hidden) { refreshList(Number(select.value)); render(Number(select.value)); }
      }
    };
  }

  global.LdaiPromptScenarioEditor = LdaiPromptScenarioEditor;
}(window));
