/* Studio editor of the skills map: job family, grading, and the framework with its job profiles, as JSON
 * or as a table of target levels and weights (competences x job profiles) that writes into the JSON.
 * Saving is all or nothing: every problem is shown next to its field, with its place in the document. */
(function (global) {
  'use strict';
  var C = global.LdaiCommon;
  var el = C.el;

  function LdaiSkillsMapStudio(runtime, element, args) {
    var parts = C.studioParts(runtime, element, args);
    var form = parts.form, i18n = parts.i18n, api = parts.api, announce = parts.announce;
    var t = i18n.gettext;
    var area = form.querySelector('[name="custom_content"]');
    var grid = form.querySelector('[data-ldai-profiles]');
    var gridButton = form.querySelector('[data-ldai-profiles-open]');
    var documentInGrid = null;

    function value(name) { return C.fieldValue(form, name); }

    function currentDocument() {
      if (area.value.trim()) {
        try { return Promise.resolve(JSON.parse(area.value)); } catch (error) {
          return Promise.reject(new Error(t('The JSON above is not valid, so it cannot be shown as a table. Fix it, or empty it to start from the selected framework.')));
        }
      }
      return api.call('pack_document', {pack: value('pack')}).then(function (result) { return result.document; });
    }

    /* The grid edits a copy; each change is written back to the JSON, which is what gets saved. */
    function writeBack() { area.value = JSON.stringify(documentInGrid, null, 2); }

    function numberInput(profile, competence, key, label, min, max, step) {
      var target = profile.targets[competence.id] || {level: 0, weight: 0};
      return el('input', {type: 'number', min: min, max: max, step: step, value: target[key], 'aria-label': label,
        'data-ldai-target': profile.id + '|' + competence.id + '|' + key,
        onchange: function (event) {
          var number = Number(event.target.value);
          var entry = Object.assign({level: 0, weight: 0}, profile.targets[competence.id] || {});
          entry[key] = key === 'level' ? Math.round(number) : number;
          profile.targets[competence.id] = entry;
          writeBack();
        }});
    }

    function renderGrid(doc) {
      documentInGrid = doc;
      C.clear(grid);
      var table = el('table', {class: 'ldai-profiles'}, [
        el('caption', {text: t('Target level (0 to 3) and weight (0 to 5) of each competence, per job profile')}),
        el('thead', {}, [el('tr', {}, [el('th', {scope: 'col', text: t('Competence')})].concat(doc.job_profiles.map(function (profile) {
          return el('th', {scope: 'col', text: profile.name});
        })))]),
        el('tbody', {}, doc.competences.map(function (competence) {
          return el('tr', {}, [el('th', {scope: 'row', text: competence.name})].concat(doc.job_profiles.map(function (profile) {
            return el('td', {}, [
              numberInput(profile, competence, 'level', t('{job}, {competence}: target level', {job: profile.name, competence: competence.name}), 0, 3, 1),
              ' ',
              numberInput(profile, competence, 'weight', t('{job}, {competence}: weight', {job: profile.name, competence: competence.name}), 0, 5, 0.5)
            ]);
          })));
        }))
      ]);
      grid.appendChild(table);
      grid.hidden = false;
      gridButton.setAttribute('aria-expanded', 'true');
      writeBack();
      table.querySelector('input').focus();
    }

    /* A schema problem of a profile target ("$.job_profiles[0].targets.prompting.level: ...") is also
     * shown next to its cell of the table, when the table is open. */
    function markGrid(problems) {
      grid.querySelectorAll('.ldai-grid-error').forEach(function (node) { node.remove(); });
      grid.querySelectorAll('[data-ldai-target][aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); node.removeAttribute('aria-describedby'); });
      if (grid.hidden || !documentInGrid) { return null; }
      var first = null;
      (problems || []).forEach(function (problem, index) {
        var match = /^\$\.job_profiles\[(\d+)\]\.targets\.([a-z0-9_-]+)\.(level|weight): (.*)$/.exec(problem);
        var profile = match && documentInGrid.job_profiles[Number(match[1])];
        var input = profile && grid.querySelector('[data-ldai-target="' + profile.id + '|' + match[2] + '|' + match[3] + '"]');
        if (!input) { return; }
        var id = 'ldai-grid-error-' + index;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', id);
        input.parentNode.appendChild(el('span', {class: 'ldai-field-error ldai-grid-error', id: id, text: match[4]}));
        first = first || input;
      });
      return first;
    }

    C.wireStudioForm(runtime, form, i18n, api, announce, Object.assign({
      failed: function (error) {
        var cell = markGrid((error.fields || {}).custom_content);
        return cell ? {focus: cell} : {};
      },
      saved: function () { markGrid([]); },
      collect: function () {
        return {
          display_name: value('display_name'),
          job_family: value('job_family'),
          grading: value('grading'),
          weight: value('weight'),
          min_group: value('min_group'),
          pack: value('pack'),
          custom_content: value('custom_content')
        };
      }
    }, C.jsonBoxHooks(form, 'custom_content', t('Replace the JSON you wrote with the selected framework?'), function (doc) {
      if (!grid.hidden) { renderGrid(doc); } else { area.focus(); }
    })));

    var proposeButton = form.querySelector('[data-ldai-propose]');
    if (proposeButton) { wireProposal(proposeButton); }

    function targetText(target) {
      return target ? t('level {level}, weight {weight}', {level: target.level, weight: target.weight}) : t('not targeted');
    }

    /* The AI's proposal as a diff the author reviews; "Apply" only writes it into the JSON, Save does the rest. */
    function wireProposal(button) {
      var result = form.querySelector('[data-ldai-proposal-result]');
      button.addEventListener('click', function () {
        C.setFieldErrors(form, {});
        C.clear(result);
        result.appendChild(el('p', {text: t('Asking the AI model…')}));
        api.call('propose_profile', {description: value('job_description'), job: value('proposal_job'), document: area.value}).then(function (proposal) {
          C.clear(result);
          if (proposal.redacted_kinds.length) {
            result.appendChild(el('p', {class: 'ldai-alert ldai-alert-info', text: t('Removed before sending: {kinds}.', {kinds: proposal.redacted_kinds.join(', ')})}));
          }
          result.appendChild(el('table', {}, [
            el('caption', {text: t('Proposed changes to the profile “{job}”', {job: proposal.profile.name})}),
            el('thead', {}, [el('tr', {}, [t('Competence'), t('Now'), t('Proposed'), t('Why')].map(function (label) {
              return el('th', {scope: 'col', text: label});
            }))]),
            el('tbody', {}, proposal.diff.map(function (change) {
              return el('tr', {}, [el('th', {scope: 'row', text: proposal.names[change.id] || change.id}),
                el('td', {text: targetText(change.before)}), el('td', {text: targetText(change.after)}),
                el('td', {text: proposal.rationale[change.id] || ''})]);
            }))
          ]));
          if (proposal.problems.length) {
            result.appendChild(el('ul', {class: 'ldai-field-error'}, proposal.problems.map(function (problem) { return el('li', {text: problem}); })));
          } else {
            result.appendChild(el('div', {class: 'ldai-toolbar'}, [el('button', {type: 'button', text: t('Apply to the JSON above'), onclick: function () {
              currentDocument().then(function (doc) {
                doc.job_profiles = doc.job_profiles.filter(function (p) { return p.id !== proposal.profile.id; }).concat([proposal.profile]);
                area.value = JSON.stringify(doc, null, 2);
                if (!grid.hidden) { renderGrid(doc); }
                announce(t('The proposal is in the JSON. Review it, then save.'));
                area.focus();
              });
            }})]));
          }
          announce(t('The proposal is ready: review it below.'));
          result.focus();
        }).catch(function (error) {
          C.clear(result);
          var first = C.setFieldErrors(form, Object.keys(error.fields || {}).length ? error.fields : {job_description: [error.message]});
          if (first) { first.focus(); }
        });
      });
    }

    gridButton.addEventListener('click', function () {
      C.setFieldErrors(form, {});
      currentDocument().then(renderGrid).catch(function (error) {
        C.setFieldErrors(form, {custom_content: [error.message]});
      });
    });
  }

  global.LdaiSkillsMapStudio = LdaiSkillsMapStudio;
}(window));
