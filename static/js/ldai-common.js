/* Helpers shared by every ldai activity, in plain JavaScript (no framework, no bundler).
 *
 * Why here: each activity needs the same four things (translated strings, calls to
 * its XBlock handlers, an aria-live announcer, safe DOM building). Every piece of
 * text a learner or author wrote is inserted with textContent, never innerHTML.
 */
(function (global) {
  'use strict';

  function rootElement(element) {
    return element && element.jquery ? element[0] : element;
  }

  /* The start-up arguments: the block sends them as one script-safe string of JSON (rendering.pack_init_args),
   * so no host can let author text close the <script> element they travel in. */
  function initArgs(args) {
    if (args && typeof args.ldai === 'string') { return JSON.parse(args.ldai); }
    return args || {};
  }

  /* Strings: Open edX's compiled catalog for us first (atlas, OEP-58: window.LdaiXBlocksI18N, the namespace
   * drag-and-drop-v2 uses for its own), then the catalog the block sent, then the English source. */
  var NAMESPACE = 'LdaiXBlocksI18N';

  function platformText(msgid, plural, n) {
    var platform = global[NAMESPACE];
    if (!platform) { return null; }
    var text = plural === undefined ? platform.gettext(msgid) : platform.ngettext(msgid, plural, n);
    var source = plural === undefined || n === 1 ? msgid : plural;
    return text && text !== source ? text : null;
  }

  function makeI18n(lang, catalog) {
    catalog = catalog || {};
    function pluralIndex(n) {
      return lang === 'fr' ? (n > 1 ? 1 : 0) : (n !== 1 ? 1 : 0);
    }
    function interpolate(text, values) {
      if (!values) { return text; }
      return text.replace(/\{(\w+)\}/g, function (match, key) {
        return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
      });
    }
    return {
      lang: lang || 'en',
      gettext: function (msgid, values) {
        var text = platformText(msgid) || catalog[msgid];
        return interpolate(typeof text === 'string' && text ? text : msgid, values);
      },
      ngettext: function (singular, plural, n, values) {
        var forms = catalog[singular];
        var index = pluralIndex(n);
        var text = platformText(singular, plural, n) ||
          (Array.isArray(forms) && forms[index] ? forms[index] : (index === 0 ? singular : plural));
        return interpolate(text, values);
      },
      percent: function (fraction) {
        return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-US', {style: 'percent', maximumFractionDigits: 0}).format(fraction);
      }
    };
  }

  /* el('p', {class: 'x', text: 'hello', 'aria-live': 'polite'}, [child, 'text']) */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) { return; }
      if (key === 'text') { node.textContent = value; }
      else if (key === 'class') { node.className = value; }
      else if (key.slice(0, 2) === 'on' && typeof value === 'function') { node.addEventListener(key.slice(2), value); }
      else if (value === true) { node.setAttribute(key, ''); }
      else { node.setAttribute(key, String(value)); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) { return; }
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    return node;
  }

  /* Django's CSRF token the way Open edX's own XBlock JavaScript sends it: the header its pages set on every
   * jQuery request ($.ajaxSetup in the LMS and Studio), else Django's readable csrftoken cookie. */
  function csrfToken() {
    var jq = global.jQuery;
    var headers = jq && jq.ajaxSettings && jq.ajaxSettings.headers;
    if (headers && headers['X-CSRFToken']) { return headers['X-CSRFToken']; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  /* Calls the block's JSON handlers; rejects with an Error whose message is for the user. */
  function makeApi(runtime, element, i18n) {
    return {
      /* options.keepalive: the request outlives the page (a save sent while the learner leaves). */
      call: function (handler, data, options) {
        var url = runtime.handlerUrl(element, handler);
        return fetch(url, {
          method: 'POST',
          keepalive: !!(options && options.keepalive),
          credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), 'X-Requested-With': 'XMLHttpRequest'},
          body: JSON.stringify(data || {})
        }).catch(function () {
          throw new Error(i18n.gettext('We could not reach the server. Check your connection and try again: nothing you entered is lost.'));
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (payload) {
            if (!response.ok) {
              var error = new Error(payload.error || i18n.gettext('Something went wrong on our side. Try again in a moment: nothing you entered is lost.'));
              error.fields = payload.fields || {};
              error.code = payload.code || 'error';
              throw error;
            }
            if (payload && payload.badge) { showBadge(element, payload.badge); }
            return payload;
          });
        });
      }
    };
  }

  /* A badge earned by the request just answered (BadgeMixin): shown in the activity's badge region,
   * announced by its live region. Texts and links come translated from the server. */
  function showBadge(element, badge) {
    var region = rootElement(element).querySelector('[data-ldai-badge-region]');
    if (!region) { return; }
    var box = el('div', {class: 'ldai-alert ' + (badge.earned ? 'ldai-alert-success' : 'ldai-alert-info')}, [el('p', {text: badge.message})]);
    if (badge.page_url) {
      box.appendChild(el('p', {}, [el('a', {href: badge.page_url, target: '_blank', rel: 'noopener', text: badge.page_label || badge.name})]));
    }
    if ((badge.downloads || []).length) {
      box.appendChild(el('ul', {}, badge.downloads.map(function (d) { return el('li', {}, [el('a', {href: d.url, download: '', text: d.label})]); })));
    }
    clear(region).appendChild(box);
  }

  /* The badge section of a Studio form, saved through badge_submit after the activity's own save. */
  function badgeData(form) {
    var data = {};
    ['enabled', 'criterion', 'min_score', 'competence', 'min_level', 'name', 'description', 'criteria_text', 'colour', 'image_svg', 'alignments'].forEach(function (name) {
      data[name] = fieldValue(form, 'badge_' + name);
    });
    return data;
  }

  /* A polite live region: screen readers read each message once, even when repeated. */
  function makeAnnouncer(region) {
    return function announce(text) {
      region.textContent = '';
      global.setTimeout(function () { region.textContent = text; }, 50);
    };
  }

  /* Wires a help button to a native <dialog>; Escape closes it and focus returns to the button. */
  function wireHelp(root) {
    var button = root.querySelector('[data-ldai-help-open]');
    var dialog = root.querySelector('dialog.ldai-help');
    if (!button || !dialog) { return; }
    button.addEventListener('click', function () {
      if (typeof dialog.showModal === 'function') { dialog.showModal(); } else { dialog.setAttribute('open', ''); }
    });
    dialog.querySelectorAll('[data-ldai-help-close]').forEach(function (close) {
      close.addEventListener('click', function () { dialog.close ? dialog.close() : dialog.removeAttribute('open'); });
    });
    dialog.addEventListener('close', function () { button.focus(); });
  }

  /* Shows an error next to a form field (aria-invalid + aria-describedby) or clears it. */
  function setFieldErrors(form, fields) {
    form.querySelectorAll('.ldai-field-error').forEach(function (node) { node.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    var first = null;
    Object.keys(fields || {}).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) { return; }
      var id = (input.id || name) + '-error';
      var message = el('ul', {class: 'ldai-field-error', id: id}, (fields[name] || []).map(function (text) {
        return el('li', {text: text});
      }));
      /* A hidden field (a whole group such as the charter or the weights) has its message on its group,
         and the group's first control takes the focus. */
      var hidden = input.type === 'hidden';
      var target = hidden ? input.parentNode.querySelector('input:not([type=hidden]), select, textarea, button') || input : input;
      target.setAttribute('aria-invalid', 'true');
      target.setAttribute('aria-describedby', [target.getAttribute('data-describedby') || '', id].join(' ').trim());
      var anchor = hidden ? input.parentNode : (input.closest('.ldai-field') || input);
      anchor.appendChild(message);
    });
    /* The first problem in the order the author reads the form, not in the order the server listed them. */
    first = form.querySelector('[aria-invalid="true"]');
    return first;
  }

  /* What every Studio script starts from: its form, strings, handler calls and live region. */
  function studioParts(runtime, element, args) {
    args = initArgs(args);
    var root = rootElement(element);
    var form = root.querySelector('[data-ldai-studio-form]');
    var i18n = makeI18n(args.lang, args.i18n);
    return {root: root, form: form, i18n: i18n, args: args, api: makeApi(runtime, root, i18n),
      announce: makeAnnouncer(form.querySelector('[data-ldai-live]'))};
  }

  /* What a learner script starts from: the activity's section, its decoded arguments, strings, handler calls,
     live region and the id prefix of its elements. */
  function learnerParts(runtime, element, args, sectionSelector) {
    args = initArgs(args);
    var outer = rootElement(element);
    var root = outer.querySelector(sectionSelector) || outer;
    var i18n = makeI18n(args.lang, args.i18n);
    return {root: root, args: args, i18n: i18n, api: makeApi(runtime, outer, i18n),
      announce: makeAnnouncer(root.querySelector('[data-ldai-live]')),
      uid: root.getAttribute('aria-labelledby').replace(/-title$/, '')};
  }

  /* The value of a named form control, typed: checkbox -> boolean, number -> number or null. */
  function fieldValue(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) { return undefined; }
    if (input.type === 'checkbox') { return input.checked; }
    /* A number box the browser cannot read (1e309 in Chromium: value "", badInput) or Infinity (which JSON
       sends as null) is sent as text, so the server answers with what to type instead of ignoring it. */
    if (input.type === 'number') {
      if (input.validity && input.validity.badInput) { return '?'; }
      return input.value === '' ? null : (isFinite(Number(input.value)) ? Number(input.value) : input.value);
    }
    return input.value;
  }

  function notify(runtime, name, data) {
    if (runtime.notify) { runtime.notify(name, data); }
  }

  /* The pack hooks of wireStudioForm for an editor that is a JSON box (the field ``name``): ask ``question``
   * before replacing what the author wrote, then put the pack in the box, pretty-printed, and hand it to
   * ``after(document)`` (a grid redrawn from it), or else move the focus to the box. */
  function jsonBoxHooks(form, name, question, after) {
    var area = form.querySelector('[name="' + name + '"]');
    return {
      confirmReplace: function () { return !area.value.trim() || global.confirm(question); },
      packLoaded: function (document) {
        area.value = JSON.stringify(document, null, 2);
        if (after) { after(document); } else { area.focus(); }
      }
    };
  }

  /* The Studio form every activity shares: save all or nothing through studio_submit (errors next to
   * each field, a summary, focus on the first problem), tell Studio (notify save / error / cancel),
   * and copy a default pack into the editor. Hooks:
   *   collect()            -> the data to save (required)
   *   saved(result)        -> after a successful save
   *   failed(error, first) -> after errors are shown; may return {summary: extra text, focus: element}
   *   confirmReplace()     -> false to keep the author's content when a pack is loaded
   *   packLoaded(document) -> put the pack into the editor */
  function wireStudioForm(runtime, form, i18n, api, announce, hooks) {
    var t = i18n.gettext;
    var summary = form.querySelector('[data-ldai-error-summary]');

    function showSummary(message) {
      summary.textContent = message;
      summary.hidden = !message;
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      showSummary('');
      setFieldErrors(form, {});
      notify(runtime, 'save', {state: 'start', message: t('Saving')});
      var badgeEditor = form.querySelector('[data-ldai-badge-editor]');
      api.call('studio_submit', hooks.collect()).then(function (result) {
        return badgeEditor ? api.call('badge_submit', badgeData(form)).then(function () { return result; }) : result;
      }).then(function (result) {
        if (hooks.saved) { hooks.saved(result); }
        announce(result.message || t('Saved.'));
        notify(runtime, 'save', {state: 'end'});
      }).catch(function (error) {
        notify(runtime, 'error', {title: t('Not saved'), message: error.message});
        var first = setFieldErrors(form, error.fields);
        var extra = (hooks.failed && hooks.failed(error, first)) || {};
        showSummary(error.message + (extra.summary ? ' ' + extra.summary : ''));
        /* The summary is sticky at the top; the field comes to the middle, so both stay in view. */
        var target = extra.focus || first || summary;
        target.focus({preventScroll: true});
        if (target.scrollIntoView) { target.scrollIntoView({block: 'center'}); }
      });
    });

    var cancel = form.querySelector('[data-ldai-cancel]');
    if (cancel) { cancel.addEventListener('click', function () { notify(runtime, 'cancel', {}); }); }

    var loadPack = form.querySelector('[data-ldai-load-pack]');
    if (loadPack && hooks.packLoaded) {
      loadPack.addEventListener('click', function () {
        if (hooks.confirmReplace && !hooks.confirmReplace()) { return; }
        api.call('pack_document', {pack: fieldValue(form, 'pack')}).then(function (result) {
          hooks.packLoaded(result.document);
          announce(t('The pack was copied into the editor. Edit it, then save.'));
        }).catch(function (error) {
          setFieldErrors(form, error.fields || {pack: [error.message]});
        });
      });
    }
    return {showSummary: showSummary};
  }

  /* A form editor over the content JSON (question by question, scenario by scenario): it edits the JSON
   * in the box, or the selected pack when the box is empty; a box that is not JSON is said next to it.
   * makeEditor(panel, area, i18n, loadDocument, announce) builds the editor; returns it. */
  function contentEditor(parts, makeEditor, panelSelector, buttonSelector, invalidMessage) {
    var form = parts.form;
    var area = form.querySelector('[name="custom_content"]');
    var button = form.querySelector(buttonSelector);
    var editor = makeEditor(form.querySelector(panelSelector), area, parts.i18n, function () {
      if (area.value.trim()) {
        try { return Promise.resolve(JSON.parse(area.value)); } catch (error) { return Promise.reject(new Error(invalidMessage)); }
      }
      return parts.api.call('pack_document', {pack: fieldValue(form, 'pack')}).then(function (result) { return result.document; });
    }, parts.announce);
    button.addEventListener('click', function () {
      setFieldErrors(form, {});
      editor.open().then(function () {
        button.setAttribute('aria-expanded', 'true');
      }).catch(function (error) {
        setFieldErrors(form, {custom_content: [error.message]});
      });
    });
    return editor;
  }

  /* A learner's small form sent to a handler: done(result) on success; otherwise the message in the form's status,
   * next to the field it names, and the focus on that field (or on fallback). */
  function sendLearnerChoice(api, form, status, handler, payload, field, fallback, done) {
    setFieldErrors(form, {});
    api.call(handler, payload).then(done).catch(function (error) {
      var fields = {};
      if (error.fields && error.fields[field]) { fields[field] = error.fields[field]; }
      var first = setFieldErrors(form, fields);
      status.textContent = error.message;
      (first || fallback).focus();
    });
  }

  /* The learner's choice of how the others see them on a leaderboard (LeaderboardMixin: hidden by default,
   * first name or an alias). Shown only when the author lets names appear; onSaved(board) redraws the board. */
  var nameChoiceCount = 0;
  function leaderboardNameChoice(board, api, i18n, onSaved) {
    if (!board || !board.names_shown) { return null; }
    var t = i18n.gettext;
    var mine = board.my_name || {show: 'hidden', alias: ''};
    var id = 'ldai-lb-name-' + (++nameChoiceCount);
    var status = el('p', {class: 'ldai-status', role: 'status', 'aria-live': 'polite'});
    /* The alias box is named by the option it belongs to (its radio's label names the radio only). */
    var alias = el('input', {type: 'text', id: id + '-alias', name: 'alias', maxlength: 40, value: mine.alias || '', autocomplete: 'nickname',
      'aria-labelledby': id + '-alias-label'});
    var options = [['hidden', t('Do not show my name')], ['first_name', t('Show my first name')], ['alias', t('Show this name:')]];
    var fieldset = el('fieldset', {class: 'ldai-lb-name'}, [el('legend', {text: t('How the other learners see you')})].concat(options.map(function (option) {
      return el('div', {}, [
        el('input', {type: 'radio', id: id + '-' + option[0], name: id, value: option[0], checked: mine.show === option[0]}),
        el('label', {for: id + '-' + option[0], id: id + '-' + option[0] + '-label', text: option[1]}),
        option[0] === 'alias' ? alias : null
      ]);
    })));
    var save = el('button', {type: 'submit', class: 'ldai-secondary', text: t('Save my choice')});
    var form = el('form', {novalidate: true}, [fieldset, save, status]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var checked = form.querySelector('input[type=radio]:checked');
      sendLearnerChoice(api, form, status, 'leaderboard_name_choice', {show: checked ? checked.value : 'hidden', alias: alias.value}, 'alias', alias,
        function (result) {
          status.textContent = t('Saved.');
          if (onSaved) { onSaved(result.leaderboard); }
        });
    });
    return form;
  }

  /* The team challenge's Studio fields (TeamChallengeMixin): their values for the save, and a CSV file read
   * into the box (the instructor sees and can fix what was read; nothing is sent before Save). */
  var TEAM_FIELDS = ['team_mode', 'team_source', 'teamset_id', 'team_min_members', 'season_start', 'season_end', 'team_roster_csv'];
  function teamSettings(form, announce, i18n) {
    var file = form.querySelector('[data-ldai-csv-file]');
    var box = form.querySelector('[name="team_roster_csv"]');
    if (file && box) {
      file.addEventListener('change', function () {
        var chosen = file.files && file.files[0];
        if (!chosen) { return; }
        var reader = new FileReader();
        reader.onload = function () {
          box.value = String(reader.result || '').replace(/^\ufeff/, '');
          announce(i18n.gettext('The file was read into the box: check it, then save.'));
          box.focus();
        };
        reader.readAsText(chosen, 'utf-8');
      });
    }
    return function collect(data) {
      TEAM_FIELDS.forEach(function (name) {
        var value = fieldValue(form, name);
        if (value !== undefined) { data[name] = value; }
      });
      return data;
    };
  }

  /* The team part of a leaderboard (TeamChallengeMixin): the season, the team table (with a table caption for
   * screen readers), the teams not ranked yet, and the learner's choice of team when the activity offers it. */
  var teamChoiceCount = 0;
  function teamBoard(board, api, i18n, onSaved) {
    if (!board || !board.teams) { return null; }
    var t = i18n.gettext;
    var status = el('p', {class: 'ldai-status', role: 'status', 'aria-live': 'polite'});
    var body = el('div', {});
    var section = el('section', {class: 'ldai-lb-team-board', 'aria-label': t('Team leaderboard')}, [body, status]);

    function teamTable(ranked) {
      return el('table', {class: 'ldai-lb-teams'}, [
        el('caption', {text: t('Team score: the mean of the members\u2019 best scores')}),
        el('thead', {}, [el('tr', {}, [el('th', {scope: 'col', text: t('Rank')}), el('th', {scope: 'col', text: t('Team')}),
          el('th', {scope: 'col', text: t('Members')}), el('th', {scope: 'col', text: t('Team score')})])]),
        el('tbody', {}, ranked.map(function (team) {
          return el('tr', {class: team.mine ? 'ldai-lb-mine' : null}, [
            el('th', {scope: 'row', text: String(team.rank)}),
            el('td', {text: team.mine ? t('{team} (your team)', {team: team.team}) : team.team}),
            el('td', {text: String(team.members)}),
            el('td', {text: i18n.percent(team.score)})
          ]);
        }))
      ]);
    }

    function choiceForm(current) {
      var id = 'ldai-team-choice-' + (++teamChoiceCount);
      var select = el('select', {id: id, name: 'team'}, [el('option', {value: '', text: t('Choose a team')})].concat(current.team_choices.map(function (name) {
        return el('option', {value: name, text: name, selected: name === current.my_team});
      })));
      var form = el('form', {class: 'ldai-lb-team-choice', novalidate: true}, [
        el('div', {class: 'ldai-field'}, [el('label', {for: id, text: t('Your team')}), select]),
        el('button', {type: 'submit', class: 'ldai-secondary', text: t('Join this team')})
      ]);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var chosen = select.value;
        sendLearnerChoice(api, form, status, 'choose_team', {team: chosen}, 'team', select, function (result) {
          fill(result.leaderboard);
          status.textContent = t('You joined {team}.', {team: chosen});
          if (onSaved) { onSaved(result.leaderboard); }
        });
      });
      return form;
    }

    /* The board is redrawn inside the same section, so the live region that says what happened stays in place. */
    function fill(current) {
      clear(body);
      var ranked = current.teams.filter(function (team) { return team.rank !== null; });
      var waiting = current.teams.filter(function (team) { return team.rank === null; });
      body.appendChild(el('h4', {text: t('Team leaderboard')}));
      body.appendChild(el('p', {class: 'ldai-lb-season', text: current.season.message}));
      body.appendChild(el('p', {text: current.my_team ? t('Your team: {team}.', {team: current.my_team}) : t('You are not in a team yet.')}));
      body.appendChild(ranked.length ? teamTable(ranked)
        : el('p', {class: 'ldai-muted', text: t('No team is ranked yet: a team needs {n} members with a score.', {n: current.min_members})}));
      if (waiting.length) {
        body.appendChild(el('p', {class: 'ldai-muted', text: t('Not ranked yet (fewer than {n} members with a score): {teams}.',
          {n: current.min_members, teams: waiting.map(function (team) { return team.team; }).join(', ')})}));
      }
      if (current.team_choices && current.team_choices.length) { body.appendChild(choiceForm(current)); }
    }

    fill(board);
    return section;
  }

  global.LdaiCommon = {
    teamSettings: teamSettings,
    teamBoard: teamBoard,
    contentEditor: contentEditor,
    leaderboardNameChoice: leaderboardNameChoice,
    initArgs: initArgs,
    fieldValue: fieldValue,
    wireStudioForm: wireStudioForm,
    jsonBoxHooks: jsonBoxHooks,
    studioParts: studioParts,
    learnerParts: learnerParts,
    rootElement: rootElement,
    makeI18n: makeI18n,
    el: el,
    clear: clear,
    makeApi: makeApi,
    makeAnnouncer: makeAnnouncer,
    wireHelp: wireHelp,
    setFieldErrors: setFieldErrors
  };
}(window));
