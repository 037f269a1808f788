/* Learner view of the risk-awareness quiz: one question at a time, feedback per choice, a closing profile.
 * Native radio buttons and checkboxes carry the keyboard behaviour; focus moves to each new question
 * and to each result, and the polite live region announces them. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  function LdaiRiskQuiz(runtime, element, args) {
    args = C.initArgs(args);  /* decoded once: see rendering.pack_init_args */
    var root = C.rootElement(element).querySelector('.ldai-risk-quiz') || C.rootElement(element);
    var i18n = C.makeI18n(args.lang, args.i18n);
    var t = i18n.gettext;
    var api = C.makeApi(runtime, C.rootElement(element), i18n);
    var announce = C.makeAnnouncer(root.querySelector('[data-ldai-live]'));
    var stage = root.querySelector('[data-ldai-stage]');
    var progress = root.querySelector('[data-ldai-progress]');
    var intro = root.querySelector('[data-ldai-intro]');
    var charterBox = root.querySelector('[data-ldai-charter]');
    var uid = root.getAttribute('aria-labelledby').replace(/-title$/, '');
    var state = args.state;
    var contentLang = args.content_lang || args.lang;  /* questions may be in another language than the interface */
    var current = firstUnanswered();
    var busy = false;
    var reviewing = false;  /* going through the questions of a finished attempt */
    var backFromReview = false;  /* the profile again after a review: already announced once */

    C.wireHelp(root);

    function firstUnanswered() {
      for (var i = 0; i < state.questions.length; i++) {
        if (!state.answers[state.questions[i].id]) { return i; }
      }
      return Math.max(0, state.questions.length - 1);
    }

    /* The intro counts the questions of the attempt in force (a retry may draw fewer than the page said). */
    function renderIntro() {
      if (!intro) { return; }
      var n = state.questions.length;
      intro.textContent = i18n.ngettext(
        '{n} workplace scenario. You get feedback right after each answer, then a profile of your strengths and gaps by risk category.',
        '{n} workplace scenarios. You get feedback right after each answer, then a profile of your strengths and gaps by risk category.', n, {n: n});
    }

    /* The charter the charter questions are graded against: the learner sees it, as at work. */
    function renderCharter() {
      if (!charterBox) { return; }
      C.clear(charterBox);
      charterBox.hidden = !(state.charter && state.charter.length);
      if (charterBox.hidden) { return; }
      charterBox.appendChild(el('details', {class: 'ldai-card ldai-quiz-charter'}, [
        el('summary', {text: t('Your company\u2019s AI charter (some questions are graded against it)')}),
        el('ul', {}, state.charter.map(function (rule) {
          return el('li', {}, [
            el('span', {class: 'ldai-badge ' + (rule.allowed ? 'ldai-good' : 'ldai-bad'), text: rule.allowed ? t('Allowed') : t('Not allowed')}), ' ',
            el('span', {text: rule.text, lang: contentLang})
          ]);
        }))
      ]));
    }

    function render(focusTarget) {
      C.clear(stage);
      renderIntro();
      renderCharter();
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

    /* What a choice's badge says after checking: the learner's own choice is always named as theirs. */
    function verdictText(feedback, selected) {
      if (selected) {
        if (feedback.correct === null) { return t('Your choice'); }
        return feedback.correct ? t('Your choice: right') : t('Your choice: not right');
      }
      return t('Right answer (you did not select it)');
    }

    function renderQuestion(question) {
      var answer = state.answers[question.id];
      var draft = state.drafts && state.drafts[question.id];
      var multiple = question.kind === 'multiple';
      var total = state.questions.length;
      progress.textContent = reviewing ? t('Review: question {n} of {total}', {n: current + 1, total: total}) :
        t('Question {n} of {total}', {n: current + 1, total: total});
      var legendId = uid + '-q-' + question.id;
      var choices = question.choices.map(function (choice) {
        var inputId = legendId + '-' + choice.id;
        var feedback = answer && answer.choices[choice.id];
        var selected = answer ? answer.selected.indexOf(choice.id) !== -1 : !!(draft && draft.indexOf(choice.id) !== -1);
        var verdict = null;
        if (feedback) {
          var good = feedback.correct === true;
          verdict = el('span', {id: inputId + '-verdict', class: 'ldai-badge ' + (feedback.correct === null ? 'ldai-mine' : (good ? 'ldai-good' : 'ldai-bad')),
            text: verdictText(feedback, answer && selected)});
        }
        /* The verdict and the feedback describe their choice, so a screen reader reads them with it. */
        var described = [verdict ? inputId + '-verdict' : null, feedback ? inputId + '-feedback' : null].filter(Boolean).join(' ');
        return el('li', {class: 'ldai-choice' + (feedback ? ' ldai-choice-answered' : '') + (answer && selected ? ' ldai-choice-mine' : '')}, [
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
            el('span', {class: 'ldai-sr-only', text: t('Question {n} of {total}', {n: current + 1, total: total}) + ' '}),
            el('span', {class: 'ldai-badge ldai-category', text: question.category_label, lang: contentLang}), ' ',
            el('span', {class: 'ldai-stem', text: question.stem, lang: contentLang}), ' ',
            el('span', {class: 'ldai-legend-hint ldai-muted', text: multiple ? t('Several answers may be right: select every one that applies.') : t('Select one answer.')}),
            question.charter_question && !answer ? el('span', {class: 'ldai-legend-hint ldai-muted', text: t('This question is graded against your company\u2019s AI charter, shown above.')}) : null
          ]),
          answer ? el('p', {class: 'ldai-muted ldai-quiz-key', text: t('“Your choice” marks what you selected; “Right answer” marks a right choice you did not select.')}) : null,
          el('ul', {class: 'ldai-choices'}, choices)
        ]),
        answer ? renderAnswerSummary(answer) : null,
        el('div', {class: 'ldai-toolbar'}, answer ? navigation() : [
          el('button', {type: 'submit', text: t('Check my answer')})
        ])
      ]);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        submit(question, form);
      });
      if (!answer) { form.addEventListener('change', function () { keepDraft(question, form); }); }
      stage.appendChild(form);
    }

    function summaryText(answer) {
      if (answer.correct) { return t('Correct.'); }
      return answer.score > 0 ? t('Partly right: {score} of the points.', {score: i18n.percent(answer.score)}) : t('Not quite.');
    }

    function renderAnswerSummary(answer) {
      var rule = answer.charter_rule;
      return el('div', {class: 'ldai-alert ' + (answer.correct ? 'ldai-alert-success' : 'ldai-alert-info'), tabindex: '-1', 'data-ldai-result': true}, [
        el('p', {}, [el('strong', {text: summaryText(answer)})]),
        answer.explanation ? el('p', {text: answer.explanation, lang: contentLang}) : null,
        rule ? el('p', {class: 'ldai-quiz-rule'}, [
          el('strong', {text: rule.allowed ? t('Your company\u2019s charter allows it:') : t('Your company\u2019s charter does not allow it:')}), ' ',
          el('q', {text: rule.text, lang: contentLang})
        ]) : null
      ]);
    }

    /* After checking: the next question; in the review of a finished attempt: previous, next and back to the profile. */
    function navigation() {
      var last = current === state.questions.length - 1;
      if (!reviewing) {
        return [el('button', {type: 'button', text: last || state.completed ? t('See my profile') : t('Next question'), onclick: function () {
          current = (last || state.completed) ? null : current + 1;
          if (current === null && !state.completed) { current = firstUnanswered(); }
          render();
        }})];
      }
      return [
        current > 0 ? el('button', {type: 'button', class: 'ldai-secondary', 'data-ldai-previous': true, text: t('Previous question'), onclick: function () { current -= 1; render(); }}) : null,
        !last ? el('button', {type: 'button', 'data-ldai-next': true, text: t('Next question'), onclick: function () { current += 1; render(); }}) : null,
        el('button', {type: 'button', class: last ? null : 'ldai-secondary', 'data-ldai-back': true, text: t('Back to my profile'), onclick: function () { current = null; reviewing = false; backFromReview = true; render(); }})
      ];
    }

    function selectedIds(form) {
      return Array.prototype.filter.call(form.querySelectorAll('input'), function (input) { return input.checked; })
        .map(function (input) { return input.value; });
    }

    /* Ticked but not checked yet: kept on the server (debounced), so a reload shows the same ticks. */
    var draftTimer = null;
    var pendingDraft = null;
    function keepDraft(question, form) {
      var selected = selectedIds(form);
      state.drafts = state.drafts || {};
      state.drafts[question.id] = selected;
      pendingDraft = {question_id: question.id, selected: selected};
      if (draftTimer) { global.clearTimeout(draftTimer); }
      draftTimer = global.setTimeout(sendDraft, 400);
    }
    function sendDraft(options) {
      draftTimer = null;
      if (!pendingDraft) { return; }
      var sent = pendingDraft;
      pendingDraft = null;
      api.call('save_draft', sent, options).catch(function () { /* a draft only: the ticks stay on the page */ });
    }
    global.addEventListener('pagehide', function () {
      if (draftTimer) { global.clearTimeout(draftTimer); sendDraft({keepalive: true}); }
    });

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
      if (draftTimer) { global.clearTimeout(draftTimer); draftTimer = null; pendingDraft = null; }
      api.call('submit_answer', {question_id: question.id, selected: selected}).then(function (newState) {
        state = newState;
        var answer = state.answers[question.id];
        render('[data-ldai-result]');
        announce(summaryText(answer));  /* the same words as the card: one status, never two */
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
          el('td', {}, [category.judged ?
            el('span', {class: 'ldai-badge ' + (category.weak ? 'ldai-bad' : 'ldai-good'), text: category.weak ? t('To work on') : t('Solid')}) :
            el('span', {class: 'ldai-badge', text: i18n.ngettext('Too few questions to judge ({n} answered)', 'Too few questions to judge ({n} answered)', category.answered, {n: category.answered})})])
        ]);
      });
      var advice = profile.categories.filter(function (c) { return c.advice; }).map(function (category) {
        return el('li', {}, [
          el('strong', {text: t('{label}:', {label: category.label})}), ' ', el('span', {text: category.advice, lang: contentLang}),
          category.more_advice ? el('details', {}, [el('summary', {text: t('More advice')}), el('p', {text: category.more_advice, lang: contentLang})]) : null
        ]);
      });
      var unjudged = profile.categories.some(function (c) { return !c.judged; });
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
        unjudged ? el('p', {class: 'ldai-muted', text: i18n.ngettext('A category is judged on at least {n} question.', 'A category is judged on at least {n} questions.', state.min_to_judge, {n: state.min_to_judge}) + ' ' +
          t('With fewer, its score is shown but says little: try again to see more questions.')}) : null,
        advice.length ? el('h4', {text: t('What to work on')}) : el('p', {text: t('Every category is at or above the pass threshold. Well done!')}),
        advice.length ? el('ul', {class: 'ldai-advice'}, advice) : null,
        el('p', {class: 'ldai-muted', text: left === null ? t('You may try again as often as you like; your best attempt counts.') :
          i18n.ngettext('{n} attempt left.', '{n} attempts left.', left, {n: left})}),
        el('div', {class: 'ldai-toolbar'}, [
          el('button', {type: 'button', class: 'ldai-secondary', 'data-ldai-review': true, text: t('Review my answers'), onclick: function () { current = 0; reviewing = true; render(); }}),
          (left === null || left > 0) ? el('button', {type: 'button', text: t('Try again'), onclick: retry}) : null
        ])
      ]);
      stage.appendChild(card);
      if (!backFromReview) { announce(t('Quiz finished. Score: {score}.', {score: i18n.percent(profile.score)})); }
      backFromReview = false;
    }

    function retry() {
      if (busy) { return; }
      busy = true;
      api.call('start_attempt', {}).then(function (newState) {
        state = newState;
        current = 0;
        reviewing = false;
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
