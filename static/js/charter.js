/* Learner view of the company AI charter: its sections one at a time, then the scenario questions, then the
 * acceptance. Native buttons and radio groups carry the keyboard behaviour; focus moves to each new heading
 * and the polite live region announces each step. A new version shows what changed, rule by rule. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  function LdaiCharter(runtime, element, args) {
    var parts = C.learnerParts(runtime, element, args, '.ldai-charter');
    var root = parts.root, i18n = parts.i18n, api = parts.api, announce = parts.announce, uid = parts.uid;
    var t = i18n.gettext;
    args = parts.args;
    var stage = root.querySelector('[data-ldai-stage]');
    var progress = root.querySelector('[data-ldai-progress]');
    var changesBox = root.querySelector('[data-ldai-changes]');
    var contentLang = args.content_lang || args.lang;
    var state = args.state;
    var section = 0;
    var step = state.accepted ? 'accepted' : (state.checked ? 'result' : 'read');
    var busy = false;

    C.wireHelp(root);

    function verdictBadge(verdict) {
      var labels = {allowed: t('Allowed'), forbidden: t('Not allowed'), conditional: t('Allowed under conditions')};
      var classes = {allowed: 'ldai-good', forbidden: 'ldai-bad', conditional: 'ldai-warn'};
      return el('span', {class: 'ldai-badge ' + classes[verdict], text: labels[verdict]});
    }

    function situations(rule) {
      var groups = [['data_classes', t('Data')], ['tools', t('Tools')], ['tasks', t('Tasks')]];
      var items = groups.filter(function (g) { return rule[g[0]] && rule[g[0]].length; }).map(function (g) {
        return el('li', {}, [el('span', {class: 'ldai-muted', text: g[1] + t(': ')}), el('span', {lang: contentLang, text: rule[g[0]].join(', ')})]);
      });
      return items.length ? el('ul', {class: 'ldai-situations'}, items) : null;
    }

    function ruleItem(rule) {
      return el('li', {class: 'ldai-charter-rule'}, [
        verdictBadge(rule.verdict), ' ', el('span', {lang: contentLang, text: rule.text}),
        rule.conditions ? el('p', {class: 'ldai-conditions'}, [el('strong', {text: t('Conditions: ')}), el('span', {lang: contentLang, text: rule.conditions})]) : null,
        situations(rule)
      ]);
    }

    function sectionContent(s, headingTag, focusable) {
      var attrs = {lang: contentLang, text: s.title};
      if (focusable) { attrs.tabindex = '-1'; attrs['data-ldai-focus'] = true; }
      return [
        el(headingTag, attrs),
        s.body ? el('p', {lang: contentLang, text: s.body}) : null,
        s.rules.length ? el('ul', {class: 'ldai-rules'}, s.rules.map(ruleItem)) : null
      ];
    }

    function renderChanges() {
      C.clear(changesBox);
      var changes = state.changes;
      changesBox.hidden = !changes;
      if (!changes) { return; }
      var heading = t('A new version ({version}) replaces the one you accepted ({since}).', {version: state.version, since: changes.since});
      var items = (changes.rules || []).map(function (change) {
        var labels = {added: t('New rule'), removed: t('Rule removed'), changed: t('Rule changed')};
        var rule = change.after || change.before;
        var parts = [el('strong', {text: labels[change.change] + t(': ')}), verdictBadge(rule.verdict), ' ', el('span', {lang: contentLang, text: rule.text})];
        if (change.change === 'changed') {
          parts.push(el('p', {class: 'ldai-muted'}, [el('span', {text: t('Before: ')}), verdictBadge(change.before.verdict), ' ',
            el('span', {lang: contentLang, text: change.before.text})]));
        }
        return el('li', {}, parts);
      });
      changesBox.appendChild(el('div', {class: 'ldai-card ldai-alert ldai-alert-warning'}, [
        el('p', {}, [el('strong', {text: heading})]),
        changes.rules === null ? el('p', {text: t('Read the whole charter again: every section may have changed.')})
          : (items.length ? el('ul', {}, items) : el('p', {text: t('The rules are the same; the wording around them changed.')}))
      ]));
    }

    function render(focus) {
      C.clear(stage);
      renderChanges();
      if (step === 'read') { renderSection(); }
      else if (step === 'questions') { renderQuestions(); }
      else if (step === 'result') { renderResult(); }
      else { renderAccepted(); }
      if (focus === false) { return; }
      var target = stage.querySelector('[data-ldai-focus]');
      if (target) { target.focus(); }
    }

    function renderSection() {
      var total = state.sections.length;
      progress.textContent = t('Section {n} of {total}', {n: section + 1, total: total});
      var s = state.sections[section];
      var previous = el('button', {type: 'button', class: 'ldai-secondary', text: t('Previous section'), disabled: section === 0});
      previous.addEventListener('click', function () { section -= 1; render(); });
      var last = section === total - 1;
      var next = el('button', {type: 'button', text: last ? t('Answer the questions') : t('Next section')});
      next.addEventListener('click', function () {
        if (last) { step = 'questions'; render(); announce(t('Questions on the charter')); } else { section += 1; render(); }
      });
      stage.appendChild(el('article', {class: 'ldai-card ldai-charter-section'}, sectionContent(s, 'h3', true)));
      stage.appendChild(el('div', {class: 'ldai-toolbar'}, [previous, next]));
    }

    function questionFieldset(question, index, answer) {
      var name = uid + '-q-' + question.id;
      return el('fieldset', {class: 'ldai-card ldai-charter-question'}, [
        el('legend', {id: name, lang: contentLang}, [
          el('span', {class: 'ldai-muted', text: t('Question {n} of {total}', {n: index + 1, total: state.questions.length}) + ' '}),
          el('span', {text: question.stem})
        ]),
        el('ul', {class: 'ldai-choices'}, question.choices.map(function (choice) {
          var id = name + '-' + choice.id;
          var mine = answer && answer.selected.indexOf(choice.id) !== -1;
          var right = answer && answer.correct_ids.indexOf(choice.id) !== -1;
          return el('li', {class: 'ldai-choice' + (mine ? ' ldai-choice-mine' : '')}, [
            el('input', {type: 'radio', id: id, name: name, value: choice.id, checked: mine, disabled: !!answer}),
            el('label', {for: id, lang: contentLang, text: choice.text}),
            answer && (mine || right) ? el('span', {class: 'ldai-badge ' + (right ? 'ldai-good' : 'ldai-bad'),
              text: (mine ? t('Your answer') + ' \u2014 ' : '') + (right ? t('Right') : t('Not right'))}) : null
          ]);
        })),
        answer ? el('div', {class: 'ldai-feedback'}, answer.feedback.map(function (text) { return el('p', {lang: contentLang, text: text}); })
          .concat([el('p', {class: 'ldai-muted', lang: contentLang, text: answer.explanation})])) : null
      ]);
    }

    function renderQuestions() {
      progress.textContent = t('{n} questions on situations at work', {n: state.questions.length});
      var form = el('form', {novalidate: true}, [
        el('h3', {tabindex: '-1', 'data-ldai-focus': true, text: t('Show that you understood the charter')}),
        el('div', {class: 'ldai-alert ldai-alert-error', role: 'alert', hidden: true, 'data-ldai-error': true})
      ].concat(state.questions.map(function (q, i) { return questionFieldset(q, i, null); })).concat([
        el('div', {class: 'ldai-toolbar'}, [
          el('button', {type: 'button', class: 'ldai-secondary', 'data-ldai-reread': true, text: t('Read the charter again')}),
          el('button', {type: 'submit', text: t('Check my answers')})
        ])
      ]));
      form.querySelector('[data-ldai-reread]').addEventListener('click', function () { step = 'read'; section = 0; render(); });
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        if (busy) { return; }
        var answers = {};
        state.questions.forEach(function (q) {
          var checked = form.querySelector('input[name="' + uid + '-q-' + q.id + '"]:checked');
          answers[q.id] = checked ? [checked.value] : [];
        });
        send('check_answers', {version: state.version, answers: answers}, form);
      });
      stage.appendChild(form);
    }

    function send(handler, data, form) {
      busy = true;
      api.call(handler, data).then(function (result) {
        busy = false;
        state = result;
        step = state.accepted ? 'accepted' : (state.checked ? 'result' : 'questions');
        render();
        if (step === 'accepted') { announce(t('Thank you: your acceptance of version {version} is recorded.', {version: state.version})); }
        else if (step === 'result') { announce(t('Your score: {score}.', {score: i18n.percent(state.score)})); }
      }).catch(function (error) {
        busy = false;
        var box = (form || stage).querySelector('[data-ldai-error]');
        if (form) {
          /* Each unanswered question says so inside its own group, named by aria-describedby. */
          form.querySelectorAll('.ldai-field-error').forEach(function (node) { node.remove(); });
          form.querySelectorAll('fieldset[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
          Object.keys(error.fields || {}).forEach(function (qid) {
            var legend = form.querySelector('#' + CSS.escape(uid + '-q-' + qid));
            if (!legend) { return; }
            var group = legend.parentNode;
            var id = uid + '-q-' + qid + '-error';
            group.appendChild(el('p', {class: 'ldai-field-error', id: id, text: error.fields[qid][0]}));
            group.setAttribute('aria-invalid', 'true');
            group.setAttribute('aria-describedby', id);
          });
        }
        if (box) { box.textContent = error.message; box.hidden = false; box.setAttribute('tabindex', '-1'); box.focus(); }
        else { announce(error.message); }
      });
    }

    function renderResult() {
      progress.textContent = '';
      var passed = state.passed;
      var children = [
        el('h3', {tabindex: '-1', 'data-ldai-focus': true, text: t('Your score: {score}', {score: i18n.percent(state.score)})}),
        el('div', {class: 'ldai-alert ldai-alert-error', role: 'alert', hidden: true, 'data-ldai-error': true}),
        el('p', {text: passed ? t('You can now accept version {version} of the charter.', {version: state.version})
          : t('This charter asks for {needed}. Read the sections again, then answer new questions.', {needed: i18n.percent(state.pass_threshold)})})
      ].concat(state.questions.map(function (q, i) { return questionFieldset(q, i, state.answers[q.id]); }));
      var actions = [];
      if (passed) {
        var accept = el('button', {type: 'button', text: t('I accept the charter')});
        accept.addEventListener('click', function () { if (!busy) { send('accept', {version: state.version}); } });
        actions.push(accept);
      } else if (state.attempts_left !== 0) {
        var retry = el('button', {type: 'button', text: t('Read again and answer new questions')});
        retry.addEventListener('click', function () {
          api.call('retry', {}).then(function (result) { state = result; step = 'read'; section = 0; render(); });
        });
        actions.push(retry);
      }
      children.push(el('div', {class: 'ldai-toolbar'}, actions));
      stage.appendChild(el('div', {}, children));
    }

    function renderAccepted() {
      progress.textContent = '';
      var when = new Date(state.accepted.accepted_at);
      stage.appendChild(el('div', {class: 'ldai-card'}, [
        el('h3', {tabindex: '-1', 'data-ldai-focus': true, text: t('You accepted version {version} of the charter.', {version: state.version})}),
        el('p', {text: t('On {date}, with a comprehension score of {score}.', {date: when.toLocaleString(args.lang), score: i18n.percent(state.accepted.score)})}),
        el('details', {}, [el('summary', {text: t('Read the charter')})].concat(state.sections.map(function (s) {
          return el('section', {}, sectionContent(s, 'h4', false));
        })))
      ]));
    }

    render(false);
  }

  global.LdaiCharter = LdaiCharter;
}(window));
