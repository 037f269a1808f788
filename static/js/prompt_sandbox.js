/* Learner view of the prompt sandbox: write a prompt, get feedback per criterion with the words that
 * satisfied it, a confidential-data warning naming the charter rule, then revise. The history shows the
 * progression from the first attempt to the best one. Everything the learner or an author wrote is
 * inserted with textContent; focus moves to the feedback and the live region announces the score. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  function LdaiPromptSandbox(runtime, element, args) {
    args = C.initArgs(args);  /* decoded once: see rendering.pack_init_args */
    var root = C.rootElement(element).querySelector('.ldai-prompt-sandbox') || C.rootElement(element);
    var i18n = C.makeI18n(args.lang, args.i18n);
    var t = i18n.gettext;
    var api = C.makeApi(runtime, C.rootElement(element), i18n);
    var announce = C.makeAnnouncer(root.querySelector('[data-ldai-live]'));
    var form = root.querySelector('[data-ldai-form]');
    var textarea = form.querySelector('[data-ldai-prompt]');
    var counter = form.querySelector('[data-ldai-count]');
    var submitButton = form.querySelector('[data-ldai-submit]');
    var attemptsInfo = form.querySelector('[data-ldai-attempts]');
    var feedbackArea = root.querySelector('[data-ldai-feedback]');
    var historyArea = root.querySelector('[data-ldai-history]');
    var referenceArea = root.querySelector('[data-ldai-reference]');
    var boardArea = root.querySelector('[data-ldai-leaderboard]');
    var uid = root.getAttribute('aria-labelledby').replace(/-title$/, '');
    var state = args.state;
    var busy = false;
    var highlight = null;  /* a criterion id, 'sensitive', or null */

    C.wireHelp(root);

    var STATUS_CLASS = {2: 'ldai-ps-clear', 1: 'ldai-ps-partial', 0: 'ldai-ps-missing'};  /* CSS classes, not text */

    function statusText(score) {
      return score === 2 ? t('Clear') : (score === 1 ? t('Partial') : t('Missing'));
    }

    function updateCounter() {
      counter.textContent = t('{n} of {max} characters', {n: textarea.value.length, max: state.max_prompt_chars});
    }

    function renderAttemptsInfo() {
      var left = state.attempts_left;
      submitButton.disabled = left === 0;
      if (left === 0) {
        attemptsInfo.textContent = t('You have used all your attempts.');
      } else if (left === null) {
        attemptsInfo.textContent = t('Unlimited attempts.');
      } else {
        attemptsInfo.textContent = i18n.ngettext('{n} attempt left.', '{n} attempts left.', left, {n: left});
      }
    }

    function criterionLabel(id) {
      for (var i = 0; i < state.criteria.length; i++) {
        if (state.criteria[i].id === id) { return state.criteria[i].label; }
      }
      return id;
    }

    /* The prompt with the selected spans marked; spans never overlap within one selection. */
    function promptWithMarks(text, spans, className) {
      var children = [];
      var cursor = 0;
      spans.slice().sort(function (a, b) { return a.start - b.start; }).forEach(function (span) {
        if (span.start < cursor || span.end > text.length) { return; }
        if (span.start > cursor) { children.push(text.slice(cursor, span.start)); }
        children.push(el('mark', {class: className}, [text.slice(span.start, span.end)]));
        cursor = span.end;
      });
      children.push(text.slice(cursor));
      return el('div', {class: 'ldai-ps-prompt', id: uid + '-marked', tabindex: '-1'}, children);
    }

    function highlightedSpans(feedback) {
      if (highlight === 'sensitive') { return feedback.sensitive; }
      var found = feedback.criteria.filter(function (c) { return c.id === highlight && c.evidence; });
      return found.length ? [found[0].evidence] : [];
    }

    function showIn(id) {
      highlight = id;
      renderFeedback();
      var marked = feedbackArea.querySelector('.ldai-ps-prompt');
      if (marked) { marked.focus(); }
      announce(id === 'sensitive' ? t('Confidential data highlighted in your prompt.') : t('{label} highlighted in your prompt.', {label: criterionLabel(id)}));
    }

    function renderLeak(feedback) {
      var leak = feedback.leak;
      if (!leak) { return null; }
      var items = leak.kinds.map(function (entry) {
        return el('li', {}, [
          el('strong', {text: entry.label}),
          entry.rule ? el('p', {}, [t('Charter rule broken:') + ' ', el('q', {text: entry.rule.text})]) : null
        ]);
      });
      return el('div', {class: 'ldai-alert ldai-alert-error ldai-ps-leak', role: 'alert'}, [
        el('p', {}, [el('strong', {text: t('Your prompt contains confidential data. It would leave the company if you sent it to an AI tool.')})]),
        el('ul', {}, items),
        el('p', {text: t('Replace it with neutral labels (“Client A”, “[amount]”) or leave it out: the AI does not need it to do the task.')}),
        feedback.capped ? el('p', {text: t('Your grade for this attempt is capped at {cap}.', {cap: i18n.percent(leak.cap)})}) : null,
        el('button', {type: 'button', class: 'ldai-secondary', text: t('Show it in my prompt'), onclick: function () { showIn('sensitive'); }})
      ]);
    }

    function renderCriterion(criterion) {
      return el('li', {class: 'ldai-ps-criterion ' + STATUS_CLASS[criterion.score]}, [
        el('div', {class: 'ldai-ps-criterion-head'}, [
          el('strong', {text: criterion.label}), ' ',
          el('span', {class: 'ldai-badge ' + (criterion.score === 2 ? 'ldai-good' : (criterion.score === 1 ? 'ldai-partial' : 'ldai-bad')), text: statusText(criterion.score)})
        ]),
        criterion.evidence ? el('p', {class: 'ldai-ps-evidence'}, [t('Found in your prompt:') + ' ', el('q', {text: criterion.evidence.text})]) : null,
        criterion.advice ? el('p', {class: 'ldai-ps-advice', text: criterion.advice}) : null,
        criterion.comment ? el('p', {class: 'ldai-ps-comment'}, [el('em', {text: t('AI model:')}), ' ', criterion.comment]) : null,
        criterion.evidence ? el('button', {type: 'button', class: 'ldai-link', 'aria-pressed': highlight === criterion.id ? 'true' : 'false',
          onclick: function () { showIn(criterion.id); }}, [t('Show in my prompt'), el('span', {class: 'ldai-sr-only', text: ' (' + criterion.label + ')'})]) : null
      ]);
    }

    function renderFeedback() {
      C.clear(feedbackArea);
      var feedback = state.feedback;
      if (!feedback) { return; }
      var promptText = state.last_prompt;
      var spans = highlight ? highlightedSpans(feedback) : [];
      var met = feedback.criteria.filter(function (c) { return c.met; }).length;
      var card = el('section', {class: 'ldai-card ldai-ps-feedback', 'aria-labelledby': uid + '-fb-title'}, [
        el('h3', {id: uid + '-fb-title', tabindex: '-1', 'data-ldai-focus': true, text: t('Feedback on attempt {n}', {n: feedback.number})}),
        el('p', {class: 'ldai-ps-score'}, [
          el('strong', {text: t('Score: {score} out of 100', {score: feedback.score})}), ' ',
          el('span', {class: 'ldai-muted', text: t('{met} of 8 criteria clearly met.', {met: met})})
        ]),
        renderLeak(feedback),
        (feedback.notices || []).length ? el('div', {class: 'ldai-alert ldai-alert-info'}, feedback.notices.map(function (n) { return el('p', {text: n}); })) : null,
        feedback.llm_pending ? el('p', {class: 'ldai-muted', text: t('The AI model is reviewing your prompt: its comments will appear here in a moment.')}) : null,
        feedback.advice.length ? el('div', {class: 'ldai-ps-top-advice'}, [
          el('h4', {text: t('What would improve your prompt most')}),
          el('ol', {}, feedback.advice.slice(0, 3).map(function (a) { return el('li', {text: a}); }))
        ]) : el('p', {class: 'ldai-alert ldai-alert-success', text: t('Every criterion is clearly met. Well done!')}),
        el('h4', {text: t('Criterion by criterion')}),
        el('ul', {class: 'ldai-ps-criteria'}, feedback.criteria.map(renderCriterion)),
        el('h4', {text: t('Your prompt')}),
        highlight ? el('p', {class: 'ldai-muted', text: highlight === 'sensitive' ? t('Highlighted: confidential data.') : t('Highlighted: {label}.', {label: criterionLabel(highlight)})}) : null,
        promptWithMarks(promptText, spans, highlight === 'sensitive' ? 'ldai-ps-mark-leak' : 'ldai-ps-mark'),
        feedback.answer ? el('details', {class: 'ldai-ps-answer'}, [
          el('summary', {text: t('The AI model\u2019s answer to your prompt (confidential data replaced)')}),
          el('div', {class: 'ldai-ps-prompt', text: feedback.answer})
        ]) : null
      ]);
      feedbackArea.appendChild(card);
    }

    function renderHistory() {
      C.clear(historyArea);
      if (!state.attempts.length) { return; }
      var rows = state.attempts.map(function (attempt) {
        return el('tr', {}, [
          el('th', {scope: 'row', text: String(attempt.number)}),
          el('td', {text: String(attempt.score)}),
          el('td', {text: t('{met} of 8', {met: attempt.met.length})}),
          el('td', {text: attempt.leak ? t('Yes') : t('No')}),
          el('td', {text: i18n.percent(attempt.grade)})
        ]);
      });
      var progression = state.progression;
      var gained = progression && progression.gained.map(function (g) { return g.label; }).join(', ');
      var summary = null;
      if (progression && state.attempts.length > 1) {
        summary = el('p', {}, [t('From attempt {first} ({a} out of 100) to your best, attempt {best} ({b} out of 100).', {
          first: progression.first.number, a: progression.first.score, best: progression.best.number, b: progression.best.score
        }), ' ', gained ? t('Criteria gained: {list}.', {list: gained}) : t('No criterion gained yet: use the advice above.')]);
      }
      historyArea.appendChild(el('section', {class: 'ldai-card ldai-ps-history', 'aria-labelledby': uid + '-hist-title'}, [
        el('h3', {id: uid + '-hist-title', text: t('Your progression')}),
        summary,
        el('table', {}, [
          el('caption', {class: 'ldai-sr-only', text: t('Your attempts')}),
          el('thead', {}, [el('tr', {}, [
            el('th', {scope: 'col', text: t('Attempt')}), el('th', {scope: 'col', text: t('Score')}),
            el('th', {scope: 'col', text: t('Criteria met')}), el('th', {scope: 'col', text: t('Confidential data')}),
            el('th', {scope: 'col', text: t('Grade')})
          ])]),
          el('tbody', {}, rows)
        ]),
        el('p', {class: 'ldai-muted', text: (state.grading === 'last' ? t('Your grade is your last attempt: {grade}.', {grade: i18n.percent(state.grade)}) : t('Your grade is your best attempt: {grade}.', {grade: i18n.percent(state.grade)}))})
      ]));
    }

    function renderReference() {
      C.clear(referenceArea);
      if (state.reference_prompt) {
        referenceArea.appendChild(el('section', {class: 'ldai-card ldai-ps-reference', 'aria-labelledby': uid + '-ref-title'}, [
          el('h3', {id: uid + '-ref-title', text: t('A reference prompt')}),
          el('p', {class: 'ldai-muted', text: t('Compare it with yours: which criteria does it cover that yours does not?')}),
          el('div', {class: 'ldai-ps-prompt', text: state.reference_prompt})
        ]));
      } else if (state.reveal_after > 0) {
        var remaining = Math.max(0, state.reveal_after - state.attempts.length);
        referenceArea.appendChild(el('p', {class: 'ldai-muted', text: i18n.ngettext('A reference prompt will be shown after {n} more attempt.', 'A reference prompt will be shown after {n} more attempts.', remaining, {n: remaining})}));
      }
    }

    function renderLeaderboard() {
      C.clear(boardArea);
      var board = state.leaderboard;
      if (!board) { return; }
      boardArea.appendChild(el('section', {class: 'ldai-card ldai-ps-leaderboard', 'aria-labelledby': uid + '-lb-title'}, [
        el('h3', {id: uid + '-lb-title', text: t('Promptathon leaderboard')}),
        board.my_rank ? el('p', {text: t('Your rank: {rank} of {total}.', {rank: board.my_rank, total: board.total})}) : el('p', {class: 'ldai-muted', text: t('Submit a prompt to enter the leaderboard.')}),
        board.rows.length ? el('table', {}, [
          el('caption', {class: 'ldai-sr-only', text: t('Best grade per learner')}),
          el('thead', {}, [el('tr', {}, [el('th', {scope: 'col', text: t('Rank')}), el('th', {scope: 'col', text: t('Learner')}), el('th', {scope: 'col', text: t('Best grade')})])]),
          el('tbody', {}, board.rows.map(function (row) {
            return el('tr', {class: row.me ? 'ldai-ps-me' : null}, [
              el('th', {scope: 'row', text: String(row.rank)}),
              el('td', {text: row.me ? t('You') : (row.name || t('A learner'))}),
              el('td', {text: i18n.percent(row.score)})
            ]);
          }))
        ]) : null,
        C.leaderboardNameChoice(board, api, i18n, function (fresh) { state.leaderboard = fresh; }),
        C.teamBoard(board, api, i18n, function (fresh) { state.leaderboard = fresh; })
      ]));
    }

    function renderAll() {
      renderAttemptsInfo();
      renderFeedback();
      renderHistory();
      renderReference();
      renderLeaderboard();
    }

    // In the LTI tool the AI model's part of the feedback comes from a background task: ask for it until it is there.
    var reviewTries = 0;
    function awaitReview() {
      if (!state.feedback || !state.feedback.llm_pending) { return; }
      if (reviewTries >= 60) {
        announce(t('The AI model\u2019s review is late: here is the offline feedback. Reload the page later to see it.'));
        return;
      }
      reviewTries += 1;
      global.setTimeout(function () {
        api.call('llm_review', {}).then(function (newState) {
          state = newState;
          if (state.feedback && state.feedback.llm_pending) { awaitReview(); return; }
          renderAll();
          announce(t('The AI model\u2019s review of your prompt has arrived.'));
        }).catch(awaitReview);
      }, 2000);
    }

    function showFormError(message) {
      var old = form.querySelector('.ldai-alert-error');
      if (old) { old.remove(); }
      form.insertBefore(el('p', {class: 'ldai-alert ldai-alert-error', role: 'alert', text: message}), form.querySelector('.ldai-toolbar'));
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (busy) { return; }
      C.setFieldErrors(form, {});
      var old = form.querySelector('.ldai-alert-error');
      if (old) { old.remove(); }
      if (!textarea.value.trim()) {
        var first = C.setFieldErrors(form, {prompt: [t('Write your prompt in the box before asking for feedback.')]});
        if (first) { first.focus(); }
        return;
      }
      busy = true;
      if (draftTimer) { global.clearTimeout(draftTimer); draftTimer = null; }  /* the submit carries the text */
      submitButton.setAttribute('aria-disabled', 'true');
      announce(t('Analysing your prompt…'));
      api.call('submit', {prompt: textarea.value}).then(function (newState) {
        state = newState;
        forget();
        highlight = null;
        renderAll();
        var heading = feedbackArea.querySelector('[data-ldai-focus]');
        if (heading) { heading.focus(); }
        var feedback = state.feedback;
        announce(t('Score: {score} out of 100.', {score: feedback.score}) + (feedback.leak ? ' ' + t('Warning: your prompt contains confidential data.') : ''));
        reviewTries = 0;
        awaitReview();
      }).catch(function (error) {
        var firstInvalid = C.setFieldErrors(form, error.fields);
        if (!firstInvalid) { showFormError(error.message); }
        announce(error.message);
        if (firstInvalid) { firstInvalid.focus(); }
      }).then(function () {
        busy = false;
        submitButton.removeAttribute('aria-disabled');
      });
    });

    /* The prompt being written is kept on the server (debounced), so a reload or a closed tab loses nothing;
       until the server has it, a copy waits in this tab's sessionStorage and is sent again at start. */
    var draftTimer = null;
    var draftKey = 'ldai-ps:' + uid + ':' + state.scenario.id;
    function remember(text) { try { global.sessionStorage.setItem(draftKey, text); } catch (ignore) { /* storage off */ } }
    function forget() { try { global.sessionStorage.removeItem(draftKey); } catch (ignore) { /* storage off */ } }
    function remembered() { try { return global.sessionStorage.getItem(draftKey); } catch (ignore) { return null; } }
    function saveDraft(options) {
      if (draftTimer) { global.clearTimeout(draftTimer); }
      draftTimer = null;
      var sent = textarea.value;
      api.call('save_draft', {prompt: sent}, options).then(function () {
        if (textarea.value === sent) { forget(); }
      }).catch(function () { /* a draft only: the text stays in the box and in this tab */ });
    }
    textarea.addEventListener('input', function () {
      updateCounter();
      remember(textarea.value);
      if (draftTimer) { global.clearTimeout(draftTimer); }
      draftTimer = global.setTimeout(saveDraft, 800);
    });
    global.addEventListener('pagehide', function () { if (draftTimer) { saveDraft({keepalive: true}); } });
    textarea.value = typeof state.draft === 'string' ? state.draft : (state.last_prompt || '');
    var unsaved = remembered();
    if (unsaved !== null && unsaved !== textarea.value) {
      textarea.value = unsaved;
      saveDraft();
    }
    updateCounter();
    renderAll();
    awaitReview();
  }

  global.LdaiPromptSandbox = LdaiPromptSandbox;
}(window));
