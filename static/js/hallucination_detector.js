/* Learner view of the hallucination detector: the text as toggle buttons (sentences and clauses),
 * a precise selection for shorter passages, a timer in hunt mode, and the feedback after submission.
 *
 * Keyboard: the passages form one tab stop (roving tabindex); arrow keys move, Home/End jump,
 * Space/Enter toggle (native buttons). The flag counter is visible and every change is announced
 * in the polite live region. Offsets follow the server: Unicode code points, end excluded.
 * Flags are saved as the learner works, so a reload or a lost connection loses nothing. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  /* ------------------------------------------------------------ span helpers (shared with Studio) */
  var Spans = {
    /* The text as an array of code points, so offsets match Python's. */
    chars: function (text) { return Array.from(text); },
    /* UTF-16 index (DOM selection) -> code point index. */
    toCodePoint: function (text, index) { return Array.from(text.slice(0, index)).length; },
    /* Code point index -> UTF-16 index. */
    toUtf16: function (chars, index) { return chars.slice(0, index).join('').length; },
    merge: function (spans) {
      var sorted = spans.map(function (s) { return [s[0], s[1]]; }).sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      var out = [];
      sorted.forEach(function (s) {
        var last = out[out.length - 1];
        if (last && s[0] < last[1]) { last[1] = Math.max(last[1], s[1]); } else { out.push(s); }
      });
      return out;
    },
    subtract: function (spans, start, end) {
      var out = [];
      spans.forEach(function (s) {
        if (s[1] <= start || s[0] >= end) { out.push(s); return; }
        if (s[0] < start) { out.push([s[0], start]); }
        if (s[1] > end) { out.push([end, s[1]]); }
      });
      return out;
    },
    covered: function (spans, start, end) {
      var total = 0;
      spans.forEach(function (s) { total += Math.max(0, Math.min(end, s[1]) - Math.max(start, s[0])); });
      return end > start ? total / (end - start) : 0;
    },
    /* Shrinks [start, end) to its first and last visible characters; null when only spaces. */
    trim: function (chars, start, end) {
      while (start < end && /\s/.test(chars[start])) { start++; }
      while (end > start && /\s/.test(chars[end - 1])) { end--; }
      return start < end ? [start, end] : null;
    },
    quote: function (chars, span) { return chars.slice(span[0], span[1]).join(''); }
  };

  /* "a", "b" -> "a-b": element ids built from parts. */
  function domId() { return Array.prototype.slice.call(arguments).join('-'); }

  /* Class names, skipping the false ones. */
  function classes() { return Array.prototype.filter.call(arguments, Boolean).join(' '); }

  function shorten(text, limit) {
    return text.length <= limit ? text : text.slice(0, limit - 1) + '…';
  }

  function LdaiHallucinationDetector(runtime, element, args) {
    args = C.initArgs(args);  /* decoded once: see rendering.pack_init_args */
    var root = C.rootElement(element).querySelector('.ldai-hallucination-detector') || C.rootElement(element);
    var i18n = C.makeI18n(args.lang, args.i18n);
    var t = i18n.gettext;
    var api = C.makeApi(runtime, C.rootElement(element), i18n);
    var announce = C.makeAnnouncer(root.querySelector('[data-ldai-live]'));
    var stage = root.querySelector('[data-ldai-stage]');
    var counter = root.querySelector('[data-ldai-counter]');
    var timerBadge = root.querySelector('[data-ldai-timer]');
    var uid = root.getAttribute('aria-labelledby').replace(/-title$/, '');
    var kindLabels = args.kind_labels || {};
    var state = args.state;
    var contentLang = args.content_lang || args.lang;  /* the texts may be in another language than the interface */
    var flags = {};
    var current = 0;
    var busy = false;
    var saveTimers = {};
    var clock = null;
    var deadline = null;
    var warned = false;
    var ready = false;  /* a timed hunt's "Try again": the start card first, the clock only on "Start the hunt" */

    C.wireHelp(root);

    function adoptState(newState) {
      state = newState;
      flags = {};
      state.items.forEach(function (item) { flags[item.id] = (state.flags[item.id] || []).map(function (s) { return [s[0], s[1]]; }); });
      startClock();
    }

    function totalFlags() {
      return Object.keys(flags).reduce(function (sum, id) { return sum + flags[id].length; }, 0);
    }

    function updateCounter() {
      var n = totalFlags();
      counter.hidden = !state.started || state.submitted;
      counter.textContent = i18n.ngettext('{n} flag', '{n} flags', n, {n: n});
    }

    /* ------------------------------------------------------------------ timer (hunt mode) */
    function startClock() {
      if (clock) { global.clearInterval(clock); clock = null; }
      timerBadge.hidden = true;
      if (state.seconds_left === null || state.seconds_left === undefined || state.submitted || !state.started) { return; }
      deadline = Date.now() + state.seconds_left * 1000;
      tick();
      clock = global.setInterval(tick, 1000);
    }

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      timerBadge.hidden = false;
      timerBadge.textContent = t('Time left: {time}', {time: minutes + ':' + (seconds < 10 ? '0' : '') + seconds});
      timerBadge.className = classes('ldai-badge', left <= 60 && 'ldai-bad');
      if (left <= 60 && left > 0 && !warned) {
        warned = true;
        announce(t('One minute left.'));
      }
      if (left === 0) {
        global.clearInterval(clock);
        clock = null;
        announce(t('Time is up. Your flags are being submitted.'));
        submit(true);
      }
    }

    /* ------------------------------------------------------------------ rendering */
    function render(focusSelector) {
      C.clear(stage);
      updateCounter();
      if (!state.started || ready) {
        renderStart();
      } else if (state.submitted) {
        renderResults();
      } else if (!state.items.length) {
        stage.appendChild(el('p', {class: 'ldai-alert ldai-alert-warning', text: t('This activity has no texts yet. Ask the course team to choose a pack.')}));
        return;
      } else {
        renderItem(state.items[current]);
      }
      if (focusSelector === false) { return; }
      var target = stage.querySelector(focusSelector || '[data-ldai-focus]');
      if (target) { target.focus(); }
    }

    function renderStart() {
      var minutes = state.time_limit;
      stage.appendChild(el('div', {class: 'ldai-card'}, [
        el('h3', {tabindex: '-1', 'data-ldai-focus': true, text: t('Ready for the hunt?')}),
        el('p', {text: i18n.ngettext('Once you start, you have {n} minute to flag the invented passages. Flags are saved as you go; when the time is up, they are submitted for you.', 'Once you start, you have {n} minutes to flag the invented passages. Flags are saved as you go; when the time is up, they are submitted for you.', minutes, {n: minutes})}),
        el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'button', text: t('Start the hunt'), onclick: startAttempt})]),
        /* In a team season, the learner sees the season and picks a team before the clock starts. */
        C.teamBoard(state.leaderboard, api, i18n, function (fresh) { state.leaderboard = fresh; })
      ]));
    }

    function renderItem(item) {
      var chars = Spans.chars(item.text);
      var itemFlags = flags[item.id];
      var headingId = domId(uid, 'item', item.id);
      var unitButtons = [];
      var textBox = el('div', {class: 'ldai-hd-text', role: 'group', 'aria-labelledby': domId(headingId, 'label'), lang: contentLang});
      var position = 0;
      item.units.forEach(function (unit, index) {
        if (unit[0] > position) { textBox.appendChild(document.createTextNode(Spans.quote(chars, [position, unit[0]]))); }
        var covered = Spans.covered(itemFlags, unit[0], unit[1]);
        var button = el('button', {
          type: 'button', class: 'ldai-hd-unit', tabindex: index === 0 ? '0' : '-1',
          'aria-pressed': covered >= 1 ? 'true' : (covered > 0 ? 'mixed' : 'false'),
          'data-index': String(index)
        }, unitContent(chars, unit, itemFlags));
        button.addEventListener('click', function () { toggleUnit(item, unit, index); });
        button.addEventListener('focus', function () { rove(unitButtons, index); });
        unitButtons.push(button);
        textBox.appendChild(button);
        position = unit[1];
      });
      if (position < chars.length) { textBox.appendChild(document.createTextNode(Spans.quote(chars, [position, chars.length]))); }
      textBox.addEventListener('keydown', function (event) { moveFocus(event, unitButtons); });

      var card = el('div', {class: 'ldai-card ldai-hd-item'}, [
        el('h3', {id: headingId, tabindex: '-1', 'data-ldai-focus': true, text: t('Text {n} of {total}: {title}', {n: current + 1, total: state.items.length, title: item.title})}),
        el('div', {class: 'ldai-hd-prompt'}, [
          el('p', {class: 'ldai-hd-label', text: t('What the assistant was asked')}),
          el('p', {class: 'ldai-hd-pre', text: item.prompt, lang: contentLang})
        ]),
        item.source ? el('details', {class: 'ldai-hd-source'}, [
          el('summary', {text: t('Source document to check the text against')}),
          el('div', {class: 'ldai-hd-pre', text: item.source, lang: contentLang})
        ]) : null,
        el('p', {class: 'ldai-hd-label', id: domId(headingId, 'label'), text: t('The AI-generated text: press each invented passage to flag it')}),
        textBox,
        renderPrecise(item, chars),
        renderFlagList(item, chars),
        el('div', {class: 'ldai-toolbar'}, [
          current > 0 ? el('button', {type: 'button', class: 'ldai-secondary', text: t('Previous text'), onclick: function () { current -= 1; render(); }}) : null,
          current < state.items.length - 1 ? el('button', {type: 'button', class: 'ldai-secondary', 'data-ldai-next': true, text: t('Next text'), onclick: function () { current += 1; render(); }}) : null,
          el('span', {class: 'ldai-spacer'}),
          el('button', {type: 'button', 'data-ldai-submit': true, text: t('Submit my flags'), onclick: function () { submit(false); }})
        ])
      ]);
      stage.appendChild(card);
    }

    function unitContent(chars, unit, itemFlags) {
      /* The unit's text, with the precisely flagged parts inside it marked. */
      var parts = [];
      var position = unit[0];
      Spans.merge(itemFlags).forEach(function (flag) {
        var start = Math.max(flag[0], unit[0]);
        var end = Math.min(flag[1], unit[1]);
        if (start >= end || (start === unit[0] && end === unit[1])) { return; }
        if (start > position) { parts.push(Spans.quote(chars, [position, start])); }
        parts.push(el('mark', {class: 'ldai-hd-partial', text: Spans.quote(chars, [start, end])}));
        position = end;
      });
      if (position < unit[1]) { parts.push(Spans.quote(chars, [position, unit[1]])); }
      return parts;
    }

    function rove(buttons, index) {
      buttons.forEach(function (button, i) { button.setAttribute('tabindex', i === index ? '0' : '-1'); });
    }

    function moveFocus(event, buttons) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) { return; }
      var next = null;
      if (event.key === 'ArrowRight' || event.key === 'ArrowDown') { next = Math.min(buttons.length - 1, index + 1); }
      else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') { next = Math.max(0, index - 1); }
      else if (event.key === 'Home') { next = 0; }
      else if (event.key === 'End') { next = buttons.length - 1; }
      if (next === null) { return; }
      event.preventDefault();
      rove(buttons, next);
      buttons[next].focus();
    }

    /* The words of a text, as code-point spans: what the precise selector moves over. */
    function wordsOf(chars) {
      var words = [];
      var start = null;
      for (var i = 0; i <= chars.length; i++) {
        var space = i === chars.length || /\s/.test(chars[i]);
        if (!space && start === null) { start = i; }
        if (space && start !== null) { words.push([start, i]); start = null; }
      }
      return words;
    }

    /* "Flag a precise passage": two sliders choose the first and the last word (arrow keys, Page Up/Down,
     * Home/End: native range inputs, the same in Chromium and Firefox), the passage is shown marked in a
     * copy of the text, and a mouse selection in that copy sets both sliders. No caret in a read-only
     * textarea is needed, which Chromium does not move with the keyboard. */
    function renderPrecise(item, chars) {
      var words = wordsOf(chars);
      var base = domId(uid, 'precise', item.id);
      var choice = preciseRange[item.id] || {from: 0, to: Math.min(words.length - 1, 2)};
      preciseRange[item.id] = choice;
      var copy = el('p', {class: 'ldai-hd-pre ldai-hd-precise-copy', id: base + '-copy', lang: contentLang});
      var passage = el('p', {class: 'ldai-hd-precise-passage', id: base + '-passage'});
      function wordText(index) { return Spans.quote(chars, words[index]); }
      function slider(name, label, key) {
        return el('div', {class: 'ldai-field'}, [
          el('label', {for: base + '-' + name, text: label}),
          el('input', {type: 'range', id: base + '-' + name, min: '0', max: String(Math.max(0, words.length - 1)), step: '1',
            value: String(choice[key]), 'data-ldai-precise': name, 'aria-describedby': base + '-passage'})
        ]);
      }
      var fromField = slider('from', t('First word of the passage'), 'from');
      var toField = slider('to', t('Last word of the passage'), 'to');
      var fromInput = fromField.querySelector('input');
      var toInput = toField.querySelector('input');
      function span() {
        var a = Math.min(choice.from, choice.to), b = Math.max(choice.from, choice.to);
        return words.length ? [words[a][0], words[b][1]] : null;
      }
      function paint() {
        fromInput.value = String(choice.from);
        toInput.value = String(choice.to);
        fromInput.setAttribute('aria-valuetext', t('Word {n} of {total}: {word}', {n: choice.from + 1, total: words.length, word: words.length ? wordText(choice.from) : ''}));
        toInput.setAttribute('aria-valuetext', t('Word {n} of {total}: {word}', {n: choice.to + 1, total: words.length, word: words.length ? wordText(choice.to) : ''}));
        var chosen = span();
        C.clear(copy);
        var position = 0;
        words.forEach(function (word, index) {
          if (word[0] > position) { copy.appendChild(document.createTextNode(Spans.quote(chars, [position, word[0]]))); }
          var inside = chosen && word[0] >= chosen[0] && word[1] <= chosen[1];
          copy.appendChild(el(inside ? 'mark' : 'span', {'data-w': String(index), class: inside ? 'ldai-hd-partial' : null, text: wordText(index)}));
          position = word[1];
        });
        if (position < chars.length) { copy.appendChild(document.createTextNode(Spans.quote(chars, [position, chars.length]))); }
        passage.textContent = chosen ? t('Passage to flag: “{passage}”', {passage: shorten(Spans.quote(chars, chosen), 160)}) : '';
      }
      fromInput.addEventListener('input', function () { choice.from = Number(fromInput.value); if (choice.to < choice.from) { choice.to = choice.from; } paint(); });
      toInput.addEventListener('input', function () { choice.to = Number(toInput.value); if (choice.from > choice.to) { choice.from = choice.to; } paint(); });
      /* A mouse (or touch) selection in the copy sets the two ends. */
      copy.addEventListener('mouseup', function () {
        var selection = global.getSelection ? global.getSelection() : null;
        if (!selection || selection.isCollapsed) { return; }
        var ends = [wordAt(selection.anchorNode), wordAt(selection.focusNode)].filter(function (i) { return i !== null; });
        if (!ends.length) { return; }
        choice.from = Math.min.apply(null, ends);
        choice.to = Math.max.apply(null, ends);
        paint();
      });
      function wordAt(node) {
        for (var n = node; n && n !== copy; n = n.parentNode) {
          if (n.nodeType === 1 && n.hasAttribute('data-w')) { return Number(n.getAttribute('data-w')); }
          if (n.parentNode === copy) {  /* a space between words: the word before it */
            for (var p = n.previousSibling; p; p = p.previousSibling) {
              if (p.nodeType === 1 && p.hasAttribute('data-w')) { return Number(p.getAttribute('data-w')); }
            }
            return 0;
          }
        }
        return null;
      }
      paint();
      var details = el('details', {class: 'ldai-hd-precise-box'}, [
        el('summary', {text: t('Flag a precise passage')}),
        el('p', {class: 'ldai-muted', id: base + '-help', text: t('Choose the first and the last word with the two sliders (arrow keys), or select the words with the mouse in the copy of the text below, then press “Flag this passage”.')}),
        fromField,
        toField,
        passage,
        copy,
        el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'button', class: 'ldai-secondary', 'data-ldai-precise-flag': true, text: t('Flag this passage'), onclick: function () {
          var chosen = span();
          var trimmed = chosen ? Spans.trim(chars, chosen[0], chosen[1]) : null;
          if (!trimmed) {
            announce(t('Select some words in the text first.'));
            fromInput.focus();
            return;
          }
          setFlags(item, Spans.merge(flags[item.id].concat([trimmed])));
          announce(t('Flagged: “{passage}”.', {passage: shorten(Spans.quote(chars, trimmed), 80)}) + ' ' + countText());
          render('[data-ldai-precise-flag]');
        }})])
      ]);
      if (preciseOpen[item.id]) { details.open = true; }
      details.addEventListener('toggle', function () { preciseOpen[item.id] = details.open; });
      return details;
    }
    var preciseOpen = {};
    var preciseRange = {};

    function renderFlagList(item, chars) {
      var itemFlags = Spans.merge(flags[item.id]);
      var list = itemFlags.map(function (flag) {
        var quote = shorten(Spans.quote(chars, flag), 120);
        return el('li', {}, [
          el('q', {text: quote}), ' ',
          el('button', {type: 'button', class: 'ldai-link', 'aria-label': t('Remove the flag on “{passage}”', {passage: shorten(quote, 60)}), text: t('Remove'), onclick: function () {
            setFlags(item, Spans.subtract(flags[item.id], flag[0], flag[1]));
            announce(t('Flag removed.') + ' ' + countText());
            render('[data-ldai-flag-list]');
          }})
        ]);
      });
      return el('div', {class: 'ldai-hd-flags'}, [
        el('h4', {tabindex: '-1', 'data-ldai-flag-list': true, text: t('Your flags on this text: {n}', {n: itemFlags.length})}),
        itemFlags.length ? el('ul', {}, list) : el('p', {class: 'ldai-muted', text: t('No flag yet. If you find nothing wrong, you may submit without flags.')})
      ]);
    }

    function countText() {
      var n = totalFlags();
      return i18n.ngettext('{n} flag in all.', '{n} flags in all.', n, {n: n});
    }

    function toggleUnit(item, unit, index) {
      var chars = Spans.chars(item.text);
      var covered = Spans.covered(flags[item.id], unit[0], unit[1]);
      var quote = shorten(Spans.quote(chars, unit), 80);
      if (covered > 0) {
        setFlags(item, Spans.subtract(flags[item.id], unit[0], unit[1]));
        announce(t('Unflagged: “{passage}”.', {passage: quote}) + ' ' + countText());
      } else {
        setFlags(item, Spans.merge(flags[item.id].concat([[unit[0], unit[1]]])));
        announce(t('Flagged: “{passage}”.', {passage: quote}) + ' ' + countText());
      }
      render('.ldai-hd-unit[data-index="' + index + '"]');
    }

    /* Flags not yet confirmed by the server are also kept in this tab's sessionStorage, so a
       reload or a crash between a click and its save loses nothing: they are sent again at start. */
    function pendingKey(itemId) {
      return 'ldai-hd:' + uid + ':' + state.attempt_number + ':' + itemId;
    }

    function remember(itemId) {
      try { global.sessionStorage.setItem(pendingKey(itemId), JSON.stringify(flags[itemId])); } catch (ignore) { /* storage off */ }
    }

    function forget(itemId) {
      try { global.sessionStorage.removeItem(pendingKey(itemId)); } catch (ignore) { /* storage off */ }
    }

    function resendRemembered() {
      if (!state.started || state.submitted) { return; }
      state.items.forEach(function (item) {
        var saved;
        try { saved = JSON.parse(global.sessionStorage.getItem(pendingKey(item.id)) || 'null'); } catch (ignore) { saved = null; }
        if (Array.isArray(saved)) {
          flags[item.id] = saved.filter(function (s) { return Array.isArray(s) && s.length === 2; });
          save(item);
        }
      });
    }

    function setFlags(item, newFlags) {
      flags[item.id] = newFlags;
      remember(item.id);
      updateCounter();
      if (saveTimers[item.id]) { global.clearTimeout(saveTimers[item.id]); }
      saveTimers[item.id] = global.setTimeout(function () { save(item); }, 700);
    }

    function save(item) {
      delete saveTimers[item.id];
      var sent = JSON.stringify(flags[item.id]);
      api.call('save_flags', {item_id: item.id, flags: flags[item.id]}).then(function () {
        if (JSON.stringify(flags[item.id]) === sent && !saveTimers[item.id]) { forget(item.id); }
      }).catch(function (error) {
        if (error.code === 'time_up') { submit(true); return; }
        showError(t('Your last flags are not saved yet ({reason}). They stay on this page and are sent when you submit.', {reason: error.message}));
      });
    }

    /* Leaving the page (reload, next unit, closing the tab) must not lose a flag still waiting
       for its debounced save: send it now, in a request that outlives the page. */
    function flushPendingSaves() {
      Object.keys(saveTimers).forEach(function (id) {
        global.clearTimeout(saveTimers[id]);
        delete saveTimers[id];
        api.call('save_flags', {item_id: id, flags: flags[id]}, {keepalive: true}).catch(function () { /* the page is gone */ });
      });
    }
    global.addEventListener('pagehide', flushPendingSaves);
    global.document.addEventListener('visibilitychange', function () {
      if (global.document.visibilityState === 'hidden') { flushPendingSaves(); }
    });

    function showError(message) {
      var old = stage.querySelector('.ldai-alert-error');
      if (old) { old.remove(); }
      stage.insertBefore(el('p', {class: 'ldai-alert ldai-alert-error', role: 'alert', text: message}), stage.firstChild);
    }

    /* ------------------------------------------------------------------ server calls */
    function startAttempt() {
      if (busy) { return; }
      busy = true;
      api.call('start_attempt', {}).then(function (newState) {
        ready = false;
        adoptState(newState);
        current = 0;
        warned = false;
        render();
        announce(state.time_limit ? t('The hunt has started. The clock is running.') : t('New attempt started.'));
      }).catch(function (error) {
        showError(error.message);
      }).then(function () { busy = false; });
    }

    function tryAgain() {
      if (!state.time_limit) { startAttempt(); return; }
      ready = true;  /* the learner starts the clock when ready, as for the first hunt */
      render();
    }

    function submit(automatic) {
      if (busy || state.submitted) { return; }
      if (!automatic && !totalFlags() && !global.confirm(t('You have not flagged anything. Submit anyway?'))) { return; }
      busy = true;
      Object.keys(saveTimers).forEach(function (id) { global.clearTimeout(saveTimers[id]); delete saveTimers[id]; });
      var button = stage.querySelector('[data-ldai-submit]');
      if (button) { button.setAttribute('aria-disabled', 'true'); }
      api.call('submit', {flags: flags}).then(function (newState) {
        state.items.forEach(function (item) { forget(item.id); });  /* graded now: nothing left to resend */
        adoptState(newState);
        render();
        announce(t('Submitted. Score for this attempt: {score}.', {score: i18n.percent(state.results.score)}));
      }).catch(function (error) {
        if (button) { button.removeAttribute('aria-disabled'); }
        showError(error.message);
      }).then(function () { busy = false; });
    }

    /* ------------------------------------------------------------------ results */
    function renderResults() {
      var results = state.results;
      var left = state.attempts_left;
      var byId = {};
      state.items.forEach(function (item) { byId[item.id] = item; });
      var card = el('div', {class: 'ldai-card ldai-hd-results'}, [
        el('h3', {tabindex: '-1', 'data-ldai-focus': true, text: t('Your results')}),
        state.timed_out ? el('p', {class: 'ldai-alert ldai-alert-warning', text: t('Time was up: the flags saved before the end were graded.')}) : null,
        state.content_changed ? el('p', {class: 'ldai-alert ldai-alert-info', text: t('The course team has changed the texts since this attempt. Your results are shown on the texts you worked on; a new attempt uses the new texts.')}) : null,
        el('p', {}, [el('strong', {text: t('Score for this attempt: {score}', {score: i18n.percent(results.score)})})]),
        el('p', {text: t('Your grade (best attempt): {score}', {score: i18n.percent(state.best_score)})}),
        el('p', {class: 'ldai-muted', text: state.grading === 'iou'
          ? t('Graded at character level: the share of characters where your flags and the annotations agree (IoU).')
          : t('Graded by claim: hallucinations found (at least half flagged) against false alarms (flags on true passages).')})
      ]);
      results.items.forEach(function (entry) {
        var item = byId[entry.id];
        if (item) { card.appendChild(renderItemResult(item, entry, results.revealed)); }
      });
      card.appendChild(el('p', {class: 'ldai-muted', text: left === null ? t('You may try again as often as you like; your best attempt counts.') :
        i18n.ngettext('{n} attempt left.', '{n} attempts left.', left, {n: left})}));
      if (left === null || left > 0) {
        card.appendChild(el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'button', text: t('Try again'), onclick: tryAgain})]));
      }
      if (state.leaderboard) { card.appendChild(renderLeaderboard(state.leaderboard)); }
      stage.appendChild(card);
    }

    function renderItemResult(item, entry, revealed) {
      var chars = Spans.chars(item.text);
      var marks = [];
      entry.hallucinations.forEach(function (h, index) {
        if (h.start !== undefined) { marks.push({start: h.start, end: h.end, kind: h.found ? 'found' : 'missed', label: (h.found ? t('Hallucination {n}, found:', {n: index + 1}) : t('Hallucination {n}, missed:', {n: index + 1}))}); }
      });
      entry.false_alarms.forEach(function (alarm, index) {
        marks.push({start: alarm.start, end: alarm.end, kind: 'alarm', label: t('False alarm {n}:', {n: index + 1})});
      });
      marks.sort(function (a, b) { return a.start - b.start; });
      var textBox = el('div', {class: 'ldai-hd-text ldai-hd-text-result', lang: contentLang});
      var position = 0;
      marks.forEach(function (mark) {
        if (mark.start < position) { return; }
        if (mark.start > position) { textBox.appendChild(document.createTextNode(Spans.quote(chars, [position, mark.start]))); }
        textBox.appendChild(el('mark', {class: 'ldai-hd-' + mark.kind}, [el('span', {class: 'ldai-sr-only', text: mark.label + ' '}), Spans.quote(chars, [mark.start, mark.end])]));
        position = mark.end;
      });
      if (position < chars.length) { textBox.appendChild(document.createTextNode(Spans.quote(chars, [position, chars.length]))); }

      var hallucinations = entry.hallucinations.map(function (h, index) {
        return el('li', {class: 'ldai-hd-finding'}, [
          el('p', {}, [
            el('span', {class: classes('ldai-badge', h.found ? 'ldai-good' : 'ldai-bad'), text: h.found ? t('Found') : t('Missed')}), ' ',
            el('span', {class: 'ldai-badge', text: h.kind_label || kindLabels[h.kind] || h.kind}), ' ',
            h.start !== undefined ? el('q', {text: Spans.quote(chars, [h.start, h.end])}) : el('span', {class: 'ldai-muted', text: t('Its place is shown after your last attempt.')})
          ]),
          h.explanation ? el('p', {}, [el('strong', {text: t('Why it is wrong:')}), ' ', h.explanation]) : null,
          h.correction ? el('p', {}, [el('strong', {text: t('Correction:')}), ' ', h.correction]) : null,
          h.reference ? el('p', {class: 'ldai-muted'}, [el('strong', {text: t('Source:')}), ' ', h.reference]) : null
        ]);
      });
      var alarms = entry.false_alarms.map(function (alarm) {
        return el('li', {class: 'ldai-hd-finding'}, [
          el('p', {}, [el('span', {class: 'ldai-badge ldai-warn', text: t('False alarm')}), ' ', el('q', {text: shorten(Spans.quote(chars, [alarm.start, alarm.end]), 200)})]),
          alarm.trap ? el('p', {}, [el('strong', {text: t('This passage is true:')}), ' ', alarm.trap.explanation]) :
            el('p', {text: t('This passage is not one of the annotated hallucinations.')}),
          alarm.trap && alarm.trap.reference ? el('p', {class: 'ldai-muted'}, [el('strong', {text: t('Source:')}), ' ', alarm.trap.reference]) : null
        ]);
      });
      return el('section', {class: 'ldai-hd-item-result'}, [
        el('h4', {text: item.title}),
        el('p', {text: t('Found {found} of {total}. False alarms: {alarms}. Score: {score}.', {found: entry.found, total: entry.total, alarms: entry.false_alarms.length, score: i18n.percent(entry.score)})}),
        textBox,
        el('h5', {text: t('The hallucinations')}),
        el('ol', {class: 'ldai-hd-findings'}, hallucinations),
        el('h5', {text: t('Your false alarms')}),
        alarms.length ? el('ul', {class: 'ldai-hd-findings'}, alarms) : el('p', {text: t('No false alarm. Well done!')}),
        !revealed && entry.missed ? el('p', {class: 'ldai-muted', text: t('Missed hallucinations are explained after your last attempt: look again before you retry.')}) : null
      ]);
    }

    function renderLeaderboard(board) {
      var rows = board.rows.map(function (row) {
        return el('tr', {class: row.me ? 'ldai-hd-me' : null}, [
          el('td', {text: String(row.rank)}),
          el('td', {text: row.me ? t('You') + (row.name ? ' (' + row.name + ')' : '') : (row.name || t('Anonymous learner'))}),
          el('td', {text: i18n.percent(row.score)})
        ]);
      });
      return el('section', {class: 'ldai-hd-leaderboard'}, [
        el('h4', {text: t('Leaderboard')}),
        board.my_rank ? el('p', {text: t('Your rank: {rank} of {total}.', {rank: board.my_rank, total: board.total})}) : null,
        el('table', {}, [
          el('caption', {class: 'ldai-sr-only', text: t('Best score of each learner')}),
          el('thead', {}, [el('tr', {}, [el('th', {scope: 'col', text: t('Rank')}), el('th', {scope: 'col', text: t('Learner')}), el('th', {scope: 'col', text: t('Best score')})])]),
          el('tbody', {}, rows)
        ]),
        C.leaderboardNameChoice(board, api, i18n, function (fresh) { state.leaderboard = fresh; }),
        C.teamBoard(board, api, i18n, function (fresh) { state.leaderboard = fresh; })
      ]);
    }

    adoptState(state);
    resendRemembered();
    render(false);
  }

  global.LdaiHallucinationDetector = LdaiHallucinationDetector;
  global.LdaiSpans = Spans;
  global.LdaiDom = {id: domId, classes: classes};
}(window));
