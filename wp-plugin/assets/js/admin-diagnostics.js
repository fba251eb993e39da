/* Diagnostics buttons under the Payrelay settings. The server renders (and escapes) each result. No build step. */
(function () {
  'use strict';
  var config = window.payrelayDiagnostics;
  if (!config) {
    return;
  }
  document.querySelectorAll('[data-payrelay-check]').forEach(function (button) {
    button.addEventListener('click', function () {
      var check = button.getAttribute('data-payrelay-check');
      var target = document.querySelector('[data-payrelay-result="' + check + '"]');
      var orderInput = document.querySelector('[data-payrelay-order]');
      var body = new URLSearchParams({ action: config.action, nonce: config.nonce, check: check });
      if (check === 'test_event' && orderInput) {
        body.append('order_id', orderInput.value);
      }
      button.disabled = true;
      target.textContent = config.running;
      fetch(config.ajaxUrl, { method: 'POST', body: body, credentials: 'same-origin' })
        .then(function (response) { return response.json(); })
        .then(function (json) {
          if (json && json.success) {
            target.innerHTML = json.data.html; // escaped by the server (Diagnostics::table)
          } else {
            target.textContent = (json && json.data && json.data.message) || 'Error';
          }
        })
        .catch(function (error) { target.textContent = String(error); })
        .then(function () { button.disabled = false; });
    });
  });
})();
