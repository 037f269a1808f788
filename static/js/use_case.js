/* The use-case activity: record a case (errors next to each field, confidential data named, nothing typed
 * lost), review pending cases (course team), browse and adopt the library; or the managers' survey with
 * its dated history. Every list is rebuilt from the state the server returns; every message is announced. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;

  function LdaiUseCase(runtime, element, args) {
    args = C.initArgs(args);  /* decoded once: see rendering.pack_init_args */
    var root = C.rootElement(element);
    var i18n = C.makeI18n(args.lang, args.i18n);
    var t = i18n.gettext;
    var api = C.makeApi(runtime, root, i18n);
    var announce = C.makeAnnouncer(root.querySelector('[data-ldai-live]'));
    var state = args.state;
    var families = {marketing: t('Marketing'), finance: t('Finance'), hr: t('Human resources'), production: t('Production'),
      sales: t('Sales'), management: t('Management')};
    var el = C.el;
    C.wireHelp(root);

    function caseCard(item, actions) {
      var status = {pending: t('Waiting for validation'), validated: t('Validated'), declined: t('Declined')}[item.status] || '';
      var details = [
        [t('Tool'), item.tool], [t('Data involved'), item.data || '—'], [t('Before'), item.before], [t('After'), item.after],
        [t('Minutes saved per week'), String(item.minutes_saved)], [t('Rating of the result'), item.rating + ' / 5'],
        [t('Job family'), families[item.job_family] || item.job_family],
        [t('Adopted by'), i18n.ngettext('{n} colleague', '{n} colleagues', item.adoptions || 0, {n: item.adoptions || 0})]
      ];
      if (item.author_name) { details.unshift([t('Recorded by'), item.author_name]); }
      /* a case of another activity of the course (the LTI tool's course-wide library): which one */
      if (item.source !== undefined) { details.push([t('Shared from the activity'), item.source || t('Another activity of this course')]); }
      var list = el('dl');
      details.forEach(function (pair) { list.appendChild(el('dt', {text: pair[0]})); list.appendChild(el('dd', {text: pair[1]})); });
      return el('li', {class: 'ldai-case'}, [
        el('h4', {text: item.task}),
        el('p', {class: 'ldai-case-state', text: status + (item.mine ? ' · ' + t('Yours') : '')}),
        list
      ].concat(actions || []));
    }

    function render(list, node, empty, actions) {
      C.clear(node);
      if (!list.length) { node.appendChild(el('p', {class: 'ldai-muted', text: empty})); return; }
      var ul = el('ul', {class: 'ldai-case-list'});
      list.forEach(function (item) { ul.appendChild(caseCard(item, actions ? actions(item) : [])); });
      node.appendChild(ul);
    }

    function act(handler, data, focusSelector) {
      return api.call(handler, data).then(function (next) {
        state = next;
        draw();
        announce(next.message || t('Saved.'));
        var target = focusSelector && root.querySelector(focusSelector);
        if (target) { target.focus(); }
        return next;
      }).catch(function (error) { announce(error.message); throw error; });
    }

    function drawLibrary() {
      var node = root.querySelector('[data-ldai-library]');
      var filter = root.querySelector('[data-ldai-filter]');
      var family = filter ? filter.value : '';
      var shown = state.library.filter(function (item) { return !family || item.job_family === family; });
      render(shown, node, t('No validated use case yet for this choice.'), function (item) {
        if (item.mine || state.is_team) { return []; }
        if (item.adopted) { return [el('p', {class: 'ldai-muted', text: t('You adopted this use case.')})]; }
        var button = el('button', {type: 'button', class: 'ldai-secondary', text: t('I adopt it')});
        button.setAttribute('aria-label', t('I adopt it') + ': ' + item.task);
        button.addEventListener('click', function () {
          button.disabled = true;
          act('adopt_case', {case_id: item.id}, '[data-ldai-library] h4').catch(function () { button.disabled = false; });
        });
        return [button];
      });
    }

    function drawPending() {
      var section = root.querySelector('[data-ldai-pending-section]');
      if (!section) { return; }
      section.hidden = !state.is_team;
      if (!state.is_team) { return; }
      render(state.pending || [], root.querySelector('[data-ldai-pending]'), t('No use case waits for review.'), function (item) {
        return [['validate', t('Validate')], ['decline', t('Decline')]].map(function (choice) {
          var button = el('button', {type: 'button', class: choice[0] === 'validate' ? '' : 'ldai-secondary', text: choice[1]});
          button.setAttribute('aria-label', choice[1] + ': ' + item.task);
          button.addEventListener('click', function () {
            act('review_case', {case_id: item.id, decision: choice[0]}, '#' + root.querySelector('[data-ldai-pending-section] h3').id).catch(function () {});
          });
          return button;
        });
      });
      root.querySelector('[data-ldai-pending-section] h3').setAttribute('tabindex', '-1');
    }

    function drawHistory() {
      var node = root.querySelector('[data-ldai-history]');
      C.clear(node);
      if (!state.responses || !state.responses.length) { node.appendChild(el('p', {class: 'ldai-muted', text: t('No answer saved yet.')})); return; }
      var items = state.survey.items;
      var head = el('tr', {}, [el('th', {scope: 'col', text: t('Date')}), el('th', {scope: 'col', text: t('Team')}),
        el('th', {scope: 'col', text: t('Average')})].concat(items.map(function (item) { return el('th', {scope: 'col', text: item.text}); })));
      var body = el('tbody', {}, state.responses.map(function (response) {
        return el('tr', {}, [el('th', {scope: 'row', text: new Date(response.at).toLocaleDateString(args.lang)}),
          el('td', {text: response.team || '—'}), el('td', {text: String(response.mean)})].concat(items.map(function (item) {
          return el('td', {text: String(response.scores[item.id] === undefined ? '—' : response.scores[item.id])});
        })));
      }));
      node.appendChild(el('table', {}, [el('caption', {class: 'ldai-muted', text: t('Your answers, newest first')}), el('thead', {}, [head]), body]));
    }

    function draw() {
      if (state.mode === 'usage_survey') { drawHistory(); return; }
      render(state.my_cases, root.querySelector('[data-ldai-mine]'), t('You have not recorded a use case yet.'));
      drawPending();
      drawLibrary();
    }

    function wireForm(form, handler, collect, done) {
      var summary = form.querySelector('[data-ldai-error-summary]');
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        summary.hidden = true;
        C.setFieldErrors(form, {});
        var button = form.querySelector('button[type=submit]');
        button.disabled = true;
        api.call(handler, collect()).then(function (next) {
          state = next;
          draw();
          done();
          announce(next.message || t('Saved.'));
        }).catch(function (error) {
          summary.textContent = error.message;
          summary.hidden = false;
          var first = C.setFieldErrors(form, error.fields || {});
          (first || summary).focus();
        }).then(function () { button.disabled = false; });
      });
    }

    var caseForm = root.querySelector('[data-ldai-case-form]');
    if (caseForm) {
      wireForm(caseForm, 'record_case', function () {
        var data = {};
        ['job_family', 'task', 'tool', 'data', 'before', 'after', 'minutes_saved'].forEach(function (name) { data[name] = C.fieldValue(caseForm, name); });
        var rating = caseForm.querySelector('[name="rating-choice"]:checked');
        data.rating = rating ? Number(rating.value) : null;
        return data;
      }, function () {
        caseForm.reset();
        var family = caseForm.querySelector('[name="job_family"]');
        if (state.job_family) { family.value = state.job_family; }
      });
      root.querySelector('[data-ldai-filter]').addEventListener('change', drawLibrary);
    }

    var surveyForm = root.querySelector('[data-ldai-survey-form]');
    if (surveyForm) {
      wireForm(surveyForm, 'rate_usage', function () {
        var scores = {};
        surveyForm.querySelectorAll('[data-ldai-item]').forEach(function (box) {
          var checked = box.querySelector('input:checked');
          if (checked) { scores[box.getAttribute('data-ldai-item')] = Number(checked.value); }
        });
        return {scores: scores, team: C.fieldValue(surveyForm, 'team')};
      }, function () {
        surveyForm.querySelectorAll('input[type=radio]').forEach(function (radio) { radio.checked = false; });
      });
    }
    draw();
  }

  global.LdaiUseCase = LdaiUseCase;
}(window));
