/**
 * WooCommerce 8.9's error answers, word for word as recorded in test/fixtures/woocommerce/ (files and README),
 * so the relay's error classification meets the real bodies in the demo and in tests.
 */
export interface WooErrorReply {
  status: number;
  body: { code: string; message: string; data: Record<string, unknown> };
}

const reply = (status: number, code: string, message: string, data: Record<string, unknown> = {}): WooErrorReply => ({
  status,
  body: { code, message, data: { status, ...data } },
});

const STATUS_ENUM_MESSAGE =
  'status is not one of auto-draft, pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft.';

export const wooErrors = {
  cannotView: () => reply(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot view this resource.'),
  cannotCreate: () => reply(401, 'woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources.'),
  cannotEdit: () => reply(401, 'woocommerce_rest_cannot_edit', 'Sorry, you are not allowed to edit this resource.'),
  consumerKeyInvalid: () => reply(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.'),
  consumerSecretInvalid: () => reply(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.'),
  signatureMismatch: () => reply(401, 'woocommerce_rest_authentication_error', 'Invalid signature - provided signature does not match.'),
  signatureMethodInvalid: () => reply(401, 'woocommerce_rest_authentication_error', 'Invalid signature - signature method is invalid.'),
  nonceUsed: () => reply(401, 'woocommerce_rest_authentication_error', 'Invalid nonce - nonce has already been used.'),
  timestampInvalid: () => reply(401, 'woocommerce_rest_authentication_error', 'Invalid timestamp.'),
  /** GET answers 404, PUT answers 400 with the same code. */
  orderInvalidId: (status: 400 | 404) => reply(status, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.'),
  noteOrderInvalidId: () => reply(404, 'woocommerce_rest_order_invalid_id', 'Invalid order ID.'),
  refundOrderInvalidId: () => reply(404, 'woocommerce_rest_invalid_order_id', 'Invalid order ID.'),
  noteMissing: () => reply(400, 'rest_missing_callback_param', 'Missing parameter(s): note', { params: ['note'] }),
  invalidStatus: () =>
    reply(400, 'rest_invalid_param', 'Invalid parameter(s): status', {
      params: { status: STATUS_ENUM_MESSAGE },
      details: { status: { code: 'rest_not_in_enum', message: STATUS_ENUM_MESSAGE, data: null } },
    }),
  refundNegative: () => reply(400, 'woocommerce_rest_invalid_order_refund', 'Refund amount must be greater than zero.'),
  refundInvalidAmount: () => reply(500, 'woocommerce_rest_cannot_create_order_refund', 'Invalid refund amount.'),
  refundNoGateway: () => reply(500, 'woocommerce_rest_cannot_create_order_refund', 'The payment gateway for this order does not exist.'),
  invalidJson: () => reply(400, 'rest_invalid_json', 'Invalid JSON body passed.'),
  noRoute: () => reply(404, 'rest_no_route', 'No route was found matching the URL and request method.'),
};
