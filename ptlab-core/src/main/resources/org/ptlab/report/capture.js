// ptlab report: copy script errors and console.error calls into <pre id="console-errors"> (runs first)
window.__ptlabErrors = [];
window.addEventListener('error', function (e) {
  window.__ptlabErrors.push('error: ' + e.message + ' at ' + (e.filename || '') + ':' + (e.lineno || 0));
  var el = document.getElementById('console-errors');
  if (el) { el.textContent = window.__ptlabErrors.join('\n'); }
});
(function () {
  var orig = console.error;
  console.error = function () {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) { parts.push(String(arguments[i])); }
    window.__ptlabErrors.push('console.error: ' + parts.join(' '));
    var el = document.getElementById('console-errors');
    if (el) { el.textContent = window.__ptlabErrors.join('\n'); }
    return orig.apply(console, arguments);
  };
})();
