/* Registers Payrelay with the block-based Checkout using the globals WordPress and WooCommerce provide. No build step. */
(function () {
  'use strict';
  var registry = window.wc && window.wc.wcBlocksRegistry;
  var settingsApi = window.wc && window.wc.wcSettings;
  var element = window.wp && window.wp.element;
  if (!registry || !settingsApi || !element) {
    return;
  }
  var el = element.createElement;
  var data = settingsApi.getSetting('payrelay_data', {});
  var decode = (window.wp.htmlEntities && window.wp.htmlEntities.decodeEntities) || function (s) { return s; };
  var title = decode(data.title || 'Pay online');
  var methods = Array.isArray(data.methods) ? data.methods : [];

  function Content(props) {
    var chosen = element.useState(methods.length ? methods[0].value : '');
    var method = chosen[0];
    var setMethod = chosen[1];
    var onPaymentSetup = props.eventRegistration.onPaymentSetup;

    // The chosen method reaches process_payment through $_POST['payrelay_method'] (paymentMethodData).
    element.useEffect(function () {
      return onPaymentSetup(function () {
        return {
          type: props.emitResponse.responseTypes.SUCCESS,
          meta: { paymentMethodData: { payrelay_method: method } },
        };
      });
    }, [onPaymentSetup, method]);

    var children = [el('p', { key: 'description' }, decode(data.description || ''))];
    if (methods.length > 1) {
      children.push(el('fieldset', { key: 'methods', className: 'payrelay-methods' },
        el('legend', null, data.methodLegend || ''),
        methods.map(function (option) {
          return el('label', { key: option.value, style: { display: 'block' } },
            el('input', {
              type: 'radio',
              name: 'payrelay_method',
              value: option.value,
              checked: method === option.value,
              onChange: function () { setMethod(option.value); },
            }),
            ' ' + option.label);
        })));
    }
    return el('div', { className: 'payrelay-block' }, children);
  }

  registry.registerPaymentMethod({
    name: 'payrelay',
    label: el('span', null, title),
    ariaLabel: title,
    content: el(Content, null),
    edit: el('p', null, decode(data.description || '')),
    // The server lists only the methods the relay can route for this cart; none means the gateway is not offered.
    canMakePayment: function () { return methods.length > 0; },
    supports: { features: data.supports || ['products'] },
  });
})();
