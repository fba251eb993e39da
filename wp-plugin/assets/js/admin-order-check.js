/* "Check payment at provider" on the order screen: shows the answer and follows the order's status without a
 * reload while the relay's outbox writes the repair. Every text is set with textContent. No build step. */
(function () {
  'use strict';
  var config = window.payrelayOrderCheck;
  var button = document.querySelector('[data-payrelay-order-check]');
  var result = document.querySelector('[data-payrelay-check-result]');
  if (!config || !button || !result) {
    return;
  }

  function post(fields) {
    var body = new URLSearchParams({ action: config.action, nonce: config.nonce, order_id: String(config.orderId) });
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    return fetch(config.ajaxUrl, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (response) { return response.json(); });
  }

  // The order screen's status select (classic and HPOS); select2 follows a 'change' event through jQuery.
  function showStatus(slug, label) {
    var select = document.getElementById('order_status');
    if (select && select.value !== 'wc-' + slug) {
      select.value = 'wc-' + slug;
      if (window.jQuery) {
        window.jQuery(select).trigger('change');
      }
    }
    var line = result.querySelector('.payrelay-check__status') || document.createElement('span');
    line.className = 'payrelay-check__status';
    line.textContent = ' ' + config.statusNow + ' ' + label + '.';
    result.appendChild(line);
  }

  function follow(from, left) {
    if (left <= 0) {
      return;
    }
    window.setTimeout(function () {
      post({ peek: '1' }).then(function (json) {
        if (json && json.success && json.data.order_status !== from) {
          showStatus(json.data.order_status, json.data.order_status_label);
          return;
        }
        follow(from, left - 1);
      }).catch(function () {});
    }, 2000);
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    result.textContent = config.running;
    post({}).then(function (json) {
      if (!json || !json.success) {
        result.textContent = (json && json.data && json.data.message) || 'Error';
        return;
      }
      result.textContent = json.data.message;
      showStatus(json.data.order_status, json.data.order_status_label);
      if (json.data.changed) {
        follow(json.data.order_status, 10);
      }
    }).catch(function (error) { result.textContent = String(error); })
      .then(function () { button.disabled = false; });
  });
})();
