/* Studio editor of the hallucination detector: plain settings, and an annotation editor for the
 * author's own texts. The author writes or pastes a text, selects a passage in it (mouse, or Shift
 * and the arrow keys: it is a plain textarea), marks it as a hallucination or a trap, then fills in
 * kind, explanation and correction. Editing the text moves the marks with it. The editor writes the
 * JSON document into the "custom_content" field; saving is all or nothing on the server, and each
 * problem is shown next to the mark or field it concerns. Offsets are code points, as on the server. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var S = global.LdaiSpans;
  var domId = global.LdaiDom.id;
  var classes = global.LdaiDom.classes;
  var el = C.el;
  var FAMILIES = ['all', 'marketing', 'finance', 'hr', 'production', 'sales', 'management'];

  function LdaiHallucinationDetectorStudio(runtime, element, args) {
    var parts = C.studioParts(runtime, element, args);
    args = parts.args;
    var root = parts.root, form = parts.form, i18n = parts.i18n, api = parts.api, announce = parts.announce;
    var t = i18n.gettext;
    var studio = null;  /* the shared Studio form wiring, set up below */
    var body = form.querySelector('[data-ldai-editor-body]');
    var jsonArea = form.querySelector('[name="custom_content"]');
    var uid = root.querySelector('section').getAttribute('aria-labelledby').replace(/-studio-title$/, '');
    var kindLabels = args.kind_labels || {};
    var familyLabels = {all: t('All job families'), marketing: t('Marketing'), finance: t('Finance'), hr: t('Human resources'),
      production: t('Production'), sales: t('Sales'), management: t('Management')};
    var doc = null;
    var current = 0;
    var errors = {};  /* JSON path prefix -> [messages] from the last save */

    /* ------------------------------------------------------------------ document <-> JSON field */
    function loadFromJson(quiet) {
      var text = jsonArea.value.trim();
      if (!text) { doc = null; render(); return true; }
      try {
        var parsed = JSON.parse(text);
        if (!parsed || !Array.isArray(parsed.items)) { throw new Error('shape'); }
        doc = parsed;
        current = Math.min(current, Math.max(0, doc.items.length - 1));
        render();
        return true;
      } catch (e) {
        doc = null;
        render();
        if (!quiet) { studio.showSummary(t('The JSON cannot be opened in the editor: correct it in the JSON field, or start again from a pack.')); }
        return false;
      }
    }

    function writeJson() {
      jsonArea.value = doc ? JSON.stringify(doc, null, 2) : '';
    }

    function changed() { writeJson(); }

    function newItem() {
      var n = doc.items.length + 1;
      return {id: 'text-' + n + '-' + Date.now().toString(36), job_family: 'all', title: t('New text {n}', {n: n}),
        prompt: '', text: '', hallucinations: [], traps: []};
    }

    /* ------------------------------------------------------------------ rendering */
    function render(focusSelector) {
      C.clear(body);
      if (!doc) {
        body.appendChild(el('p', {class: 'ldai-alert ldai-alert-info', text: t('The learners see the default texts. To annotate your own, start from the selected pack or with an empty text.')}));
        return;
      }
      body.appendChild(renderDocumentFields());
      var tabs = el('div', {class: 'ldai-hd-tabs', role: 'group', 'aria-label': t('Texts of your content')},
        doc.items.map(function (item, index) {
          var hasErrors = Object.keys(errors).some(function (path) { return path.indexOf('$.items[' + index + ']') === 0; });
          return el('button', {type: 'button', class: 'ldai-secondary', 'aria-current': index === current ? 'true' : 'false',
            text: (index + 1) + '. ' + (item.title || t('Untitled')) + (hasErrors ? ' ' + t('(to correct)') : ''),
            onclick: function () { current = index; render('[data-ldai-item-title]'); }});
        }).concat([el('button', {type: 'button', class: 'ldai-secondary', text: t('Add a text'), onclick: function () {
          doc.items.push(newItem());
          current = doc.items.length - 1;
          changed();
          render('[data-ldai-item-title]');
          announce(t('Text added.'));
        }})]));
      body.appendChild(tabs);
      if (doc.items[current]) { body.appendChild(renderItem(doc.items[current], current)); }
      var target = focusSelector && body.querySelector(focusSelector);
      if (target) { target.focus(); }
    }

    function errorList(path, exact) {
      var messages = [];
      Object.keys(errors).forEach(function (key) {
        if (exact ? key === path : (key === path || key.indexOf(path + '.') === 0)) { messages = messages.concat(errors[key]); }
      });
      return messages.length ? el('ul', {class: 'ldai-field-error'}, messages.map(function (m) { return el('li', {text: m}); })) : null;
    }

    function input(id, label, value, onInput, options) {
      options = options || {};
      var control = options.multiline
        ? el('textarea', {id: id, rows: options.rows || '3', class: options.className || null, spellcheck: options.spellcheck || null})
        : el('input', {type: 'text', id: id, maxlength: options.maxlength || null});
      control.value = value || '';
      control.addEventListener('input', function () { onInput(control.value, control); });
      if (options.path) {
        var messages = errorList(options.path, true);
        if (messages) { control.setAttribute('aria-invalid', 'true'); messages.id = domId(id, 'error'); control.setAttribute('aria-describedby', messages.id); }
        return el('div', {class: 'ldai-field'}, [el('label', {for: id, text: label}), options.help ? el('p', {class: 'ldai-help-text', text: options.help}) : null, control, messages]);
      }
      return el('div', {class: 'ldai-field'}, [el('label', {for: id, text: label}), options.help ? el('p', {class: 'ldai-help-text', text: options.help}) : null, control]);
    }

    function renderDocumentFields() {
      var langId = domId(uid, 'doc', 'lang');
      var lang = el('select', {id: langId}, [['en', t('English')], ['fr', t('French')]].map(function (pair) {
        return el('option', {value: pair[0], selected: doc.lang === pair[0], text: pair[1]});
      }));
      lang.addEventListener('change', function () { doc.lang = lang.value; changed(); });
      return el('div', {class: 'ldai-card'}, [
        input(domId(uid, 'doc', 'title'), t('Title of your content'), doc.title, function (v) { doc.title = v; changed(); }, {maxlength: '300', path: '$.title'}),
        el('div', {class: 'ldai-field'}, [el('label', {for: langId, text: t('Language of the texts')}), lang]),
        errorList('$.items', true)
      ]);
    }

    function renderItem(item, index) {
      var base = '$.items[' + index + ']';
      var idBase = domId(uid, 'item', index);
      var familyId = domId(idBase, 'family');
      var family = el('select', {id: familyId}, FAMILIES.map(function (f) {
        return el('option', {value: f, selected: item.job_family === f, text: familyLabels[f]});
      }));
      family.addEventListener('change', function () { item.job_family = family.value; changed(); });
      var textField = input(domId(idBase, 'text'), t('The AI-generated text'), item.text, function (value, control) {
        moveMarks(item, value);
        item.text = value;
        changed();
        refreshMarkQuotes(item, control);
      }, {multiline: true, rows: '10', className: 'ldai-hd-annotate', spellcheck: 'false', path: base + '.text',
        help: t('Select a passage here (mouse, or Shift and the arrow keys), then press one of the buttons below.')});
      var textArea = textField.querySelector('textarea');

      var card = el('div', {class: 'ldai-card', 'data-ldai-item': String(index)}, [
        el('h3', {text: t('Text {n}', {n: index + 1})}),
        input(domId(idBase, 'title'), t('Title'), item.title, function (v) { item.title = v; changed(); }, {maxlength: '300', path: base + '.title'}),
        el('div', {class: 'ldai-field'}, [el('label', {for: familyId, text: t('Job family')}), family]),
        input(domId(idBase, 'prompt'), t('What the assistant was asked (the prompt)'), item.prompt, function (v) { item.prompt = v; changed(); }, {multiline: true, rows: '3', path: base + '.prompt'}),
        input(domId(idBase, 'source'), t('Source document the learner may check (optional)'), item.source, function (v) {
          if (v.trim()) { item.source = v; } else { delete item.source; }
          changed();
        }, {multiline: true, rows: '4', path: base + '.source'}),
        textField,
        el('div', {class: 'ldai-toolbar'}, [
          el('button', {type: 'button', 'data-ldai-mark-hallucination': true, text: t('Mark as hallucination'), onclick: function () { addMark(item, textArea, 'hallucinations'); }}),
          el('button', {type: 'button', class: 'ldai-secondary', text: t('Mark as trap (true but surprising)'), onclick: function () { addMark(item, textArea, 'traps'); }})
        ]),
        renderMarks(item, index, textArea),
        renderPreview(item, index),
        el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'button', class: 'ldai-secondary', text: t('Remove this text'), onclick: function () {
          if (!global.confirm(t('Remove this text and its marks?'))) { return; }
          doc.items.splice(index, 1);
          if (!doc.items.length) { doc.items.push(newItem()); }
          current = Math.max(0, Math.min(current, doc.items.length - 1));
          changed();
          render();
          announce(t('Text removed.'));
        }})])
      ]);
      card.querySelector('input').setAttribute('data-ldai-item-title', '');
      return card;
    }

    function selectionOf(item, area) {
      var start = S.toCodePoint(area.value, Math.min(area.selectionStart, area.selectionEnd));
      var end = S.toCodePoint(area.value, Math.max(area.selectionStart, area.selectionEnd));
      return S.trim(S.chars(item.text), start, end);
    }

    function overlapsOther(item, span, except) {
      return ['hallucinations', 'traps'].some(function (group) {
        return (item[group] || []).some(function (mark) {
          return mark !== except && mark.start < span[1] && span[0] < mark.end;
        });
      });
    }

    function addMark(item, area, group) {
      var span = selectionOf(item, area);
      if (!span) {
        announce(t('Select a passage in the text first.'));
        area.focus();
        return;
      }
      if (overlapsOther(item, span, null)) {
        announce(t('This passage overlaps a passage already marked: change or remove that mark first.'));
        area.focus();
        return;
      }
      var quote = S.quote(S.chars(item.text), span);
      var mark = group === 'hallucinations'
        ? {start: span[0], end: span[1], quote: quote, kind: 'fabricated_fact', explanation: '', correction: ''}
        : {start: span[0], end: span[1], quote: quote, explanation: ''};
      item[group] = item[group] || [];
      item[group].push(mark);
      item[group].sort(function (a, b) { return a.start - b.start; });
      changed();
      render('[data-ldai-mark="' + group + '-' + item[group].indexOf(mark) + '"]');
      announce(group === 'hallucinations' ? t('Marked as hallucination: “{passage}”. Now choose its kind and write the explanation and the correction.', {passage: quote})
        : t('Marked as trap: “{passage}”. Now explain why it is true.', {passage: quote}));
    }

    /* Keep marks on the same words when the author edits the text (the edited region is found by diff). */
    function moveMarks(item, newText) {
      var before = S.chars(item.text || '');
      var after = S.chars(newText);
      var prefix = 0;
      while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) { prefix++; }
      var suffix = 0;
      while (suffix < before.length - prefix && suffix < after.length - prefix &&
             before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) { suffix++; }
      var oldEnd = before.length - suffix;
      var newEnd = after.length - suffix;
      var delta = after.length - before.length;
      ['hallucinations', 'traps'].forEach(function (group) {
        (item[group] || []).forEach(function (mark) {
          if (mark.end <= prefix) { return; }
          if (mark.start >= oldEnd) { mark.start += delta; mark.end += delta; }
          else {
            mark.start = Math.min(mark.start, prefix);
            mark.end = mark.end > oldEnd ? mark.end + delta : newEnd;
          }
          mark.quote = S.quote(after, [mark.start, mark.end]);
          if (!mark.quote) { delete mark.quote; }
        });
      });
    }

    function refreshMarkQuotes(item, area) {
      body.querySelectorAll('[data-ldai-mark-quote]').forEach(function (node) {
        var parts = node.getAttribute('data-ldai-mark-quote').split('-');
        var mark = (item[parts[0]] || [])[Number(parts[1])];
        node.textContent = mark && mark.end > mark.start ? S.quote(S.chars(item.text), [mark.start, mark.end]) : t('(empty: select the passage again)');
      });
      if (area) { area.focus(); }
    }

    function renderMarks(item, index, area) {
      var base = '$.items[' + index + ']';
      var entries = [];
      ['hallucinations', 'traps'].forEach(function (group) {
        (item[group] || []).forEach(function (mark, markIndex) {
          entries.push(renderMark(item, group, mark, markIndex, base + '.' + group + '[' + markIndex + ']', area));
        });
      });
      return el('section', {class: 'ldai-hd-marks-box'}, [
        el('h4', {text: t('Marked passages')}),
        entries.length ? el('ul', {class: 'ldai-hd-marks'}, entries) : el('p', {class: 'ldai-muted', text: t('No passage marked yet.')}),
        errorList(base + '.hallucinations', true),
        errorList(base + '.traps', true)
      ]);
    }

    function renderMark(item, group, mark, markIndex, path, area) {
      var isTrap = group === 'traps';
      var idBase = uid + '-' + path.replace(/[^a-z0-9]+/gi, '-');
      var chars = S.chars(item.text);
      var quote = mark.end > mark.start && mark.end <= chars.length ? S.quote(chars, [mark.start, mark.end]) : t('(empty: select the passage again)');
      var ownErrors = errorList(path, true);
      var children = [
        el('h5', {tabindex: '-1', 'data-ldai-mark': group + '-' + markIndex}, [
          isTrap ? t('Trap {n}:', {n: markIndex + 1}) : t('Hallucination {n}:', {n: markIndex + 1}), ' ',
          el('q', {'data-ldai-mark-quote': group + '-' + markIndex, text: quote})
        ]),
        ownErrors
      ];
      if (!isTrap) {
        var kindId = domId(idBase, 'kind');
        var kind = el('select', {id: kindId}, Object.keys(kindLabels).map(function (k) {
          return el('option', {value: k, selected: mark.kind === k, text: kindLabels[k]});
        }));
        kind.addEventListener('change', function () { mark.kind = kind.value; changed(); });
        children.push(el('div', {class: 'ldai-field'}, [el('label', {for: kindId, text: t('Kind of hallucination')}), kind, errorList(path + '.kind', true)]));
      }
      children.push(input(domId(idBase, 'explanation'), isTrap ? t('Why this passage is true') : t('Why it is wrong (explanation)'), mark.explanation,
        function (v) { mark.explanation = v; changed(); }, {multiline: true, rows: '2', path: path + '.explanation'}));
      if (!isTrap) {
        children.push(input(domId(idBase, 'correction'), t('Correction'), mark.correction, function (v) { mark.correction = v; changed(); },
          {multiline: true, rows: '2', path: path + '.correction'}));
      }
      children.push(input(domId(idBase, 'reference'), t('Reference (optional)'), mark.reference, function (v) {
        if (v.trim()) { mark.reference = v; } else { delete mark.reference; }
        changed();
      }, {maxlength: '500', path: path + '.reference'}));
      children.push(el('div', {class: 'ldai-toolbar'}, [
        el('button', {type: 'button', class: 'ldai-secondary', text: t('Show in the text'), onclick: function () {
          area.focus();
          area.setSelectionRange(S.toUtf16(S.chars(item.text), mark.start), S.toUtf16(S.chars(item.text), mark.end));
        }}),
        el('button', {type: 'button', class: 'ldai-secondary', text: t('Use the current selection'), onclick: function () {
          var span = selectionOf(item, area);
          if (!span) { announce(t('Select a passage in the text first.')); area.focus(); return; }
          if (overlapsOther(item, span, mark)) { announce(t('This passage overlaps a passage already marked: change or remove that mark first.')); return; }
          mark.start = span[0];
          mark.end = span[1];
          mark.quote = S.quote(S.chars(item.text), span);
          changed();
          render('[data-ldai-mark="' + group + '-' + markIndex + '"]');
          announce(t('The mark now covers “{passage}”.', {passage: mark.quote}));
        }}),
        el('button', {type: 'button', class: 'ldai-secondary', text: t('Remove the mark'), onclick: function () {
          item[group].splice(markIndex, 1);
          changed();
          render();
          area = body.querySelector('textarea.ldai-hd-annotate');
          if (area) { area.focus(); }
          announce(t('Mark removed.'));
        }})
      ]));
      var anyError = errorList(path, false);
      return el('li', {class: classes('ldai-hd-mark', isTrap && 'ldai-hd-trap', anyError && 'ldai-hd-mark-error')}, children);
    }

    /* ------------------------------------------------------------------ preview as a learner */
    function renderPreview(item, index) {
      var box = el('div', {class: 'ldai-hallucination-detector ldai-hd-preview', hidden: true});
      var flags = [];
      var output = el('p', {role: 'status', 'aria-live': 'polite'});
      function show() {
        api.call('preview', {text: item.text, lang: doc.lang}).then(function (result) {
          flags = [];
          C.clear(box);
          box.hidden = false;
          var chars = S.chars(item.text);
          var buttons = [];
          var textBox = el('div', {class: 'ldai-hd-text', role: 'group', 'aria-label': t('Preview: the text as learners see it')});
          var position = 0;
          result.units.forEach(function (unit, i) {
            if (unit[0] > position) { textBox.appendChild(document.createTextNode(S.quote(chars, [position, unit[0]]))); }
            var button = el('button', {type: 'button', class: 'ldai-hd-unit', 'aria-pressed': 'false', tabindex: i === 0 ? '0' : '-1', text: S.quote(chars, unit)});
            button.addEventListener('click', function () {
              var on = button.getAttribute('aria-pressed') !== 'true';
              button.setAttribute('aria-pressed', on ? 'true' : 'false');
              flags = on ? S.merge(flags.concat([unit])) : S.subtract(flags, unit[0], unit[1]);
            });
            button.addEventListener('keydown', function (event) {
              var next = {ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: buttons.length - 1}[event.key];
              if (next === undefined || next < 0 || next >= buttons.length) { return; }
              event.preventDefault();
              buttons.forEach(function (b, j) { b.setAttribute('tabindex', j === next ? '0' : '-1'); });
              buttons[next].focus();
            });
            buttons.push(button);
            textBox.appendChild(button);
            position = unit[1];
          });
          if (position < chars.length) { textBox.appendChild(document.createTextNode(S.quote(chars, [position, chars.length]))); }
          box.appendChild(el('h4', {tabindex: '-1', 'data-ldai-preview-title': true, text: t('Preview as a learner')}));
          box.appendChild(el('p', {class: 'ldai-help-text', text: t('Flag passages as a learner would, then check how these flags would be graded against your marks.')}));
          box.appendChild(textBox);
          box.appendChild(el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'button', class: 'ldai-secondary', text: t('Grade these flags'), onclick: grade})]));
          box.appendChild(output);
          box.querySelector('[data-ldai-preview-title]').focus();
        }).catch(function (error) { announce(error.message); });
      }
      function grade() {
        api.call('preview', {
          text: item.text, lang: doc.lang, flags: flags,
          gold: (item.hallucinations || []).map(function (m) { return [m.start, m.end]; }),
          traps: (item.traps || []).map(function (m) { return [m.start, m.end]; })
        }).then(function (result) {
          var r = result.result;
          output.textContent = t('Found {found} of {total}. False alarms: {alarms}. Score: {score}.', {
            found: r.found.length, total: r.found.length + r.missed.length, alarms: r.false_alarms.length, score: i18n.percent(r.score)});
        }).catch(function (error) { output.textContent = error.message; });
      }
      return el('div', {}, [
        el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'button', class: 'ldai-secondary', text: t('Preview as a learner'), onclick: show})]),
        box
      ]);
    }

    /* ------------------------------------------------------------------ settings and saving */
    function value(name) { return C.fieldValue(form, name); }
    var collectTeam = C.teamSettings(form, announce, i18n);

    function collect() {
      var data = {};
      ['display_name', 'grading', 'max_attempts', 'reveal', 'weight', 'time_limit', 'leaderboard_enabled', 'leaderboard_size',
        'leaderboard_anonymous', 'pack', 'job_family', 'custom_content'].forEach(function (name) { data[name] = value(name); });
      return collectTeam(data);
    }

    function indexErrors(fieldErrors) {
      errors = {};
      (fieldErrors.custom_content || []).forEach(function (line) {
        var match = /^(\$[^:]*): (.*)$/.exec(line);
        var path = match ? match[1] : '$';
        (errors[path] = errors[path] || []).push(match ? match[2] : line);
      });
      var first = Object.keys(errors).map(function (path) { return /^\$\.items\[(\d+)\]/.exec(path); }).filter(Boolean)[0];
      if (first) { current = Number(first[1]); }
    }

    studio = C.wireStudioForm(runtime, form, i18n, api, announce, {
      collect: collect,
      saved: function () {
        errors = {};
        if (doc) { render(); }
      },
      failed: function (error) {
        var fields = error.fields || {};
        indexErrors(fields);
        var general = (errors.$ || []).concat(errors['$.schema'] || [], errors['$.id'] || []);
        if (doc) { render(); }  /* after the form's own errors, so the editor's stay */
        var focus = null;
        if (fields.custom_content && doc) {
          var details = form.querySelector('.ldai-hd-advanced');
          focus = body.querySelector('[aria-invalid="true"]');
          if (!focus && details && !body.querySelector('.ldai-field-error')) { details.open = true; }
        }
        return {summary: general.join(' '), focus: focus};
      },
      confirmReplace: function () {
        return !doc || global.confirm(t('Replace your texts with those of the selected pack?'));
      },
      packLoaded: function (document) {
        doc = document;
        doc.id = domId((doc.id || 'pack').slice(0, 56), 'custom');
        current = 0;
        errors = {};
        writeJson();
        render('[data-ldai-item-title]');
      }
    });

    form.querySelector('[data-ldai-new-document]').addEventListener('click', function () {
      if (doc && !global.confirm(t('Replace your texts with an empty one?'))) { return; }
      doc = {schema: 'ldai.hallucination_detector/1', id: 'custom', lang: args.language === 'fr' ? 'fr' : 'en', title: t('My texts'), items: []};
      doc.items.push(newItem());
      current = 0;
      errors = {};
      writeJson();
      render('[data-ldai-item-title]');
      announce(t('An empty text was created. Write or paste the AI-generated text, then mark the passages.'));
    });

    form.querySelector('[data-ldai-clear-document]').addEventListener('click', function () {
      if (doc && !global.confirm(t('Remove your own texts and use the default texts again? This takes effect when you save.'))) { return; }
      doc = null;
      errors = {};
      writeJson();
      render();
      announce(t('The default texts will be used after you save.'));
    });

    form.querySelector('[data-ldai-reload-json]').addEventListener('click', function () {
      if (loadFromJson(false)) { announce(t('The JSON was opened in the editor.')); }
    });

    loadFromJson(true);
  }

  global.LdaiHallucinationDetectorStudio = LdaiHallucinationDetectorStudio;
}(window));
