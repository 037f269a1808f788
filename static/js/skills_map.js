/* Learner view of the skills map: choose a job family, assess yourself with behavioural statements, then
 * the map (an SVG chart and the same figures in a table), three priorities, and what changed since the
 * last visit. Native radio buttons carry the keyboard behaviour; every result is announced politely. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;
  var SVG = 'http://www.w3.org/2000/svg';
  var MAX = 3;

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function LdaiSkillsMap(runtime, element, args) {
    args = C.initArgs(args);  /* decoded once: see rendering.pack_init_args */
    var root = C.rootElement(element).querySelector('.ldai-skills-map') || C.rootElement(element);
    var i18n = C.makeI18n(args.lang, args.i18n);
    var t = i18n.gettext;
    var api = C.makeApi(runtime, C.rootElement(element), i18n);
    var announce = C.makeAnnouncer(root.querySelector('[data-ldai-live]'));
    var stage = root.querySelector('[data-ldai-stage]');
    var uid = root.getAttribute('aria-labelledby').replace(/-title$/, '');
    var levelNames = args.levels || [];
    var stateNode = root.querySelector('[data-ldai-state]');
    var state = JSON.parse(stateNode.textContent);
    var editing = false;
    var seenSent = false;
    var number = new Intl.NumberFormat(args.lang === 'fr' ? 'fr-FR' : 'en-US', {maximumFractionDigits: 1});

    C.wireHelp(root);

    function fmt(value) { return value === null || value === undefined ? t('unknown') : number.format(value); }

    function render(focus) {
      C.clear(stage);
      if (!state.job) { renderJobs(); }
      else if (editing || !state.self_complete) { renderSelf(); }
      else { renderMap(); }
      if (focus === false) { return; }
      var target = stage.querySelector('[data-ldai-focus]');
      if (target) { target.focus(); }
    }

    function failed(error, form) {
      var first = form ? C.setFieldErrors(form, error.fields || {}) : null;
      var alert = el('p', {class: 'ldai-alert ldai-alert-error', role: 'alert', tabindex: '-1', text: error.message});
      stage.insertBefore(alert, stage.firstChild);
      (first || alert).focus();
    }

    /* ------------------------------------------------------------ job family */
    function renderJobs() {
      var name = uid + '-job';
      var form = el('form', {novalidate: true}, [
        el('fieldset', {}, [
          el('legend', {text: t('Which job family is closest to your work?'), tabindex: '-1', 'data-ldai-focus': true}),
          el('input', {type: 'hidden', name: 'job'}),
          el('ul', {class: 'ldai-statements'}, state.jobs.map(function (job) {
            var id = name + '-' + job.id;
            return el('li', {class: 'ldai-statement'}, [
              el('input', {type: 'radio', id: id, name: name, value: job.id, checked: state.job === job.id}),
              el('label', {for: id}, [el('strong', {text: job.name}), job.description ? ' ' + job.description : ''])
            ]);
          }))
        ]),
        el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'submit', text: t('Continue')})])
      ]);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var picked = form.querySelector('input[type=radio]:checked');
        if (!picked) { failed({message: t('Choose one of the listed job families.')}); return; }
        api.call('choose_job', {job: picked.value}).then(function (result) {
          state = result;
          announce(t('Job family saved. Now tell us what you do today.'));
          render();
        }).catch(function (error) { failed(error); });
      });
      stage.appendChild(form);
    }

    /* ------------------------------------------------------------ self-assessment */
    function renderSelf() {
      var form = el('form', {novalidate: true});
      form.appendChild(el('h3', {text: t('What do you do today?'), tabindex: '-1', 'data-ldai-focus': true}));
      form.appendChild(el('p', {class: 'ldai-muted', text: t('For each competence, pick the statement closest to what you actually do at work. There is no right answer: this is where you start from.')}));
      state.questions.forEach(function (question) {
        var name = uid + '-self-' + question.id;
        var legendId = name + '-legend';
        form.appendChild(el('fieldset', {class: 'ldai-competence', 'data-ldai-competence': question.id, 'aria-describedby': name + '-desc'}, [
          el('legend', {id: legendId, text: question.name}),
          el('p', {class: 'ldai-muted', id: name + '-desc', text: question.description}),
          el('input', {type: 'hidden', name: question.id, 'data-describedby': name + '-desc'}),
          el('ul', {class: 'ldai-statements'}, question.statements.map(function (statement, level) {
            var id = name + '-' + level;
            return el('li', {class: 'ldai-statement'}, [
              el('input', {type: 'radio', id: id, name: name, value: String(level), checked: state.self[question.id] === level}),
              el('label', {for: id}, [statement, el('span', {class: 'ldai-sr-only', text: ' (' + (levelNames[level] || level) + ')'})])
            ]);
          }))
        ]));
      });
      form.appendChild(el('div', {class: 'ldai-toolbar'}, [
        el('button', {type: 'submit', text: t('Save my answers and see my map')}),
        state.self_complete ? el('button', {type: 'button', class: 'ldai-secondary', text: t('Back to my map'), onclick: function () { editing = false; render(); }}) : null
      ]));
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var levels = {};
        state.questions.forEach(function (question) {
          var picked = form.querySelector('input[name="' + uid + '-self-' + question.id + '"]:checked');
          if (picked) { levels[question.id] = Number(picked.value); }
        });
        api.call('save_self_assessment', {levels: levels}).then(function (result) {
          state = result;
          if (result.missing && result.missing.length) {
            render(false);
            var first = stage.querySelector('[data-ldai-competence]:not(:has(input:checked))') || stage.querySelector('[data-ldai-competence]');
            var message = t('Your answers are saved. Still to answer: {names}.', {names: result.missing.join(', ')});
            var alert = el('p', {class: 'ldai-alert ldai-alert-warning', role: 'alert', text: message});
            stage.insertBefore(alert, stage.firstChild);
            announce(message);
            var radio = first && first.querySelector('input[type=radio]');
            if (radio) { radio.focus(); }
            return;
          }
          editing = false;
          announce(t('Your answers are saved. Here is your skills map.'));
          render();
        }).catch(function (error) { failed(error, form); });
      });
      stage.appendChild(form);
    }

    /* ------------------------------------------------------------ the map */
    function chart(rows) {
      var width = 640, labelHeight = 18, bar = 10, gap = 3, rowHeight = labelHeight + 3 * (bar + gap) + 12;
      var left = 8, scale = (width - left - 60) / MAX;
      var titleId = uid + '-chart-title', descId = uid + '-chart-desc';
      var node = svg('svg', {class: 'ldai-chart', viewBox: '0 0 ' + width + ' ' + (rows.length * rowHeight + 24), role: 'img',
        'aria-labelledby': titleId, 'aria-describedby': descId, focusable: 'false'});
      node.appendChild(svg('title', {id: titleId}, [t('Target, self-assessed and evidenced level per competence')]));
      node.appendChild(svg('desc', {id: descId}, [t('The table below the chart gives the same figures.')]));
      rows.forEach(function (row, index) {
        var y = index * rowHeight;
        var group = svg('g', {transform: 'translate(0,' + y + ')'});
        group.appendChild(svg('text', {x: left, y: labelHeight - 4}, [row.name]));
        [['target', row.target], ['self', row.self], ['evidence', row.evidenced]].forEach(function (series, position) {
          var top = labelHeight + position * (bar + gap);
          var value = series[1];
          if (value !== null && value !== undefined) {
            group.appendChild(svg('rect', {class: 'ldai-series-' + series[0], x: left, y: top, height: bar, width: Math.max(2, value * scale)}));
          }
          group.appendChild(svg('text', {x: left + (value ? value * scale : 0) + 6, y: top + bar - 1}, [fmt(value)]));
        });
        node.appendChild(group);
      });
      return node;
    }

    function legend() {
      return el('ul', {class: 'ldai-legend', 'aria-hidden': 'true'}, [
        ['target', t('Target for your job')], ['self', t('Self-assessed')], ['evidence', t('Evidenced by your results')]
      ].map(function (item) {
        return el('li', {}, [el('span', {class: 'ldai-swatch ldai-series-' + item[0]}), item[1]]);
      }));
    }

    function table(rows) {
      return el('table', {}, [
        el('caption', {text: t('Your levels per competence, from 0 (unaware) to 3 (autonomous, helps others)')}),
        el('thead', {}, [el('tr', {}, [t('Competence'), t('Target'), t('Self-assessed'), t('Evidenced'), t('Confidence'), t('Weighted gap')].map(function (label) {
          return el('th', {scope: 'col', text: label});
        }))]),
        el('tbody', {}, rows.map(function (row) {
          return el('tr', {}, [
            el('th', {scope: 'row', text: row.name}),
            el('td', {text: fmt(row.target)}),
            el('td', {text: fmt(row.self)}),
            el('td', {text: row.evidenced === null ? t('unknown (no result yet)') : fmt(row.evidenced)}),
            el('td', {text: row.evidence_count ? i18n.percent(row.confidence) : '–'}),
            el('td', {text: row.gap === null ? t('unknown') : fmt(row.gap)})
          ]);
        }))
      ]);
    }

    function renderMap() {
      var map = state.map;
      var heading = el('h3', {text: t('Your skills map'), tabindex: '-1', 'data-ldai-focus': true});
      var job = state.jobs.filter(function (j) { return j.id === state.job; })[0];
      stage.appendChild(heading);
      stage.appendChild(el('p', {text: t('Job family: {job}', {job: job ? job.name : state.job})}));
      stage.appendChild(el('h4', {text: t('Your three priorities')}));
      if (map.priorities.length) {
        stage.appendChild(el('ol', {class: 'ldai-priorities'}, map.priorities.map(function (priority) {
          return el('li', {}, [el('strong', {text: priority.name}), ' — ',
            priority.activities.length ? t('build it with: {activities}', {activities: priority.activities.join(', ')})
              : t('no activity of this course measures it yet: plan it with your manager.')]);
        })));
      } else {
        stage.appendChild(el('p', {text: t('You meet every target of your job that we can measure.')}));
      }
      if (map.unknown.length) {
        stage.appendChild(el('p', {class: 'ldai-muted', text: t('Unknown so far (no self-assessment and no result): {names}.', {names: map.unknown.map(function (u) { return u.name; }).join(', ')})}));
      }
      stage.appendChild(el('h4', {text: t('Since your last visit')}));
      if (!map.last_seen_at) {
        stage.appendChild(el('p', {text: t('This is your first visit: next time you will see what changed.')}));
      } else if (!map.changes.length) {
        stage.appendChild(el('p', {text: t('No change since your last visit.')}));
      } else {
        stage.appendChild(el('ul', {}, map.changes.map(function (change) {
          return el('li', {text: (change.delta > 0 ? t('{name}: up by {delta}', {name: change.name, delta: fmt(change.delta)})
            : t('{name}: down by {delta}', {name: change.name, delta: fmt(-change.delta)}))});
        })));
      }
      stage.appendChild(el('h4', {text: t('Levels per competence')}));
      stage.appendChild(legend());
      stage.appendChild(chart(map.competences));
      stage.appendChild(table(map.competences));
      stage.appendChild(el('div', {class: 'ldai-toolbar'}, [
        el('button', {type: 'button', class: 'ldai-secondary', text: t('Review my self-assessment'), onclick: function () { editing = true; render(); }}),
        state.job_origin === 'learner' ? el('button', {type: 'button', class: 'ldai-secondary', text: t('Change my job family'), onclick: function () {
          state = Object.assign({}, state, {job: ''}); render();
        }}) : null
      ]));
      if (!seenSent) {
        seenSent = true;
        api.call('mark_seen', {}).catch(function () { /* the next visit simply compares with an older picture */ });
      }
    }

    render(false);
  }

  global.LdaiSkillsMap = LdaiSkillsMap;
}(window));
