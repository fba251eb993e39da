/* Polls the shop (which asks the relay) for the return page's state until it is final. No build step. */
(function () {
  'use strict';
  var config = window.payrelayReturn;
  var box = document.querySelector('.payrelay-return');
  if (!config || !box || !window.fetch) {
    return;
  }
  var message = box.querySelector('.payrelay-return__message');
  var pay = box.querySelector('.payrelay-return__pay');
  var polls = 0;

  function show(view) {
    box.setAttribute('data-payrelay-state', view.state);
    // One headline: WooCommerce's replaced "order received" text, or the section's own for failed orders.
    document.querySelectorAll('[data-payrelay-headline]').forEach(function (headline) {
      headline.textContent = view.headline;
    });
    message.textContent = view.message;
    if (view.pay_url) {
      pay.querySelector('a').setAttribute('href', view.pay_url);
    }
    pay.hidden = !view.pay_url;
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
