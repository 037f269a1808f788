/* Learner view of the risk-awareness quiz: one question at a time, feedback per choice, a closing profile.
 * Native radio buttons and checkboxes carry the keyboard behaviour; focus moves to each new question
 * and to each result, and the polite live region announces them. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  function LdaiRiskQuiz(runtime, element, args) {
    var root = C.rootElement(element).querySelector('.ldai-risk-quiz') || C.rootElement(element);
    var i18n = C.makeI18n(args.lang, args.i18n);
    var t = i18n.gettext;
    var api = C.makeApi(runtime, C.rootElement(element), i18n);
    var announce = C.makeAnnouncer(root.querySelector('[data-ldai-live]'));
    var stage = root.querySelector('[data-ldai-stage]');
    var progress = root.querySelector('[data-ldai-progress]');
    var uid = root.getAttribute('aria-labelledby').replace(/-title$/, '');
    var state = args.state;
    var contentLang = args.content_lang || args.lang;  /* questions may be in another language than the interface */
    var current = firstUnanswered();
    var busy = false;

    C.wireHelp(root);

    function firstUnanswered() {
      for (var i = 0; i < state.questions.length; i++) {
        if (!state.answers[state.questions[i].id]) { return i; }
      }
      return Math.max(0, state.questions.length - 1);
    }

    function render(focusTarget) {
      C.clear(stage);
      if (!state.questions.length) {
        stage.appendChild(el('p', {class: 'ldai-alert ldai-alert-warning', text: t('This quiz has no questions yet. Ask the course team to choose a question pack.')}));
        return;
      }
      if (state.completed && current === null) {
        renderProfile();
      } else {
        renderQuestion(state.questions[current]);
      }
      if (focusTarget === false) { return; }  /* first paint: never steal focus from the page */
      var target = stage.querySelector(focusTarget || '[data-ldai-focus]');
      if (target) { target.focus(); }
    }

    function renderQuestion(question) {
      var answer = state.answers[question.id];
      var multiple = question.kind === 'multiple';
      progress.textContent = t('Question {n} of {total}', {n: current + 1, total: state.questions.length});
      var legendId = uid + '-q-' + question.id;
      var choices = question.choices.map(function (choice) {
        var inputId = legendId + '-' + choice.id;
        var feedback = answer && answer.choices[choice.id];
        var selected = answer && answer.selected.indexOf(choice.id) !== -1;
        var verdict = null;
        if (feedback && feedback.correct !== null) {
          verdict = el('span', {id: inputId + '-verdict', class: 'ldai-badge ' + (feedback.correct ? 'ldai-good' : 'ldai-bad'),
            text: feedback.correct ? (selected ? t('Right choice') : t('Right answer')) : t('Not the right choice')});
        }
        /* The verdict and the feedback describe their choice, so a screen reader reads them with it. */
        var described = [verdict ? inputId + '-verdict' : null, feedback ? inputId + '-feedback' : null].filter(Boolean).join(' ');
        return el('li', {class: 'ldai-choice' + (feedback ? ' ldai-choice-answered' : '')}, [
          el('input', {type: multiple ? 'checkbox' : 'radio', id: inputId, name: legendId, value: choice.id,
            checked: selected, disabled: !!answer, 'aria-describedby': described || null}),
          el('label', {for: inputId, text: choice.text, lang: contentLang}),
          verdict,
          feedback ? el('p', {id: inputId + '-feedback', class: 'ldai-choice-feedback', text: feedback.feedback, lang: contentLang}) : null
        ]);
      });
      var form = el('form', {class: 'ldai-card ldai-question', novalidate: true}, [
        el('fieldset', {}, [
          /* The legend names the group: where the learner is, the question, and how many answers to pick,
           * all read out when focus enters the choices (a hint outside the legend is skipped in forms mode). */
          el('legend', {id: legendId, tabindex: '-1', 'data-ldai-focus': true}, [
            el('span', {class: 'ldai-sr-only', text: t('Question {n} of {total}', {n: current + 1, total: state.questions.length}) + ' '}),
            el('span', {class: 'ldai-badge ldai-category', text: question.category_label, lang: contentLang}), ' ',
            el('span', {class: 'ldai-stem', text: question.stem, lang: contentLang}), ' ',
            el('span', {class: 'ldai-legend-hint ldai-muted', text: multiple ? t('Several answers may be right: select every one that applies.') : t('Select one answer.')})
          ]),
          el('ul', {class: 'ldai-choices'}, choices)
        ]),
        answer ? renderAnswerSummary(answer) : null,
        el('div', {class: 'ldai-toolbar'}, answer ? [nextButton()] : [
          el('button', {type: 'submit', text: t('Check my answer')})
        ])
      ]);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        submit(question, form);
      });
      stage.appendChild(form);
    }

    function renderAnswerSummary(answer) {
      var text = answer.correct ? t('Correct.') : (answer.score > 0 ? t('Partly right: {score} of the points.', {score: i18n.percent(answer.score)}) : t('Not quite.'));
      return el('div', {class: 'ldai-alert ' + (answer.correct ? 'ldai-alert-success' : 'ldai-alert-info'), tabindex: '-1', 'data-ldai-result': true}, [
        el('p', {}, [el('strong', {text: text})]),
        answer.explanation ? el('p', {text: answer.explanation, lang: contentLang}) : null
      ]);
    }

    function nextButton() {
      var last = current === state.questions.length - 1 || state.completed;
      return el('button', {type: 'button', text: last ? t('See my profile') : t('Next question'), onclick: function () {
        current = last ? null : current + 1;
        if (last && !state.completed) { current = firstUnanswered(); }
        render();
      }});
    }

    function selectedIds(form) {
      return Array.prototype.filter.call(form.querySelectorAll('input'), function (input) { return input.checked; })
        .map(function (input) { return input.value; });
    }

    function showError(form, message) {
      var old = form.querySelector('.ldai-alert-error');
      if (old) { old.remove(); }
      var alert = el('p', {class: 'ldai-alert ldai-alert-error', role: 'alert', text: message});
      form.insertBefore(alert, form.querySelector('.ldai-toolbar'));
    }

    function submit(question, form) {
      if (busy) { return; }
      var selected = selectedIds(form);
      if (!selected.length) {
        showError(form, t('Select an answer before you check it.'));
        return;
      }
      busy = true;
      api.call('submit_answer', {question_id: question.id, selected: selected}).then(function (newState) {
        state = newState;
        var answer = state.answers[question.id];
        render('[data-ldai-result]');
        announce(answer.correct ? t('Correct.') : t('Not quite. The feedback is below each choice you selected.'));
      }).catch(function (error) {
        showError(form, error.message);
      }).then(function () { busy = false; });
    }

    function renderProfile() {
      var profile = state.profile;
      progress.textContent = t('Attempt {n} finished', {n: state.attempt_number});
      var rows = profile.categories.map(function (category) {
        return el('tr', {}, [
          el('th', {scope: 'row', text: category.label}),
          el('td', {}, [
            el('div', {class: 'ldai-meter', 'aria-hidden': 'true'}, [el('span', {style: 'width:' + Math.round(category.score * 100) + '%'})]),
            el('span', {text: i18n.percent(category.score)})
          ]),
          el('td', {}, [el('span', {class: 'ldai-badge ' + (category.weak ? 'ldai-bad' : 'ldai-good'), text: category.weak ? t('To work on') : t('Solid')})])
        ]);
      });
      var advice = profile.categories.filter(function (c) { return c.weak; }).map(function (category) {
        return el('li', {}, [el('strong', {text: t('{label}:', {label: category.label})}), ' ', category.advice]);
      });
      var left = state.attempts_left;
      var card = el('div', {class: 'ldai-card ldai-profile'}, [
        el('h3', {tabindex: '-1', 'data-ldai-focus': true, text: t('Your profile by risk category')}),
        el('p', {}, [
          el('strong', {text: t('Score for this attempt: {score}', {score: i18n.percent(profile.score)})}), ' ',
          el('span', {class: 'ldai-badge ' + (profile.passed ? 'ldai-good' : 'ldai-bad'), text: profile.passed ? t('Passed') : t('Not passed yet')})
        ]),
        el('p', {text: t('Your grade (best attempt): {score}', {score: i18n.percent(state.best_score)})}),
        el('table', {}, [
          el('caption', {class: 'ldai-sr-only', text: t('Score by risk category')}),
          el('thead', {}, [el('tr', {}, [el('th', {scope: 'col', text: t('Category')}), el('th', {scope: 'col', text: t('Score')}), el('th', {scope: 'col', text: t('Status')})])]),
          el('tbody', {}, rows)
        ]),
        advice.length ? el('h4', {text: t('What to work on')}) : el('p', {text: t('Every category is at or above the pass threshold. Well done!')}),
        advice.length ? el('ul', {class: 'ldai-advice'}, advice) : null,
        el('p', {class: 'ldai-muted', text: left === null ? t('You may try again as often as you like; your best attempt counts.') :
          i18n.ngettext('{n} attempt left.', '{n} attempts left.', left, {n: left})}),
        el('div', {class: 'ldai-toolbar'}, [
          el('button', {type: 'button', class: 'ldai-secondary', text: t('Review my answers'), onclick: function () { current = 0; render(); }}),
          (left === null || left > 0) ? el('button', {type: 'button', text: t('Try again'), onclick: retry}) : null
        ])
      ]);
      stage.appendChild(card);
      announce(t('Quiz finished. Score: {score}.', {score: i18n.percent(profile.score)}));
    }

    function retry() {
      if (busy) { return; }
      busy = true;
      api.call('start_attempt', {}).then(function (newState) {
        state = newState;
        current = 0;
        render();
        announce(t('New attempt started.'));
      }).catch(function (error) {
        announce(error.message);
        stage.appendChild(el('p', {class: 'ldai-alert ldai-alert-error', role: 'alert', text: error.message}));
      }).then(function () { busy = false; });
    }

    if (state.completed) { current = null; }
    render(false);
  }

  global.LdaiRiskQuiz = LdaiRiskQuiz;
}(window));
