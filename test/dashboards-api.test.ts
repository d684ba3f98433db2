// Custom dashboards through /api/v1/dashboards against a real Vigil: create, read, list,
// replace and delete field by field, the insert-only versions in vigil_dashboards, a restart on
// the same data directory, and bad input answered with 400 and a message naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestVigil, startTestVigil } from './helpers/vigil.ts';

let vigil: TestVigil;

beforeAll(async () => {
  vigil = await startTestVigil();
}, 120_000);

afterAll(async () => {
  await vigil?.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(vigil.query!.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const CHECKOUT = {
  title: '  Checkout  ',
  variables: [
    { name: 'service', source: 'services', values: [] },
    { name: 'env', source: 'list', values: ['prod', 'staging'] },
  ],
  panels: [
    { title: 'Requests', kind: 'graph', query: 'name,vigil.span.requests,:eq,service.name,$service,:eq,:and,:sum', wide: true },
    { title: 'Traces', kind: 'traces', query: '$service' },
    { title: 'Errors', kind: 'logs', query: '"card declined" env=$(env)', wide: false },
  ],
};

/** CHECKOUT as stored: the title trimmed, `wide` filled in. */
const CHECKOUT_STORED = {
  title: 'Checkout',
  variables: CHECKOUT.variables,
  panels: [
    { title: 'Requests', kind: 'graph', query: 'name,vigil.span.requests,:eq,service.name,$service,:eq,:and,:sum', wide: true },
    { title: 'Traces', kind: 'traces', query: '$service', wide: false },
    { title: 'Errors', kind: 'logs', query: '"card declined" env=$(env)', wide: false },
  ],
};

async function create(body: unknown): Promise<string> {
  const res = await call('POST', '/api/v1/dashboards', body);
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.id;
}

describe('dashboards API', () => {
  it('creates, reads, lists, replaces and deletes a dashboard, field by field', async () => {
    const before = Date.now();
    const created = await call('POST', '/api/v1/dashboards', CHECKOUT);
    expect(created.status).toBe(201);
    const { id, createdAt, updatedAt, ...rest } = created.json;
    expect(id).toMatch(UUID);
    expect(rest).toEqual(CHECKOUT_STORED);
    expect(createdAt).toMatch(ISO);
    expect(updatedAt).toBe(createdAt);
    expect(Date.parse(createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(createdAt)).toBeLessThanOrEqual(Date.now());

    const got = await call('GET', `/api/v1/dashboards/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json);
    const listed = (await call('GET', '/api/v1/dashboards')).json.dashboards;
    expect(listed.find((d: any) => d.id === id)).toEqual(created.json);

    // Replace: a new title, the panels reordered, a variable dropped.
    const next = { title: 'Checkout (prod)', variables: [CHECKOUT.variables[0]], panels: [CHECKOUT_STORED.panels[1], CHECKOUT_STORED.panels[0]] };
    const replaced = await call('PUT', `/api/v1/dashboards/${id}`, next);
    expect(replaced.status).toBe(200);
    expect(replaced.json).toEqual({ id, ...next, createdAt, updatedAt: replaced.json.updatedAt });
    expect(Date.parse(replaced.json.updatedAt)).toBeGreaterThanOrEqual(Date.parse(createdAt));
    expect((await call('GET', `/api/v1/dashboards/${id}`)).json).toEqual(replaced.json);

    // What GET answers is accepted back as a PUT body (id, createdAt, updatedAt change nothing).
    const again = await call('PUT', `/api/v1/dashboards/${id}`, { ...replaced.json, createdAt: '2001-01-01T00:00:00.000Z' });
    expect(again.status).toBe(200);
    expect(again.json.createdAt).toBe(createdAt);
    expect(again.json.title).toBe('Checkout (prod)');

    expect((await call('DELETE', `/api/v1/dashboards/${id}`)).status).toBe(204);
    const gone = await call('GET', `/api/v1/dashboards/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: 'VIGIL_ERR_NOT_FOUND', message: `dashboard ${id} not found` });
    expect((await call('GET', '/api/v1/dashboards')).json.dashboards.map((d: any) => d.id)).not.toContain(id);
    expect((await call('DELETE', `/api/v1/dashboards/${id}`)).status).toBe(404);
    expect((await call('PUT', `/api/v1/dashboards/${id}`, next)).status).toBe(404);

    // Insert-only: every change is a row with a higher Version; the deletion is the last one.
    const rows = await vigil.rows<{ Version: string; Name: string; Dashboard: string; Deleted: number }>(
      'SELECT Version, Name, Dashboard, Deleted FROM vigil_dashboards WHERE Id = {id:String} ORDER BY Version',
      { id },
    );
    expect(rows.map((r) => [r.Name, r.Deleted])).toEqual([
      ['Checkout', 0],
      ['Checkout (prod)', 0],
      ['Checkout (prod)', 0],
      ['', 1],
    ]);
    expect(JSON.parse(rows[0]!.Dashboard)).toEqual(CHECKOUT_STORED);
    const versions = rows.map((r) => BigInt(r.Version));
    for (let i = 1; i < versions.length; i++) expect(versions[i]! > versions[i - 1]!).toBe(true);
    // Versions are unix microseconds: the first is the creation time.
    expect(Number(versions[0]! / 1000n)).toBe(Date.parse(createdAt));
  });

  it('lists dashboards by title, then id, with their panels', async () => {
    const zeta = await create({ title: 'zeta', panels: [{ title: 'p', kind: 'logs', query: 'timeout' }] });
    const alpha = await create({ title: 'Alpha' });
    const listed: any[] = (await call('GET', '/api/v1/dashboards')).json.dashboards;
    const ours = listed.filter((d) => d.id === zeta || d.id === alpha);
    // ClickHouse orders strings by bytes: upper case before lower case.
    expect(ours.map((d) => [d.title, d.variables, d.panels])).toEqual([
      ['Alpha', [], []],
      ['zeta', [], [{ title: 'p', kind: 'logs', query: 'timeout', wide: false }]],
    ]);
  });

  it('answers unknown ids with 404 on GET, PUT and DELETE', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await call(method, '/api/v1/dashboards/no-such-dashboard', method === 'PUT' ? { title: 'x' } : undefined);
      expect(res.status, method).toBe(404);
      expect(res.json, method).toMatchObject({ code: 'VIGIL_ERR_NOT_FOUND', message: 'dashboard no-such-dashboard not found' });
    }
  });

  it('answers invalid dashboards with 400 and a message naming the field, and stores nothing', async () => {
    const panel = { title: 'p', kind: 'graph', query: 'name,cpu,:eq,:sum' };
    const long = 'x'.repeat(201);
    const cases: Array<[unknown, string]> = [
      [[], 'invalid body: the dashboard must be a JSON object'],
      [{}, 'invalid title: missing; a string is required'],
      [{ title: '   ' }, 'invalid title: must not be empty'],
      [{ title: 7 }, 'invalid title: must be a string'],
      [{ title: long }, 'invalid title: longer than 200 characters'],
      [{ title: 't', owner: 'me' }, 'invalid owner: unknown field; the dashboard takes title, variables, panels'],
      [{ title: 't', id: 'mine' }, 'invalid id: assigned by the server; to change a dashboard, PUT /api/v1/dashboards/{id}'],
      [{ title: 't', panels: {} }, 'invalid panels: must be an array'],
      [{ title: 't', panels: Array.from({ length: 61 }, () => panel) }, 'invalid panels: has 61 items; at most 60'],
      [{ title: 't', panels: [panel, 'graph'] }, 'invalid panels[1]: panels[1] must be a JSON object'],
      [{ title: 't', panels: [{ ...panel, kind: 'chart' }] }, 'invalid panels[0].kind: "chart" is not one of graph, traces, logs'],
      [{ title: 't', panels: [{ ...panel, query: 'x'.repeat(10_001) }] }, 'invalid panels[0].query: longer than 10000 characters'],
      [{ title: 't', panels: [{ ...panel, wide: 'yes' }] }, 'invalid panels[0].wide: must be true or false'],
      [{ title: 't', panels: [{ ...panel, width: 2 }] }, 'invalid panels[0].width: unknown field; panels[0] takes title, kind, query, wide'],
      [{ title: 't', panels: [{ kind: 'logs', query: '' }] }, 'invalid panels[0].title: missing; a string is required'],
      [{ title: 't', variables: [{ name: '1st', source: 'list' }] }, 'invalid variables[0].name: "1st": letters, digits and _, not starting with a digit, at most 64'],
      [{ title: 't', variables: [{ name: 'env', source: 'hosts' }] }, 'invalid variables[0].source: "hosts" is not one of services, list'],
      [{ title: 't', variables: [{ name: 'env', source: 'list', values: ['a', 3] }] }, 'invalid variables[0].values[1]: must be a string'],
      [{ title: 't', variables: [{ name: 'env', source: 'list', values: Array.from({ length: 501 }, (_, i) => `v${i}`) }] }, 'invalid variables[0].values: has 501 items; at most 500'],
      [{ title: 't', variables: Array.from({ length: 21 }, (_, i) => ({ name: `v${i}`, source: 'services' })) }, 'invalid variables: has 21 items; at most 20'],
      [
        { title: 't', variables: [{ name: 'env', source: 'services' }, { name: 'env', source: 'list' }] },
        'invalid variables[1].name: "env" is already the name of an earlier variable',
      ],
    ];
    const count = async () => (await vigil.rows('SELECT Id FROM vigil_dashboards')).length;
    const stored = await count();
    for (const [body, message] of cases) {
      const res = await call('POST', '/api/v1/dashboards', body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.json, JSON.stringify(body).slice(0, 120)).toEqual({ code: 'VIGIL_ERR_BAD_PARAMETER', message });
    }
    expect(await count()).toBe(stored);

    const id = await create({ title: 'kept' });
    const mismatch = await call('PUT', `/api/v1/dashboards/${id}`, { id: 'other', title: 'kept' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.message).toBe(`invalid id: "other" is not the id in the path (${JSON.stringify(id)})`);
    const invalidPut = await call('PUT', `/api/v1/dashboards/${id}`, { title: 'kept', panels: [{ title: 'p', kind: 'table', query: '' }] });
    expect(invalidPut.status).toBe(400);
    expect((await call('GET', `/api/v1/dashboards/${id}`)).json.panels).toEqual([]);

    const notJson = await fetch(`${vigil.query!.url}/api/v1/dashboards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const unknownParam = await call('GET', '/api/v1/dashboards?limit=5');
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.json.message).toContain('invalid limit: unknown parameter');
    // The server keeps serving.
    expect((await call('GET', `/api/v1/dashboards/${id}`)).status).toBe(200);
  });

  it('keeps dashboards, and deletions, across a restart on the same data directory', async () => {
    const kept = await create(CHECKOUT);
    const dropped = await create({ title: 'dropped' });
    expect((await call('DELETE', `/api/v1/dashboards/${dropped}`)).status).toBe(204);
    const before = (await call('GET', `/api/v1/dashboards/${kept}`)).json;

    await vigil.stop();
    vigil = await startTestVigil({}, vigil.dataDir);

    expect((await call('GET', `/api/v1/dashboards/${kept}`)).json).toEqual(before);
    expect((await call('GET', `/api/v1/dashboards/${dropped}`)).status).toBe(404);
    const ids = (await call('GET', '/api/v1/dashboards')).json.dashboards.map((d: any) => d.id);
    expect(ids).toContain(kept);
    expect(ids).not.toContain(dropped);
  }, 120_000);
});
