// GET /_mock/openapi.json: generated from the same TypeBox schemas the dispatcher validates with.
import t, { type Test } from 'tap';
import { makeApp } from './helpers.js';
import { openApiDocument, toOpenApiSchema } from '../src/control/openapi.js';
import { ERRORS } from '../src/protocol/errors.js';
import { defineAction } from '../src/actions/action.js';
import { Obj, Opt, List, Str, StrMap, Id, Int64, Int32, AppId, Type } from '../src/protocol/schema.js';

const PATH = (action: string) => `/?Action=${action}&Version=2020-12-01`;

async function fetchDoc(t: Test) {
  const app = await makeApp(t);
  const res = await app.inject({ method: 'GET', url: '/_mock/openapi.json' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  return { app, text: res.body, doc: JSON.parse(res.body) };
}

/** Walks a TypeBox schema and its OpenAPI rendering side by side. */
function walkPair(src: any, out: any, visit: (src: any, out: any, where: string) => void, where = 'body') {
  const nullableOf = src.anyOf?.filter((s: any) => s.type !== 'null');
  if (nullableOf?.length === 1) return walkPair(nullableOf[0], out, visit, where); // T | null is rendered as T, nullable
  visit(src, out, where);
  if (src.properties) for (const k of Object.keys(src.properties)) walkPair(src.properties[k], out.properties[k], visit, `${where}.${k}`);
  if (src.items) walkPair(src.items, out.items, visit, `${where}[]`);
  if (nullableOf) nullableOf.forEach((s: any, i: number) => walkPair(s, out.anyOf[i], visit, `${where}|${i}`));
}

function allKeys(v: unknown, acc: string[] = []): string[] {
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { acc.push(k); allKeys(x, acc); }
  return acc;
}

t.test('the document is valid JSON, OpenAPI 3.0, one operation per emulated Action', async (t) => {
  const { app, text, doc } = await fetchDoc(t);
  t.doesNotThrow(() => JSON.parse(text));
  t.match(doc.openapi, /^3\.0\.\d+$/);
  t.type(doc.info.title, 'string');
  const names = app.mock.actions.map((a) => a.name).sort();
  t.ok(names.includes('GetMessagesReadReceipt'));
  const ops = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) => Object.entries(item).map(([method, op]: [string, any]) => ({ path, method, op })));
  t.equal(ops.length, names.length, 'as many operations as emulated actions');
  for (const name of names) {
    const op = doc.paths[PATH(name)]?.post;
    t.ok(op, `${name} is POST ${PATH(name)}`);
    t.equal(op?.operationId, name);
    t.equal(op?.requestBody?.content?.['application/json']?.schema?.$ref, `#/components/schemas/${name}Request`);
    t.equal(op?.['x-qps'], app.mock.actions.find((a) => a.name === name)!.qps);
  }
  t.equal(new Set(ops.map((o) => o.op.operationId)).size, ops.length, 'operationIds are unique');
});

t.test('int64 and int32 fields carry their formats and bounds; TypeBox internals are gone', async (t) => {
  const { doc } = await fetchDoc(t);
  const req = doc.components.schemas.GetMessagesReadReceiptRequest;
  t.strictSame(req.properties.ConversationShortId, { type: 'integer', format: 'int64', minimum: 1, description: 'conversation id' });
  t.strictSame(req.properties.AppId, { type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647, description: 'application id' });
  t.strictSame(req.properties.MessageIds, { type: 'array', items: { type: 'integer', format: 'int64', minimum: 1 }, minItems: 1, maxItems: 100, description: 'message ids' });
  const res = doc.components.schemas.GetMessagesReadReceiptResult;
  t.strictSame(res.properties.ReadReceipt.items.properties.UnReadUserIds.items, { type: 'integer', format: 'int64', minimum: 1 });
  t.strictSame(res.properties.ReadReceipt.items.properties.ReadUserIdsStr, { type: 'array', items: { type: 'string' } });
  const keys = allKeys(doc);
  t.notOk(keys.some((k) => k.startsWith('~')), 'no ~ keys');
  for (const marker of ['x-int64', 'x-int32', 'x-minimum', 'x-maximum', 'patternProperties', 'const']) t.notOk(keys.includes(marker), `no ${marker}`);
});

t.test('every schema of every action maps field by field: required lists, int formats', async (t) => {
  const { app, doc } = await fetchDoc(t);
  let int64s = 0;
  for (const a of app.mock.actions) {
    for (const [src, name] of [[a.body, `${a.name}Request`], [a.result, `${a.name}Result`]] as const) {
      walkPair(src, doc.components.schemas[name], (s, o, where) => {
        t.ok(o, `${name} ${where} is rendered`);
        if (s.required) t.same(o.required, s.required, `${name} ${where} required`);
        else t.notOk(o.required, `${name} ${where} has no required list`);
        if (s['x-int64']) { int64s++; t.match(o, { type: 'integer', format: 'int64' }, `${name} ${where} int64`); }
        if (s['x-int32']) t.match(o, { type: 'integer', format: 'int32', minimum: s['x-minimum'], maximum: s['x-maximum'] }, `${name} ${where} int32`);
      });
    }
  }
  t.ok(int64s >= 5, `int64 fields checked (${int64s})`);
  t.same(doc.components.schemas.GetMessagesReadReceiptRequest.required, ['AppId', 'ConversationShortId', 'MessageIds']);
});

t.test('responses: 200 wraps Result in the envelope; every catalog status has an error response with its codes', async (t) => {
  const { doc } = await fetchDoc(t);
  const op = doc.paths[PATH('GetMessagesReadReceipt')].post;
  const ok = op.responses['200'].content['application/json'].schema;
  t.same(ok.required, ['ResponseMetadata', 'Result']);
  t.equal(ok.properties.Result.$ref, '#/components/schemas/GetMessagesReadReceiptResult');
  t.same(doc.components.schemas.ResponseMetadata.required, ['RequestId', 'Action', 'Version', 'Service', 'Region']);
  for (const status of ['400', '403', '404', '405', '413', '429', '500']) t.ok(op.responses[status], `HTTP ${status} documented`);
  const statuses = new Set(Object.values(ERRORS).map((e) => String(e.status)));
  for (const status of statuses) {
    t.equal(op.responses[status]?.$ref, `#/components/responses/Error${status}`);
    const err = doc.components.responses[`Error${status}`].content['application/json'].schema.properties.ResponseMetadata.properties.Error;
    const codes = Object.entries(ERRORS).filter(([, e]) => String(e.status) === status).map(([c]) => c);
    t.same(err.properties.Code.enum, codes, `HTTP ${status} codes`);
    t.same(err.required, ['Code', 'Message']);
    t.same(Object.keys(err.properties).filter((k) => k !== 'CodeN'), ['Code', 'Message']);
  }
  const e429 = doc.components.responses.Error429.content['application/json'].schema.properties.ResponseMetadata.properties.Error;
  t.same(e429.properties.CodeN.enum, [100018]);
  t.same(e429.properties.Code.enum, ['FlowLimitExceeded']);
  const e400 = doc.components.responses.Error400.content['application/json'].schema.properties.ResponseMetadata.properties.Error;
  t.ok(e400.properties.Code.enum.includes('InvalidParameter.NotExistConversation'));
  t.notOk(doc.components.responses.Error413.content['application/json'].schema.properties.ResponseMetadata.properties.Error.properties.CodeN, '413 has no CodeN');
});

t.test('every $ref resolves', async (t) => {
  const { doc } = await fetchDoc(t);
  const refs: string[] = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { if (k === '$ref') refs.push(x as string); else walk(x); }
  };
  walk(doc);
  t.ok(refs.length > 3);
  for (const ref of new Set(refs)) {
    const target = ref.replace(/^#\//, '').split('/').reduce((o: any, k) => o?.[k], doc);
    t.ok(target, `${ref} resolves`);
  }
});

t.test('the generator is a pure function of the action list', async (t) => {
  const extra = defineAction({
    name: 'ZzProbe', qps: 7,
    body: Obj({ AppId: AppId(), Ext: Opt(StrMap('ext')), Cursor: Int64({ min: 0n }), Any: Int64(), Kind: Int32({ min: 1, max: 3 }), Tags: List(Str({ maxLength: 5 })) }),
    result: Obj({
      Mode: Type.Union([Type.Literal('a'), Type.Literal('b')]), Gone: Type.Null(), Id: Id(),
      Maybe: Type.Union([Id(), Type.Null()], { description: 'or null' }), Either: Type.Union([Str(), Int32(), Type.Null()]),
    }),
    handler: () => ({ Mode: 'a' as const, Gone: null, Id: 1n, Maybe: null, Either: null }),
  });
  const doc: any = openApiDocument([extra]);
  t.same(Object.keys(doc.paths), ['/?Action=ZzProbe&Version=2020-12-01']);
  const body = doc.components.schemas.ZzProbeRequest;
  t.same(body.required, ['AppId', 'Cursor', 'Any', 'Kind', 'Tags']);
  t.strictSame(body.properties.Ext, { type: 'object', additionalProperties: { type: 'string' }, description: 'ext' });
  t.strictSame(body.properties.Cursor, { type: 'integer', format: 'int64', minimum: 0 });
  t.strictSame(body.properties.Any, { type: 'integer', format: 'int64' });
  t.strictSame(body.properties.Kind, { type: 'integer', format: 'int32', minimum: 1, maximum: 3 });
  t.strictSame(body.properties.Tags, { type: 'array', items: { type: 'string', maxLength: 5 } });
  const result = doc.components.schemas.ZzProbeResult;
  t.strictSame(result.properties.Mode, { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'string', enum: ['b'] }] });
  t.strictSame(result.properties.Gone, { nullable: true });
  t.strictSame(result.properties.Maybe, { type: 'integer', format: 'int64', minimum: 1, nullable: true, description: 'or null' });
  t.strictSame(result.properties.Either, { anyOf: [{ type: 'string' }, { type: 'integer', format: 'int32', minimum: -2147483648, maximum: 2147483647 }], nullable: true });
  t.equal(doc.paths['/?Action=ZzProbe&Version=2020-12-01'].post['x-qps'], 7);
  t.strictSame(toOpenApiSchema(Int64({ min: 1n })), { type: 'integer', format: 'int64', minimum: 1 });
});
