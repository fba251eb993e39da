/* Polls the shop (which asks the relay) for the payment status on the thank-you page. No build step. */
(function () {
  'use strict';
  var config = window.payrelayReturn;
  var box = document.querySelector('.payrelay-return');
  if (!config || !box || !window.fetch) {
    return;
  }
  var message = box.querySelector('.payrelay-return__message');
  var retry = box.querySelector('.payrelay-return__retry');
  var heading = box.querySelector('h2');
  var polls = 0;

  function show(view) {
    box.setAttribute('data-payrelay-status', view.status);
    message.textContent = view.message;
    if (view.retry_url) {
      retry.querySelector('a').setAttribute('href', view.retry_url);
      retry.hidden = false;
    }
    if (view.final && heading) {
      heading.hidden = true;
    }
  }

  function poll() {
    polls += 1;
    var body = new URLSearchParams({ action: config.action, order_id: String(config.orderId), key: config.key });
    fetch(config.ajaxUrl, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (json) {
        if (json && json.success && json.data) {
          show(json.data);
          if (json.data.final) {
            return;
          }
        }
        schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    if (polls >= config.maxPolls) {
      message.textContent = config.giveUpMessage;
      return;
    }
    window.setTimeout(poll, config.intervalMs);
  }

  schedule();
})();
