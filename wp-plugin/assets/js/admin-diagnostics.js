/* Diagnostics buttons under the Payrelay settings. The server answers with rows of data; this prints them as text
 * (textContent), so nothing the relay said is ever parsed as HTML. No build step. */
(function () {
  'use strict';
  var config = window.payrelayDiagnostics;
  if (!config) {
    return;
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function table(rows) {
    var t = el('table', null, { class: 'widefat striped payrelay-diagnostics' });
    var body = el('tbody');
    rows.forEach(function (row) {
      var tr = el('tr');
      tr.appendChild(el('th', row.label, { scope: 'row' }));
      tr.appendChild(el('td', row.ok === null ? '' : (row.ok ? config.ok : config.failed)));
      tr.appendChild(el('td', row.detail));
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  function alerts(list) {
    var wrap = el('div');
    if (!list.length) {
      return wrap;
    }
    wrap.appendChild(el('h4', config.openAlerts));
    var ul = el('ul', null, { class: 'payrelay-alerts' });
    list.forEach(function (alert) {
      var li = el('li', alert.text + ' ');
      if (alert.id > 0) {
        li.appendChild(el('button', config.dismiss, { type: 'button', class: 'button-link', 'data-payrelay-dismiss': String(alert.id) }));
      }
      ul.appendChild(li);
    });
    wrap.appendChild(ul);
    return wrap;
  }

  function show(target, data) {
    target.textContent = '';
    if (data.summary) {
      target.appendChild(el('p', data.summary));
    }
    if (data.rows) {
      target.appendChild(table(data.rows));
    }
    if (data.alerts) {
      target.appendChild(alerts(data.alerts));
    }
    if (data.message) {
      target.appendChild(document.createTextNode(data.message));
    }
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
          show(target, json.data);
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
