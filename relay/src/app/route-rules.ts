import fs from 'node:fs';
import Joi from 'joi';
import { PAYMENT_METHODS } from '../domain/payment-session';
import { PROVIDER_IDS, type ProviderId } from '../domain/provider-event';
import { err, ok, type Result } from '../domain/result';
import type { RouteRule } from '../domain/routing';
import defaultRoutes from '../config/routes.default.json';

const ruleSchema = Joi.object({
  name: Joi.string().min(1).max(100).required(),
  match: Joi.object({
    methods: Joi.array().items(Joi.string().valid(...PAYMENT_METHODS, 'any')).min(1).unique(),
    currencies: Joi.array().items(Joi.string().pattern(/^[A-Za-z]{3}$/).uppercase().messages({ 'string.pattern.base': '{{#label}} must be a 3-letter ISO 4217 code' })).min(1).unique(),
    countries: Joi.array().items(Joi.string().pattern(/^[A-Za-z]{2}$/).uppercase().messages({ 'string.pattern.base': '{{#label}} must be a 2-letter ISO 3166 code' })).min(1).unique(),
    min_amount: Joi.number().integer().min(0).description('minor units'),
    max_amount: Joi.number().integer().min(0).when('min_amount', { is: Joi.exist(), then: Joi.number().min(Joi.ref('min_amount')) }),
  }).default({}),
  // Empty is allowed: a rule that deliberately offers nothing (crypto) gives a clearer error than no rule.
  providers: Joi.array().items(Joi.string().valid(...PROVIDER_IDS)).unique().required(),
  split: Joi.object().pattern(Joi.string().valid(...PROVIDER_IDS), Joi.number().integer().min(1).max(10_000)).min(2)
    .description('weights of providers of this rule that share the first place, per order'),
}).custom((rule: RouteRule, helpers) => {
  const strangers = Object.keys(rule.split ?? {}).filter((p) => !rule.providers.includes(p as ProviderId));
  if (strangers.length > 0) return helpers.message({ custom: `rule "${rule.name}" splits to ${strangers.join(', ')}, which its providers do not list` });
  return rule;
});

const rulesSchema = Joi.array().items(ruleSchema).min(1).unique('name').required()
  .messages({ 'array.unique': '{{#label}} has a duplicate rule name; each rule needs its own name' });

/** Validates routing rules, reporting every problem at once; the result is frozen. */
export function parseRouteRules(input: unknown): Result<readonly RouteRule[], string[]> {
  const { value, error } = rulesSchema.validate(input, { abortEarly: false, convert: true });
  if (error) return err(error.details.map((detail) => detail.message));
  return ok(deepFreeze(value as RouteRule[]));
}

export class RouteRulesError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`Payrelay cannot start, the routing rules in ${source} have ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** PAYRELAY_ROUTES holds the rules themselves (a JSON array) rather than a file's path. */
export function isInlineRules(value: string): boolean {
  return value.trimStart().startsWith('[');
}

/**
 * The rules from PAYRELAY_ROUTES (inline JSON, or a JSON file's path), or the built-in default. Bad rules are bad
 * configuration, so this throws at start-up with every problem listed.
 */
export function loadRouteRules(setting: string | null): readonly RouteRule[] {
  const inline = setting !== null && isInlineRules(setting);
  const source = setting === null ? 'the built-in default rules' : inline ? 'PAYRELAY_ROUTES (inline JSON)' : setting;
  let json: unknown = defaultRoutes;
  if (setting !== null) {
    try {
      json = JSON.parse(inline ? setting : fs.readFileSync(setting, 'utf8'));
    } catch (error) {
      throw new RouteRulesError(source, [`cannot read it as JSON: ${(error as Error).message}`]);
    }
  }
  const parsed = parseRouteRules(json);
  if (!parsed.ok) throw new RouteRulesError(source, parsed.error);
  return parsed.value;
}

export const DEFAULT_ROUTE_RULES: readonly RouteRule[] = loadRouteRules(null);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
