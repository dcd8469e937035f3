// GET /_mock/openapi.json: an OpenAPI 3.0 document generated from the same TypeBox schemas the dispatcher validates.
// The vendor API is one path with the operation in the query (`POST /?Action=X&Version=2020-12-01`); OpenAPI
// keys paths by path alone, so each Action gets the pseudo-path "/?Action=X&Version=2020-12-01". Swagger UI
// renders it and "Try it out" sends exactly the vendor URL; strict linters flag a query string in a path key.
import type { FastifyReply } from 'fastify';
import type { ActionDef } from '../actions/action.js';
import { ERRORS, type ErrorSpec } from '../protocol/errors.js';
import { VERSION, SERVICE, DEFAULT_REGION } from '../protocol/envelope.js';
import { stringifyJson } from '../protocol/json.js';

type Json = Record<string, unknown>;

/** Keys of our own schema builders that carry meaning only for us (schema.ts). */
const MARKERS = new Set(['x-int64', 'x-int32', 'x-minimum', 'x-maximum']);

/** A TypeBox schema as an OpenAPI 3.0 schema object: int64/int32 markers become integer formats, internals go. */
export function toOpenApiSchema(schema: unknown): Json {
  const s = schema as Json;
  const out: Json = {};
  let union: Json | undefined;
  if (s['x-int64'] === true) {
    Object.assign(out, { type: 'integer', format: 'int64' });
    const min = s['x-minimum'];
    if (min !== undefined && Number.isSafeInteger(Number(min))) out.minimum = Number(min);
  } else if (s['x-int32'] === true) {
    Object.assign(out, { type: 'integer', format: 'int32', minimum: s['x-minimum'], maximum: s['x-maximum'] });
  }
  for (const key of Object.keys(s)) {
    const v = s[key];
    if (key.startsWith('~') || MARKERS.has(key) || v === undefined || key in out) continue;
    if (key === 'properties') out.properties = mapValues(v as Json, toOpenApiSchema);
    else if (key === 'items') out.items = toOpenApiSchema(v);
    else if (key === 'anyOf') union = anyOf(v as Json[]);
    else if (key === 'oneOf' || key === 'allOf') out[key] = (v as unknown[]).map(toOpenApiSchema);
    else if (key === 'patternProperties') out.additionalProperties = toOpenApiSchema(Object.values(v as Json)[0]); // Record<string, T>
    else if (key === 'additionalProperties' && typeof v === 'object') out.additionalProperties = toOpenApiSchema(v);
    else if (key === 'const') out.enum = [v]; // 3.0 has no const
    else if (key === 'type' && v === 'null') out.nullable = true;
    else out[key] = v;
  }
  return union ? { ...union, ...out } : out; // the union's own keywords (description) win over its branches'
}

/** 3.0 has no null type: `T | null` becomes T with nullable, a wider union keeps anyOf and gains nullable. */
function anyOf(branches: Json[]): Json {
  const rest = branches.filter((b) => b.type !== 'null').map(toOpenApiSchema);
  const nullable = rest.length < branches.length ? { nullable: true } : {};
  return rest.length === 1 ? { ...rest[0], ...nullable } : { anyOf: rest, ...nullable };
}

function mapValues(o: Json, f: (v: unknown) => Json): Json {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

const str = (description?: string) => (description ? { type: 'string', description } : { type: 'string' });

const RESPONSE_METADATA = {
  type: 'object',
  required: ['RequestId', 'Action', 'Version', 'Service', 'Region'],
  properties: {
    RequestId: { type: 'string', description: 'yyyyMMddHHmmss (UTC+8) + 20 upper-case hex digits; also the X-Request-Id header', minLength: 34, maxLength: 34 },
    Action: str(), Version: { type: 'string', enum: [VERSION] }, Service: { type: 'string', enum: [SERVICE] },
    Region: str(`the credential scope's region, else ${DEFAULT_REGION}`),
  },
};

/** Catalog codes grouped by HTTP status. */
function codesByStatus(): Map<number, [string, ErrorSpec][]> {
  const by = new Map<number, [string, ErrorSpec][]>();
  for (const [code, spec] of Object.entries(ERRORS) as [string, ErrorSpec][]) {
    by.set(spec.status, [...(by.get(spec.status) ?? []), [code, spec]]);
  }
  return new Map([...by].sort((a, b) => a[0] - b[0]));
}

function errorResponse(codes: [string, ErrorSpec][]): Json {
  const codeNs = codes.map(([, s]) => s.codeN).filter((n): n is number => n !== undefined);
  const error: Json = {
    type: 'object',
    required: ['Code', 'Message'],
    properties: {
      ...(codeNs.length ? { CodeN: { type: 'integer', format: 'int32', enum: codeNs } } : {}),
      Code: { type: 'string', enum: codes.map(([c]) => c) },
      Message: str('names the field and the rule that failed'),
    },
  };
  return {
    description: codes.map(([c, s]) => (s.codeN === undefined ? c : `${c} (${s.codeN})`)).join(', '),
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['ResponseMetadata'],
          properties: {
            ResponseMetadata: {
              type: 'object',
              required: ['RequestId', 'Error'],
              properties: { ...RESPONSE_METADATA.properties, Error: error },
            },
          },
        },
      },
    },
  };
}

/** The OpenAPI 3.0 document for these actions: a pure function of the action list and the error catalog. */
export function openApiDocument(actions: readonly ActionDef<any, any>[], info: { version?: string } = {}): Json {
  const errors = codesByStatus();
  const errorRefs = Object.fromEntries([...errors.keys()].map((st) => [String(st), { $ref: `#/components/responses/Error${st}` }]));
  const schemas: Json = { ResponseMetadata: RESPONSE_METADATA };
  const paths: Json = {};
  for (const a of [...actions].sort((x, y) => x.name.localeCompare(y.name))) {
    schemas[`${a.name}Request`] = toOpenApiSchema(a.body);
    schemas[`${a.name}Result`] = toOpenApiSchema(a.result);
    paths[`/?Action=${a.name}&Version=${VERSION}`] = {
      post: {
        operationId: a.name,
        summary: a.name,
        description: `Volcengine RTC IM ${a.name} (Version ${VERSION}). Documented limit: ${a.qps} requests per second.`,
        'x-qps': a.qps,
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${a.name}Request` } } } },
        responses: {
          200: {
            description: 'success: the vendor envelope with the Result',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['ResponseMetadata', 'Result'],
                  properties: {
                    ResponseMetadata: { $ref: '#/components/schemas/ResponseMetadata' },
                    Result: { $ref: `#/components/schemas/${a.name}Result` },
                  },
                },
              },
            },
          },
          ...errorRefs,
        },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'volc-im-mock: Volcengine RTC IM server OpenAPI emulator',
      version: info.version ?? VERSION,
      description: `Every emulated Action of Version ${VERSION}. Each operation is POST /?Action=<Action>&Version=${VERSION}; ` +
        'the path keys carry that query so each Action is an operation of its own. int64 fields are exact JSON integers (never strings).',
    },
    paths,
    components: {
      schemas,
      responses: Object.fromEntries([...errors].map(([st, codes]) => [`Error${st}`, errorResponse(codes)])),
    },
  };
}

/** The route handler: the document is built once, on first request, and written int64-exact. */
export function openApiRoute(actions: readonly ActionDef<any, any>[]) {
  let text: string | undefined;
  return async (_req: unknown, reply: FastifyReply) => {
    text ??= stringifyJson(openApiDocument(actions));
    return reply.header('content-type', 'application/json; charset=utf-8').send(text);
  };
}
