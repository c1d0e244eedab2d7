// Dashboard bench, started by bench/ui/run.sh (which starts the agent). Prints a summary and
// writes OUT/results.json.
//
// 1. First load: LOADS cold loads of /ui/#/overview, each in a new browser context (empty cache).
//    Bytes transferred = the sum of CDP Network.loadingFinished encodedDataLength (headers and
//    bodies as they came over the wire) of every request until the network is idle.
//    First meaningful render = ms from navigation start until the overview's status cards (the
//    disk gauge, #disk-h, filled from /v1/status) are in the document (a MutationObserver
//    installed before the page's own script runs).
// 2. CPU: CONTAINERS created containers, then one run (POST /v1/runs) deleting them all; the
//    agent's CPU time (utime + stime of its process from /proc) from just before the request to
//    the run's end. TRIALS times each way, alternating: without a browser, and with the overview
//    and the live log (DEBUG) open in Chromium (the "live view"); after one untimed warm-up run.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';

const env = process.env;
const require = createRequire(join(env.DC_UI_E2E_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');
const BASE = env.AGENT_URL;
const LOADS = Number(env.LOADS || 7);
const TRIALS = Number(env.TRIALS || 3);
const CONTAINERS = Number(env.CONTAINERS || 1000);
const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64
const IMAGE = 'dc-test/busybox:latest';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid) {
  // fields after the ")" of the command name: state is field 3, utime 14, stime 15
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

function dockerApi(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : JSON.stringify(body);
    const req = http.request({ socketPath: env.DOCKER_SOCKET, method, path, headers: { Host: 'localhost',
      'Content-Type': 'application/json', ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode >= 300 ? reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)) : resolve(text ? JSON.parse(text) : null)));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function agent(method, path, body) {
  const res = await fetch(BASE + path, { method, headers: { Authorization: 'Bearer ' + env.API_TOKEN,
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function createContainers(n, tag) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      // the test image is labelled keep=true and containers inherit it
      await dockerApi('POST', `/containers/create?name=uibench-${tag}-${i}`, { Image: IMAGE, Cmd: ['true'],
        Labels: { keep: 'false' }, HostConfig: { NetworkMode: 'none' } });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

// the agent has taken in the events of what was just created: its event count stops moving
async function eventsSettled() {
  let last = -1;
  for (;;) {
    const n = (await agent('GET', '/v1/status')).eventStream.events;
    if (n === last) return;
    last = n;
    await sleep(1000);
  }
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = { date: new Date().toISOString(), loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').trim(), loads: [], cpu: [] };
console.log('load average at start: ' + results.loadAverageAtStart + ' (2 cores, shared)');
try {
  // ---- 1. first load -------------------------------------------------------------------------
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.getElementById('disk-h')) {
          window.__meaningfulRenderMs = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const byUrl = {};
    const urls = {};
    let bytes = 0;
    cdp.on('Network.requestWillBeSent', (e) => { urls[e.requestId] = e.request.url.replace(BASE, ''); });
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength;
      const u = urls[e.requestId] || '?';
      byUrl[u] = (byUrl[u] || 0) + e.encodedDataLength;
    });
    await page.goto(BASE + '/ui/#/overview', { waitUntil: 'networkidle' });
    await page.waitForFunction(() => window.__meaningfulRenderMs !== undefined);
    const t = await page.evaluate(() => ({
      meaningfulRenderMs: window.__meaningfulRenderMs,
      firstContentfulPaintMs: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null,
      domContentLoadedMs: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      responseEndMs: performance.getEntriesByType('navigation')[0].responseEnd,
      resources: performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, ''),
        Math.round(r.startTime), Math.round(r.responseEnd)]),
    }));
    results.loads.push({ bytes, byUrl, ...t });
    await context.close();
  }
  const loadBytes = median(results.loads.map((l) => l.bytes));
  const renderMs = median(results.loads.map((l) => l.meaningfulRenderMs));
  console.log(`first load: median ${loadBytes} bytes transferred (${(loadBytes / 1024).toFixed(1)} KiB; budget 150 KB), `
    + `max ${Math.max(...results.loads.map((l) => l.bytes))}`);
  console.log(`first meaningful render: median ${renderMs.toFixed(0)} ms (budget 1000 ms), `
    + `min ${Math.min(...results.loads.map((l) => l.meaningfulRenderMs)).toFixed(0)}, max ${Math.max(...results.loads.map((l) => l.meaningfulRenderMs)).toFixed(0)}; `
    + `first contentful paint median ${median(results.loads.map((l) => l.firstContentfulPaintMs)).toFixed(0)} ms`);
  console.log('bytes by request (first load): ' + JSON.stringify(results.loads[0].byUrl));
  const last = results.loads[results.loads.length - 1];
  console.log(`last load: HTML response end ${last.responseEndMs.toFixed(0)} ms, DOMContentLoaded ${last.domContentLoadedMs.toFixed(0)} ms, `
    + 'requests [name, start ms, end ms]: ' + JSON.stringify(last.resources));

  // ---- 2. agent CPU for a run of CONTAINERS deletions, with and without the live view ---------
  // one untimed run first, with the live view open, so that neither variant pays for the JIT's warm-up
  const warm = await browser.newContext();
  const warmLog = await warm.newPage();
  await warmLog.goto(BASE + '/ui/#/log');
  await warmLog.locator('#log-state:text("connected")').waitFor();
  await warmLog.selectOption('#log-level', 'DEBUG');
  await createContainers(300, 'warm-up');
  await eventsSettled();
  const warmTicket = await agent('POST', '/v1/runs', { types: ['container'] });
  while (['running', 'queued'].includes((await agent('GET', '/v1/runs/' + warmTicket.runId)).outcome)) await sleep(200);
  await warm.close();

  for (let trial = 0; trial < TRIALS; trial++) {
    const order = trial % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
    for (const mode of order) {
      await createContainers(CONTAINERS, `${trial}-${mode}`);
      await eventsSettled();
      let context = null;
      let logLines = null;
      if (mode === 'with') {
        context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const overview = await context.newPage();
        await overview.goto(BASE + '/ui/#/overview');
        await overview.locator('#disk-h').waitFor();
        const log = await context.newPage();
        await log.goto(BASE + '/ui/#/log');
        await log.locator('#log-state:text("connected")').waitFor();
        await log.selectOption('#log-level', 'DEBUG');
        logLines = log;
      }
      const cpuBefore = cpuSeconds(env.AGENT_PID);
      const started = Date.now();
      const ticket = await agent('POST', '/v1/runs', { types: ['container'] });
      let run;
      for (;;) {
        run = await agent('GET', '/v1/runs/' + encodeURIComponent(ticket.runId));
        if (run.outcome !== 'running' && run.outcome !== 'queued') break;
        await sleep(200);
      }
      const cpu = cpuSeconds(env.AGENT_PID) - cpuBefore;
      const wallSeconds = (Date.now() - started) / 1000;
      const shownLines = logLines ? await logLines.locator('#log-lines div').count() : null;
      if (context) await context.close();
      const entry = { trial, mode, runId: ticket.runId, removed: run.removed, outcome: run.outcome, cpuSeconds: cpu,
        wallSeconds, logLinesShown: shownLines, loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ')[0] };
      results.cpu.push(entry);
      console.log(`trial ${trial} ${mode} the live view: run ${ticket.runId} ${run.outcome}, removed ${run.removed}, `
        + `agent CPU ${cpu.toFixed(2)} s over ${wallSeconds.toFixed(1)} s` + (shownLines === null ? '' : `, ${shownLines} log lines shown`)
        + `, load average ${entry.loadAverage}`);
    }
  }
  const cpuOf = (m) => results.cpu.filter((c) => c.mode === m).map((c) => c.cpuSeconds);
  const wallOf = (m) => results.cpu.filter((c) => c.mode === m).map((c) => c.wallSeconds);
  const without = median(cpuOf('without'));
  const withView = median(cpuOf('with'));
  results.summary = { loadBytesMedian: loadBytes, meaningfulRenderMsMedian: renderMs, cpuSecondsWithoutMedian: without,
    cpuSecondsWithMedian: withView, addedCpuPercentOfRun: ((withView - without) / without) * 100,
    addedCoreSharePercent: ((withView - without) / median(wallOf('with'))) * 100 };
  console.log(`agent CPU for a run of ${CONTAINERS} deletions: median ${without.toFixed(2)} s without, ${withView.toFixed(2)} s with the live view `
    + `→ ${results.summary.addedCpuPercentOfRun.toFixed(1)} % more CPU time (budget 2 %); `
    + `${results.summary.addedCoreSharePercent.toFixed(2)} % of one core over the run`);
} finally {
  await browser.close();
  writeFileSync(join(env.OUT, 'results.json'), JSON.stringify(results, null, 2));
}
