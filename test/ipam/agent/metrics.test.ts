// The agent's Prometheus metrics: the hand-rolled registry's text format, and the HTTP
// listener Prometheus scrapes.
import type { ExecutionContext } from 'ava';
import test from '../../support/test.ts';
import { allocationBuckets, createAgentMetrics } from '../../../ipam/agent/metrics.ts';
import { startMetricsServer } from '../../../ipam/metrics/metrics-server.ts';

const histogram = 'nicpool_allocation_duration_seconds';

/** The value of one series, looked up by its exact rendered name and labels. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The sample lines of one metric name, in rendered order. */
function samplesOf(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

// Text format 0.0.4, strictly: names, label pairs with only the three escapes the format has,
// and Go float syntax for values.
const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const labelValue = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const labelPair = `[a-zA-Z_][a-zA-Z0-9_]*=${labelValue}`;
const number = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN)';
const helpLine = new RegExp(`^# HELP (${name}) (?:[^\\\\\\n]|\\\\[\\\\n])*$`);
const typeLine = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`);
const sampleLine = new RegExp(`^(${name})(?:\\{${labelPair}(?:,${labelPair})*\\})? ${number}$`);

/** Checks every line and the grouping: HELP then TYPE once per family, then only that family's samples. */
function assertExposition(t: ExecutionContext, text: string): void {
  t.true(text.endsWith('\n'), 'the last line ends with a newline');
  const seen = new Set<string>();
  let family: { name: string; type: string } | undefined;
  let help: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const h = helpLine.exec(line);
    const ty = typeLine.exec(line);
    const s = sampleLine.exec(line);
    if (h) {
      t.false(seen.has(h[1]!), `${h[1]} appears once`);
      help = h[1]!;
    } else if (ty) {
      t.is(ty[1], help, `TYPE ${ty[1]} follows its HELP`);
      seen.add(ty[1]!);
      family = { name: ty[1]!, type: ty[2]! };
    } else if (s) {
      t.truthy(family, `sample before any TYPE: ${line}`);
      const allowed = family!.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => family!.name + suffix) : [family!.name];
      t.true(allowed.includes(s[1]!), `${s[1]} belongs to ${family!.name}`);
    } else {
      t.fail(`not a 0.0.4 line: ${JSON.stringify(line)}`);
    }
  }
}

test('G-40 histogram counts each observation in every bucket at or above it', (t) => {
  const metrics = createAgentMetrics();
  // 0.05 sits exactly on a bound: "le" is inclusive.
  for (const seconds of [0.0004, 0.003, 0.05, 0.7, 30]) metrics.observeAllocation(seconds, 'ok');
  const text = metrics.render();
  const expected = allocationBuckets.map((le) => [0.0004, 0.003, 0.05, 0.7, 30].filter((s) => s <= le).length);
  t.deepEqual(
    allocationBuckets.map((le) => value(text, `${histogram}_bucket{outcome="ok",le="${le}"}`)),
    expected,
  );
  t.deepEqual(expected, [1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4], 'the expectation itself is cumulative');
  t.deepEqual(
    samplesOf(text, `${histogram}_bucket`).filter((l) => l.includes('outcome="ok"')).map((l) => /le="([^"]+)"/.exec(l)![1]),
    [...allocationBuckets.map(String), '+Inf'],
    'buckets in ascending order, +Inf last',
  );
});

test('G-41 histogram +Inf bucket and _count are the number of observations, _sum their total, per outcome', (t) => {
  const metrics = createAgentMetrics();
  metrics.observeAllocation(0.25, 'ok');
  metrics.observeAllocation(12, 'ok');
  metrics.observeAllocation(0.5, 'error');
  const text = metrics.render();
  t.is(value(text, `${histogram}_bucket{outcome="ok",le="+Inf"}`), 2);
  t.is(value(text, `${histogram}_count{outcome="ok"}`), 2);
  t.is(value(text, `${histogram}_sum{outcome="ok"}`), 12.25);
  t.is(value(text, `${histogram}_bucket{outcome="ok",le="10"}`), 1, '12 s is only in +Inf');
  t.is(value(text, `${histogram}_bucket{outcome="error",le="+Inf"}`), 1);
  t.is(value(text, `${histogram}_count{outcome="error"}`), 1);
  t.is(value(text, `${histogram}_sum{outcome="error"}`), 0.5);
});

test('G-42 both outcomes are exposed at zero before any observation', (t) => {
  const text = createAgentMetrics().render();
  for (const outcome of ['error', 'ok']) {
    t.is(value(text, `${histogram}_bucket{outcome="${outcome}",le="+Inf"}`), 0);
    t.is(value(text, `${histogram}_count{outcome="${outcome}"}`), 0);
    t.is(value(text, `${histogram}_sum{outcome="${outcome}"}`), 0);
  }
});

test('G-43 IPBlock conflict and write counters start at 0 and count each call', (t) => {
  const metrics = createAgentMetrics();
  t.is(value(metrics.render(), 'nicpool_ipblock_conflicts_total'), 0);
  t.is(value(metrics.render(), 'nicpool_ipblock_writes_total'), 0);
  metrics.countConflict();
  for (let i = 0; i < 3; i++) metrics.countWrite();
  t.is(value(metrics.render(), 'nicpool_ipblock_conflicts_total'), 1);
  t.is(value(metrics.render(), 'nicpool_ipblock_writes_total'), 3);
});

test('G-44 CNI requests are counted per command and code, sorted by labels', (t) => {
  const metrics = createAgentMetrics();
  metrics.countCniRequest('DEL', 0);
  metrics.countCniRequest('ADD', 100);
  metrics.countCniRequest('ADD', 0);
  metrics.countCniRequest('ADD', 0);
  t.deepEqual(samplesOf(metrics.render(), 'nicpool_cni_requests_total'), [
    'nicpool_cni_requests_total{command="ADD",code="0"} 2',
    'nicpool_cni_requests_total{command="ADD",code="100"} 1',
    'nicpool_cni_requests_total{command="DEL",code="0"} 1',
  ]);
});

test('G-45 pool gauges hold the last value set and forgetPool removes both series', (t) => {
  const metrics = createAgentMetrics();
  metrics.setPoolUsage('rack-b', 1, 16);
  metrics.setPoolUsage('rack-a', 3, 8);
  metrics.setPoolUsage('rack-b', 5, 16);
  let text = metrics.render();
  t.deepEqual(samplesOf(text, 'nicpool_pool_allocated_ips'), ['nicpool_pool_allocated_ips{pool="rack-a"} 3', 'nicpool_pool_allocated_ips{pool="rack-b"} 5']);
  t.deepEqual(samplesOf(text, 'nicpool_pool_total_ips'), ['nicpool_pool_total_ips{pool="rack-a"} 8', 'nicpool_pool_total_ips{pool="rack-b"} 16']);
  metrics.forgetPool('rack-b');
  metrics.forgetPool('never-set');
  text = metrics.render();
  t.deepEqual(samplesOf(text, 'nicpool_pool_allocated_ips'), ['nicpool_pool_allocated_ips{pool="rack-a"} 3']);
  t.deepEqual(samplesOf(text, 'nicpool_pool_total_ips'), ['nicpool_pool_total_ips{pool="rack-a"} 8']);
  t.true(text.includes('# TYPE nicpool_pool_total_ips gauge\n'));
});

test('G-46 label values escape backslash, double quote and newline', (t) => {
  const metrics = createAgentMetrics();
  metrics.setPoolUsage('a\\b"c\nd', 1, 2);
  const lines = samplesOf(metrics.render(), 'nicpool_pool_allocated_ips');
  t.deepEqual(lines, ['nicpool_pool_allocated_ips{pool="a\\\\b\\"c\\nd"} 1']);
  // Forgetting goes by the raw name, not the escaped one.
  metrics.forgetPool('a\\b"c\nd');
  t.deepEqual(samplesOf(metrics.render(), 'nicpool_pool_allocated_ips'), []);
});

test('G-47 render output parses line by line as text format 0.0.4, every family with HELP and TYPE', (t) => {
  const metrics = createAgentMetrics();
  metrics.observeAllocation(0.0123, 'ok');
  metrics.observeAllocation(1e-7, 'error');
  metrics.countConflict();
  metrics.countWrite();
  metrics.countCniRequest('STATUS', 50);
  metrics.setPoolUsage('we"ird\\pool\n', 0, 254);
  const text = metrics.render();
  assertExposition(t, text);
  t.deepEqual(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`),
    [
      'nicpool_allocation_duration_seconds histogram',
      'nicpool_ipblock_conflicts_total counter',
      'nicpool_ipblock_writes_total counter',
      'nicpool_cni_requests_total counter',
      'nicpool_pool_allocated_ips gauge',
      'nicpool_pool_total_ips gauge',
    ],
  );
  t.is(metrics.render(), text, 'rendering twice gives the same text');
  // An empty registry is valid too: labelled families with no series keep their HELP and TYPE.
  assertExposition(t, createAgentMetrics().render());
});

/** A metrics server on a free loopback port, stopped when the test ends. */
async function server(t: ExecutionContext, render: () => string, log: (line: string) => void = () => {}) {
  const started = await startMetricsServer({ host: '127.0.0.1', port: 0, render, log });
  t.teardown(() => started.stop());
  return { ...started, url: (path: string) => `http://127.0.0.1:${started.port}${path}` };
}

test('G-48 the server serves fresh /metrics as 0.0.4 text and /healthz, on the free port it returns', async (t) => {
  const metrics = createAgentMetrics();
  const s = await server(t, metrics.render);
  t.true(s.port > 0);
  metrics.countWrite();
  let res = await fetch(s.url('/metrics'));
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  t.is(text, metrics.render());
  t.is(value(text, 'nicpool_ipblock_writes_total'), 1);
  metrics.countWrite();
  t.is(value(await (await fetch(s.url('/metrics'))).text(), 'nicpool_ipblock_writes_total'), 2, 'each scrape renders anew');
  res = await fetch(s.url('/healthz'));
  t.is(res.status, 200);
  t.is(await res.text(), 'ok');
});

test('G-49 the server answers 404 to other paths and methods', async (t) => {
  const s = await server(t, () => '');
  for (const [method, path] of [['GET', '/'], ['GET', '/metrics/'], ['GET', '/metrics?x=1'], ['POST', '/metrics'], ['GET', '/v1/cni']] as const) {
    const res = await fetch(s.url(path), { method });
    t.is(res.status, 404, `${method} ${path}`);
    await res.body?.cancel();
  }
});

test('G-50 a render that throws is a 500 and is logged, and the server keeps serving', async (t) => {
  const logged: string[] = [];
  const s = await server(t, () => { throw new Error('boom'); }, (line) => logged.push(line));
  const res = await fetch(s.url('/metrics'));
  t.is(res.status, 500);
  await res.body?.cancel();
  t.is(logged.length, 1);
  t.regex(logged[0]!, /^metrics: render failed: Error: boom/);
  t.is((await fetch(s.url('/healthz'))).status, 200);
});

test('G-51 stop() closes idle keep-alive connections, is idempotent, and the port is then closed', async (t) => {
  const s = await server(t, () => '');
  // fetch keeps the connection alive after the response: stop() must not wait for it to time out.
  const res = await fetch(s.url('/healthz'));
  t.is(res.headers.get('connection'), 'keep-alive');
  await res.text();
  const first = s.stop();
  t.is(s.stop(), first, 'a second stop() is the same stop');
  await first;
  await t.notThrowsAsync(s.stop());
  await t.throwsAsync(fetch(s.url('/healthz')), { instanceOf: TypeError });
});
