/* The XBlock JavaScript runtime of the LTI tool: starts each block on the page, like Open edX's runtime.
 *
 * Why our own (a few lines, no jQuery): the blocks only need runtime.handlerUrl() and their init
 * function called with (runtime, element, args). Handler URLs carry the launch session in their
 * path (data-handler-prefix, written by the server), so they work in an iframe without cookies.
 */
(function (global) {
  'use strict';

  function wrapperOf(element) {
    var node = element && element.jquery ? element[0] : element;
    return node && node.closest ? node.closest('[data-handler-prefix]') : null;
  }

  var runtime = {
    handlerUrl: function (element, handlerName, suffix, query) {
      var wrapper = wrapperOf(element);
      if (!wrapper) { throw new Error('XBlock element outside its wrapper'); }
      var url = wrapper.getAttribute('data-handler-prefix') + encodeURIComponent(handlerName) + '/';
      if (suffix) { url += String(suffix).replace(/^\/+/, ''); }
      if (query) { url += '?' + query; }
      return url;
    },
    children: function () { return []; },
    childMap: function () { return undefined; },
    /* Studio's notifications: "cancel" discards the editor's unsaved changes (Open edX closes its modal);
     * saving and errors are announced by the block itself, in its own live region. */
    notify: function (name) {
      if (name === 'cancel') { global.location.reload(); }
    }
  };

  function initArgs(wrapper) {
    var script = null;
    for (var i = 0; i < wrapper.children.length; i++) {
      if (wrapper.children[i].classList.contains('xblock_json_init_args')) { script = wrapper.children[i]; }
    }
    if (!script) { return {}; }
    try { return JSON.parse(script.textContent); } catch (error) { return {}; }
  }

  function start() {
    var wrappers = document.querySelectorAll('[data-handler-prefix][data-init]');
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      var init = global[wrapper.getAttribute('data-init')];
      if (typeof init !== 'function') { return; }
      try {
        init.length >= 3 ? new init(runtime, wrapper, initArgs(wrapper)) : new init(runtime, wrapper);
      } catch (error) {
        if (global.console) { global.console.error('The activity could not start:', error); }
      }
    });
  }

  global.LdaiLtiRuntime = runtime;
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}(window));
