import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/**
 * The relay's answers checked against shared/openapi.yaml, so the document cannot drift from the code. The
 * document is registered whole with ajv (a maintained JSON Schema 2020-12 validator, the dialect of OpenAPI 3.1)
 * and each operation's schemas are compiled by JSON pointer into it, so its $refs resolve as written.
 */
const DOCUMENT_FILE = path.resolve(__dirname, '../../shared/openapi.yaml') /* the repository's own shared/ */;
const DOCUMENT_ID = 'payrelay-openapi';

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

type Doc = { paths: Record<string, Record<string, Operation>>; components?: { responses?: Record<string, unknown> } };

let loaded: { doc: Doc; ajv: Ajv2020; templates: Array<{ template: string; pattern: RegExp }> } | null = null;

function load() {
  if (loaded) return loaded;
  const doc = parseYaml(fs.readFileSync(DOCUMENT_FILE, 'utf8')) as Doc;
  // strict off: the document's OpenAPI keywords (paths, info, …) around the schemas are not JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc as object, DOCUMENT_ID);
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+')}$`),
  }));
  loaded = { doc, ajv, templates };
  return loaded;
}

const pointer = (...parts: string[]): string => `${DOCUMENT_ID}#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

function validateAt(ref: string, value: unknown, what: string): void {
  const { ajv } = load();
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (!validate(value)) throw new Error(`${what} does not match shared/openapi.yaml (${ref.slice(DOCUMENT_ID.length + 1)}):\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(value, null, 2).slice(0, 2000)}`);
}

export interface Exchange {
  method: string;
  /** As requested, with the query string. */
  url: string;
  requestBody?: unknown;
  status: number;
  contentType?: string | null;
  responseBody: unknown;
}

/**
 * Throws, saying what differs, when the request body or the answer (status, content type, body) is not what the
 * document says for that operation. An undocumented path or status is a failure too.
 */
export function assertMatchesOpenapi(exchange: Exchange): void {
  const { doc, templates } = load();
  const pathname = new URL(exchange.url, 'http://relay').pathname;
  const method = exchange.method.toLowerCase();
  const found = templates.find(({ template, pattern }) => pattern.test(pathname) && doc.paths[template][method]);
  if (!found) throw new Error(`${exchange.method} ${pathname} is not in shared/openapi.yaml`);
  const operation = doc.paths[found.template][method];
  const what = `${exchange.method} ${found.template}`;

  // Only a request the relay accepted must match: tests send bad ones on purpose to see them refused.
  if (exchange.status < 400 && exchange.requestBody !== undefined && operation.requestBody?.content?.['application/json']?.schema) {
    validateAt(pointer('paths', found.template, method, 'requestBody', 'content', 'application/json', 'schema'), exchange.requestBody, `the request body of ${what}`);
  }

  const statusKey = String(exchange.status);
  const responses = operation.responses ?? {};
  const key = statusKey in responses ? statusKey : `${statusKey[0]}XX` in responses ? `${statusKey[0]}XX` : 'default' in responses ? 'default' : null;
  if (!key) throw new Error(`${what} answered ${exchange.status}, which shared/openapi.yaml does not document (documented: ${Object.keys(responses).join(', ')})`);
  let responsePath = ['paths', found.template, method, 'responses', key];
  let response = responses[key];
  if (response.$ref) {
    const name = response.$ref.replace('#/components/responses/', '');
    responsePath = ['components', 'responses', name];
    response = (doc.components?.responses?.[name] ?? {}) as typeof response;
  }
  if (!response.content) return;
  const mediaType = (exchange.contentType ?? '').split(';')[0].trim();
  if (!(mediaType in response.content)) throw new Error(`${what} answered ${exchange.status} as ${mediaType || 'no content type'}; shared/openapi.yaml says ${Object.keys(response.content).join(' or ')}`);
  if (response.content[mediaType].schema) validateAt(pointer(...responsePath, 'content', mediaType, 'schema'), exchange.responseBody, `the ${exchange.status} answer of ${what}`);
}
