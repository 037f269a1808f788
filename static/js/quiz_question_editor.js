/* Structured question editor for the quiz's Studio view.
 *
 * The JSON text area stays the single source of truth (authors can still paste a whole bank);
 * this editor reads it, lets the author edit one question at a time with ordinary form
 * controls (keyboard and screen-reader friendly), and writes the JSON back after every change.
 * The server validates everything on save, as for hand-written JSON. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  function LdaiQuizQuestionEditor(panel, area, i18n, loadDocument, announce) {
    var t = i18n.gettext;
    var select = panel.querySelector('[data-ldai-qe-select]');
    var body = panel.querySelector('[data-ldai-qe-form]');
    var uid = select.id;
    var doc = null;

    function write() {
      area.value = JSON.stringify(doc, null, 2);
    }

    function label(question, index) {
      var stem = (question.stem || t('(no text yet)')).replace(/\s+/g, ' ');
      return (index + 1) + '. [' + question.id + '] ' + (stem.length > 70 ? stem.slice(0, 69) + '…' : stem);
    }

    function refreshList(index) {
      C.clear(select);
      doc.questions.forEach(function (question, i) {
        select.appendChild(el('option', {value: String(i), text: label(question, i)}));
      });
      select.value = String(Math.max(0, Math.min(index, doc.questions.length - 1)));
    }

    function field(id, text, control) {
      return el('div', {class: 'ldai-field'}, [el('label', {for: id, text: text}), control]);
    }

    function bind(control, apply) {
      control.addEventListener('input', function () { apply(control); write(); });
      control.addEventListener('change', function () { apply(control); write(); refreshList(Number(select.value)); });
      return control;
    }

    function options(values, current) {
      return values.map(function (pair) {
        return el('option', {value: pair[0], text: pair[1], selected: pair[0] === current});
      });
    }

    function nextChoiceId(question) {
      var used = question.choices.map(function (c) { return c.id; });
      for (var code = 97; code < 123; code++) {
        if (used.indexOf(String.fromCharCode(code)) === -1) { return String.fromCharCode(code); }
      }
      return 'x' + used.length;
    }

    function renderChoice(question, choice, index) {
      var base = uid + '-c' + index;
      var verdict;
      if (question.charter_rule) {
        verdict = field(base + '-if', t('Right when the practice is'), bind(
          el('select', {id: base + '-if'}, options([['allowed', t('allowed')], ['forbidden', t('forbidden')]], choice.correct_if)),
          function (c) { choice.correct_if = c.value; }));
      } else {
        var box = bind(el('input', {type: 'checkbox', id: base + '-ok', checked: !!choice.correct}), function (c) { choice.correct = c.checked; });
        verdict = el('div', {class: 'ldai-field'}, [box, ' ', el('label', {for: base + '-ok', text: t('This choice is right')})]);
      }
      return el('fieldset', {class: 'ldai-card'}, [
        el('legend', {text: t('Choice {id}', {id: choice.id})}),
        field(base + '-text', t('Text'), bind(el('input', {type: 'text', id: base + '-text', value: choice.text || ''}), function (c) { choice.text = c.value; })),
        field(base + '-fb', t('Feedback shown when this choice is selected'), bind(el('textarea', {id: base + '-fb', rows: '2'}, [choice.feedback || '']), function (c) { choice.feedback = c.value; })),
        verdict,
        el('button', {type: 'button', class: 'ldai-secondary', text: t('Remove choice {id}', {id: choice.id}), onclick: function () {
          question.choices.splice(index, 1);
          write();
          render(Number(select.value));
          announce(t('Choice removed.'));
        }})
      ]);
    }

    /* A charter rule is named by what it says, not by its id (issue 12). */
    function ruleText(id) {
      var rule = (doc.charter || []).filter(function (r) { return r.id === id; })[0];
      return rule ? rule.text : id;
    }

    function render(index) {
      C.clear(body);
      var question = doc.questions[index];
      if (!question) { return; }
      var base = uid + '-q';
      var categories = (doc.categories || []).map(function (c) { return [c.id, c.label]; });
      var families = [['all', t('Every job family')], ['marketing', t('Marketing')], ['finance', t('Finance')], ['hr', t('Human resources')],
        ['production', t('Production')], ['sales', t('Sales')], ['management', t('Management')]];
      body.appendChild(el('div', {}, [
        field(base + '-id', t('Identifier'), bind(el('input', {type: 'text', id: base + '-id', value: question.id}), function (c) { question.id = c.value.trim(); })),
        field(base + '-stem', t('Scenario (the question)'), bind(el('textarea', {id: base + '-stem', rows: '4'}, [question.stem || '']), function (c) { question.stem = c.value; })),
        field(base + '-cat', t('Category'), bind(el('select', {id: base + '-cat'}, options(categories, question.category)), function (c) { question.category = c.value; })),
        field(base + '-kind', t('Kind'), bind(el('select', {id: base + '-kind'}, options([['single', t('One right answer')], ['multiple', t('Several right answers')], ['true_false', t('True or false')]], question.kind)), function (c) { question.kind = c.value; })),
        field(base + '-diff', t('Difficulty (1 to 3)'), bind(el('input', {type: 'number', id: base + '-diff', min: '1', max: '3', value: String(question.difficulty || 1)}), function (c) { question.difficulty = Number(c.value); })),
        field(base + '-fam', t('Job family'), bind(el('select', {id: base + '-fam'}, options(families, question.job_family || 'all')), function (c) { question.job_family = c.value; })),
        question.charter_rule ? el('p', {class: 'ldai-help-text', text: t('Charter question: its right answer follows the charter rule “{rule}”.', {rule: ruleText(question.charter_rule)})}) : null,
        el('div', {}, question.choices.map(function (choice, i) { return renderChoice(question, choice, i); })),
        el('button', {type: 'button', class: 'ldai-secondary', text: t('Add a choice'), onclick: function () {
          var choice = {id: nextChoiceId(question), text: '', feedback: ''};
          if (question.charter_rule) { choice.correct_if = 'forbidden'; } else { choice.correct = false; }
          question.choices.push(choice);
          write();
          render(index);
          var inputs = body.querySelectorAll('input[type="text"]');
          inputs[inputs.length - 1].focus();
        }}),
        field(base + '-exp', t('Explanation (the lesson, shown after answering)'), bind(el('textarea', {id: base + '-exp', rows: '3'}, [question.explanation || '']), function (c) { question.explanation = c.value; }))
      ]));
    }

    select.addEventListener('change', function () { render(Number(select.value)); });

    panel.querySelector('[data-ldai-qe-add]').addEventListener('click', function () {
      var used = doc.questions.map(function (q) { return q.id; });
      var n = doc.questions.length + 1;
      while (used.indexOf('q-' + n) !== -1) { n++; }
      doc.questions.push({id: 'q-' + n, category: (doc.categories[0] || {}).id || '', kind: 'single', difficulty: 1, job_family: 'all',
        stem: '', choices: [{id: 'a', text: '', feedback: '', correct: true}, {id: 'b', text: '', feedback: '', correct: false}], explanation: ''});
      write();
      refreshList(doc.questions.length - 1);
      render(doc.questions.length - 1);
      body.querySelector('textarea').focus();
      announce(t('Question added at the end of the list.'));
    });

    panel.querySelector('[data-ldai-qe-remove]').addEventListener('click', function () {
      var index = Number(select.value);
      if (!doc.questions.length || !global.confirm(t('Remove this question?'))) { return; }
      doc.questions.splice(index, 1);
      write();
      refreshList(index);
      render(Number(select.value));
      select.focus();
      announce(t('Question removed.'));
    });

    return {
      open: function () {
        return loadDocument().then(function (document) {
          doc = document;
          if (!Array.isArray(doc.questions) || !Array.isArray(doc.categories)) { throw new Error(t('The JSON has no list of questions and categories to edit.')); }
          write();
          panel.hidden = false;
          refreshList(0);
          render(0);
          select.focus();
        });
      }
    };
  }

  global.LdaiQuizQuestionEditor = LdaiQuizQuestionEditor;
}(window));
