/* Diagnostics buttons under the Payrelay settings. The server renders (and escapes) each result. No build step. */
(function () {
  'use strict';
  var config = window.payrelayDiagnostics;
  if (!config) {
    return;
  }

  function run(button, target, fields) {
    var body = new URLSearchParams({ action: config.action, nonce: config.nonce });
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    button.disabled = true;
    target.textContent = config.running;
    fetch(config.ajaxUrl, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (json) {
        if (json && json.success) {
          target.innerHTML = json.data.html; // escaped by the server (Diagnostics)
        } else {
          target.textContent = (json && json.data && json.data.message) || 'Error';
        }
      })
      .catch(function (error) { target.textContent = String(error); })
      .then(function () { button.disabled = false; });
  }

  document.querySelectorAll('[data-payrelay-check]').forEach(function (button) {
    button.addEventListener('click', function () {
      var check = button.getAttribute('data-payrelay-check');
      var fields = { check: check };
      var orderInput = document.querySelector('[data-payrelay-order]');
      if (check === 'test_event' && orderInput) {
        fields.order_id = orderInput.value;
      }
      run(button, document.querySelector('[data-payrelay-result="' + check + '"]'), fields);
    });
  });

  // Alerts arrive inside the checks' result, after the page loaded: one listener for all their buttons.
  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-payrelay-dismiss]') : null;
    if (!button) {
      return;
    }
    var item = button.closest('li') || button;
    run(button, item, { check: 'resolve_alert', alert_id: button.getAttribute('data-payrelay-dismiss') });
  });
})();
