import Joi from 'joi';

/**
 * A merchant order id as every endpoint accepts it: WooCommerce's numeric id, or (order-number plugins) up to 64
 * letters, digits, ".", "_" and "-". One rule, so an order a session was created for can always be checked.
 */
export const ORDER_ID = Joi.string().trim().pattern(/^[A-Za-z0-9._-]{1,64}$/);

export const ORDER_ID_RULE = 'digits, or up to 64 letters, digits, ".", "_" and "-"';
