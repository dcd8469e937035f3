// The vendor's Node SDK (@volcengine/openapi) against a listening mock, for the users/friends/app tests: bodies go
// pre-stringified int64-exact, answers are parsed with the int64-exact parser (as in sdk.test.ts).
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { parseJson, stringifyJson } from '../src/protocol/json.js';
import type { AppOptions } from '../src/app.js';
import { stateDocument } from '../src/control/state.js';
import { makeApp } from './helpers.js';

for (const name of ['VOLC_ACCESSKEY', 'VOLC_SECRETKEY', 'VOLC_PROXY_PORT', 'VOLC_PROXY_HOST']) delete process.env[name];
const { Service } = await import('@volcengine/openapi');

export type Envelope = { ResponseMetadata: { RequestId: string; Error?: { CodeN?: number; Code: string; Message: string } }; Result?: any };
export type SdkCall = (action: string, body: unknown) => Promise<Envelope>;

export function sdkClient(port: number, credential = { accessKeyId: 'AKLTmocktest', secretKey: 'mock-secret-key' }): SdkCall {
  const service = new Service({
    host: `127.0.0.1:${port}`, protocol: 'http:', region: 'cn-north-1', serviceName: 'rtc',
    accessKeyId: credential.accessKeyId, secretKey: credential.secretKey,
  });
  return (action, body) => {
    const api = service.createJSONAPI(action, { Version: '2020-12-01' });
    return api(stringifyJson(body) as any, { Action: action, transformResponse: [(data: string) => parseJson(data)] }) as Promise<any>;
  };
}

/** A mock listening on a free loopback port with the SDK pointed at it. */
export async function serveSdk(t: Test, opts: AppOptions = {}): Promise<{ app: FastifyInstance; sdk: SdkCall; port: number }> {
  const app = await makeApp(t, opts);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { app, sdk: sdkClient(port), port };
}

/** The whole state (every kind) as text: equal before and after means nothing changed. */
export const world = (app: FastifyInstance): string => stringifyJson(stateDocument(app.mock.store));
