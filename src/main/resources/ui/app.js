// docker-cleaner dashboard: plain ES module, no dependencies, served by the agent under /ui/.
// It talks only to the agent's own API (same origin); the CSP forbids anything else.

const TOKEN_KEY = 'docker-cleaner.apiToken';
const TYPES = ['container', 'image', 'volume', 'network', 'build_cache'];
const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const main = document.getElementById('main');
let pageTimers = [];
let pageCleanups = [];

// ---- small helpers ----------------------------------------------------------------------------

/** Creates an element; attrs starting with "on" are listeners; children are nodes or text. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

export function bytes(n) {
  if (n === null || n === undefined || n < 0) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return (i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
}
const pct = (r) => (r === null || r === undefined ? '–' : (r * 100).toFixed(1) + ' %');
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
function duration(a, b) {
  if (!a || !b) return '–';
  const ms = new Date(b) - new Date(a);
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}
function outcomeClass(o) {
  return { succeeded: 'ok', removed: 'ok', would_remove: 'ok', running: 'warn', queued: 'warn', pending: 'warn',
    partial: 'warn', skipped: 'warn', target_not_reached: 'warn' }[o] || (o ? 'bad' : '');
}
function every(ms, fn) {
  fn();
  pageTimers.push(setInterval(fn, ms));
}

// ---- API access with the optional bearer token -------------------------------------------------

const token = () => sessionStorage.getItem(TOKEN_KEY);

// ---- several hosts (DOCKER_HOSTS): every page shows the host picked in the header -------------

const HOST_KEY = 'docker-cleaner.host';
/** undefined: not asked yet; null: the agent watches one daemon; else the hosts' names. */
let hosts;

function selectedHost() {
  if (!hosts) return null;
  const kept = sessionStorage.getItem(HOST_KEY);
  return hosts.includes(kept) ? kept : hosts[0];
}

/** /v1/X of the picked host: /v1/hosts/NAME/X (the live log is every host's, each line names its host). */
function hostPath(path) {
  const host = selectedHost();
  if (!host || !path.startsWith('/v1/') || path.startsWith('/v1/logs/') || path.startsWith('/v1/hosts/')) return path;
  return '/v1/hosts/' + encodeURIComponent(host) + path.slice(3);
}

/** Asks the agent whether it watches several hosts (its /v1/status then lists them) and fills the picker. */
async function loadHosts() {
  try {
    const st = await api('/v1/status', { raw: true });
    hosts = st && st.hosts ? Object.keys(st.hosts) : null;
    renderHostPicker(st);
  } catch (e) {
    // 401: the token form is shown and route() runs again once a token is entered
  }
}

function renderHostPicker(st) {
  const pick = document.getElementById('host-pick');
  const select = document.getElementById('host-select');
  pick.hidden = !hosts;
  if (!hosts) return;
  select.replaceChildren(...hosts.map((name) => h('option', { value: name, selected: name === selectedHost() },
    name + (st.hosts[name].connected ? '' : ' (not connected)'))));
}

document.getElementById('host-select').addEventListener('change', (e) => {
  sessionStorage.setItem(HOST_KEY, e.target.value);
  route();
});

/** The Overview's card of every host: connected, disk, last run, error. */
function hostsCard(all) {
  return h('div', { class: 'card wide' }, h('h2', {}, 'Hosts'), h('table', { id: 'hosts-table' },
    h('thead', {}, h('tr', {}, ...['Host', 'State', 'Disk used', 'Last run', 'Error'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, Object.entries(all.hosts).map(([name, st]) => h('tr', {},
      h('th', { scope: 'row' }, name === selectedHost() ? h('strong', {}, name) : name),
      h('td', { class: st.connected ? 'ok' : 'bad' }, st.connected ? 'connected' : 'not connected'),
      h('td', {}, st.disk ? pct(st.disk.usedRatio) : '–'),
      h('td', { class: st.lastRun ? outcomeClass(st.lastRun.outcome) : '' }, st.lastRun ? st.lastRun.outcome + ', ' + when(st.lastRun.finishedAt) : '–'),
      h('td', { class: 'muted error-text' }, st.error || ''))))));
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// the token (or '' for none) a read was refused with: further reads with it are not sent (a chain of
// awaits would otherwise send one more refused request after another) until another one is entered
let refusedReadToken = null;

/** fetch() on the agent's API; 401 shows the token form. Returns parsed JSON. */
async function api(path, options = {}) {
  const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  const read = !options.method || options.method === 'GET';
  if (read && refusedReadToken !== null && refusedReadToken === (t || '')) {
    pageTimers.forEach(clearInterval);
    pageTimers = [];
    askForToken(t ? 'The token was refused' : 'A token is needed');
    throw new ApiError(401, t ? 'the token was refused' : 'a token is needed');
  }
  let res;
  try {
    const url = options.raw ? path : hostPath(path);
    res = await fetch(url, Object.assign({}, options, { headers, cache: 'no-store' }));
  } catch (e) {
    throw new ApiError(0, 'the agent does not answer (' + e.message + ')');
  }
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const message = (body && body.error) || res.status + ' ' + res.statusText;
    if (res.status === 401) {
      if (read) refusedReadToken = t || '';
      // no point polling with a token the agent refuses: the page restarts when one is entered
      pageTimers.forEach(clearInterval);
      pageTimers = [];
      askForToken(t ? 'The token was refused: ' + message : message);
    }
    throw new ApiError(res.status, message);
  }
  return body;
}

function askForToken(message) {
  const form = document.getElementById('token-form');
  form.hidden = false;
  document.getElementById('token-message').textContent = message || '';
  document.getElementById('token-input').focus();
  showAuthState();
}

function showAuthState() {
  const el = document.getElementById('auth-state');
  el.replaceChildren();
  if (token()) {
    el.append('token set for this tab ', h('button', { type: 'button', onclick: () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showAuthState();
      route();
    } }, 'Forget token'));
  } else {
    el.append(h('button', { type: 'button', onclick: () => askForToken('') }, 'Enter token'));
  }
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const value = document.getElementById('token-input').value.trim();
  if (!value) return;
  sessionStorage.setItem(TOKEN_KEY, value);
  document.getElementById('token-input').value = '';
  document.getElementById('token-form').hidden = true;
  showAuthState();
  route();
});

function errorBox(e) {
  return h('p', { class: 'error-box', role: 'alert' }, e instanceof ApiError ? e.message : String(e));
}

// ---- routing ----------------------------------------------------------------------------------

const pages = { overview, runs, run: runPage, plan, log: livelog, settings };

async function route() {
  if (hosts === undefined) await loadHosts();
  pageTimers.forEach(clearInterval);
  pageTimers = [];
  pageCleanups.forEach((f) => f());
  pageCleanups = [];
  const parts = (location.hash || '#/overview').slice(2).split('/');
  let name = parts[0] || 'overview';
  if (name === 'runs' && parts[1]) name = 'run';
  const page = pages[name] || overview;
  document.querySelectorAll('nav a').forEach((a) => {
    if (a.dataset.page === (name === 'run' ? 'runs' : name)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  main.replaceChildren();
  page(parts.slice(1).map(decodeURIComponent));
}

window.addEventListener('hashchange', () => {
  if (!location.hash.startsWith('#/')) return; // not a page (e.g. an in-page anchor)
  route();
  main.focus();
});
// the skip link moves focus without touching the hash (which names the page)
document.querySelector('a.skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

// ---- Overview ---------------------------------------------------------------------------------

function gauge(label, ratio, marks, detail) {
  const fill = h('div', { class: 'fill' });
  fill.style.width = Math.min(100, (ratio || 0) * 100) + '%';
  if (marks.critical !== undefined && ratio >= marks.critical) fill.classList.add('bad');
  else if (marks.high !== undefined && ratio >= marks.high) fill.classList.add('warn');
  const bar = h('div', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100',
    'aria-valuenow': ratio === null || ratio === undefined ? '0' : (ratio * 100).toFixed(1) }, fill);
  for (const [k, v] of Object.entries(marks)) {
    if (v === null || v === undefined) continue;
    const m = h('div', { class: 'mark ' + k, title: k + ' watermark ' + pct(v) });
    m.style.left = v * 100 + '%';
    bar.append(m);
  }
  return h('div', {}, h('div', {}, h('strong', {}, label + ': '), pct(ratio), ' ', h('span', { class: 'muted' }, detail)), bar);
}

function overview() {
  const status = h('div', { class: 'grid' });
  const chart = h('div', { class: 'card' }, h('h2', {}, 'Disk used, last 24 h'), h('p', { class: 'muted' }, 'Loading…'));
  const reclaimed = h('div', { class: 'card' }, h('h2', {}, 'Bytes reclaimed per run'), h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h1', {}, 'Overview'), status, h('div', { class: 'grid' }, chart, reclaimed));
  let fast = false;
  const refresh = async () => {
    try {
      const st = await api('/v1/status');
      const all = hosts ? await api('/v1/status', { raw: true }) : null;
      status.replaceChildren(...(all ? [hostsCard(all)] : []), ...statusCards(st));
      fast = !!st.currentRun;
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  };
  let tick = 0;
  // once a second while a run is in progress (progress a person can watch), else every 3 s
  every(1000, () => { if (fast || tick++ % 3 === 0) refresh(); });
  // a run started from this page shows at once, not at the next 3 s tick (a short run would be over)
  refreshOverviewNow = () => { fast = true; refresh(); };
  every(60000, async () => {
    try {
      const [hist, st] = [await api('/v1/disk/history'), await api('/v1/status')];
      chart.replaceChildren(h('h2', {}, 'Disk used, last 24 h'), historyChart(hist, st.watermarks));
    } catch (e) {
      chart.replaceChildren(h('h2', {}, 'Disk used, last 24 h'), errorBox(e));
    }
    try {
      const list = await api('/v1/runs');
      reclaimed.replaceChildren(h('h2', {}, 'Bytes reclaimed per run'), runsChart(list.runs));
    } catch (e) {
      reclaimed.replaceChildren(h('h2', {}, 'Bytes reclaimed per run'), errorBox(e));
    }
  });
}

function statusCards(st) {
  const w = st.watermarks || {};
  const disk = st.disk;
  const diskCard = h('section', { class: 'card', 'aria-labelledby': 'disk-h' }, h('h2', { id: 'disk-h' }, 'Disk'));
  if (disk) {
    diskCard.append(
      gauge('Bytes', disk.usedRatio, { low: w.diskLow, high: w.diskHigh, critical: w.diskCritical },
        bytes(disk.usedBytes) + ' of ' + bytes(disk.totalBytes) + ', ' + bytes(disk.availableBytes) + ' available'),
      gauge('Inodes', disk.inodeUsedRatio, { low: w.inodeLow, high: w.inodeHigh },
        disk.inodeUsedRatio === null ? 'not reported' : disk.freeInodes + ' free'),
      h('div', { class: 'legend' }, h('span', {}, h('span', { class: 'sw low' }), 'low ' + pct(w.diskLow)),
        h('span', {}, h('span', { class: 'sw high' }), 'high ' + pct(w.diskHigh)),
        h('span', {}, h('span', { class: 'sw critical' }), 'critical ' + pct(w.diskCritical))),
      h('p', { class: 'muted' }, disk.path + ', sampled ' + when(disk.sampledAt)));
  } else {
    diskCard.append(h('p', { class: 'warn' }, 'Disk thresholds are off: the agent cannot measure the daemon\'s filesystem.'));
  }
  const docker = h('section', { class: 'card', 'aria-labelledby': 'docker-h' }, h('h2', { id: 'docker-h' }, 'Docker usage'));
  if (st.docker) {
    const d = st.docker;
    const rows = [['Images', d.imagesBytes], ['Containers', d.containersBytes], ['Volumes', d.volumesBytes],
      ['Build cache', d.buildCacheBytes]];
    docker.append(h('table', {}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k),
      h('td', { class: 'num' }, bytes(v))))), h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'Total'),
      h('td', { class: 'num' }, bytes(d.totalBytes))))), h('p', { class: 'muted' }, 'from /system/df, ' + when(d.sampledAt)));
  } else {
    docker.append(h('p', { class: 'muted' }, 'not measured yet'));
  }
  const ev = st.eventStream;
  const agentCard = h('section', { class: 'card', 'aria-labelledby': 'agent-h' }, h('h2', { id: 'agent-h' }, 'Agent'),
    h('table', {}, h('tbody', {},
      h('tr', {}, h('th', { scope: 'row' }, 'Event stream'), h('td', {}, ev ? h('span', { class: 'status-pill ' + (ev.connected ? 'ok' : 'bad') },
        ev.connected ? 'connected' : 'down') : '–', ev && !ev.connected && ev.lastDisconnectReason ? ' ' + ev.lastDisconnectReason : '',
      ev ? h('span', { class: 'muted' }, ' ' + ev.events + ' events, ' + ev.reconnects + ' reconnects') : '')),
      h('tr', {}, h('th', { scope: 'row' }, 'Next scheduled run'), h('td', {}, st.nextScheduledRun ? when(st.nextScheduledRun) : 'none (no SCHEDULE)')),
      h('tr', {}, h('th', { scope: 'row' }, 'Daemon'), h('td', {}, st.daemon ? (st.daemon.podman ? 'Podman ' : 'Docker ') + st.daemon.version + ' (API ' + st.daemon.apiVersion + ')' : '–')),
      h('tr', {}, h('th', { scope: 'row' }, 'Mode'), h('td', {}, st.dryRun ? 'DRY RUN: nothing is deleted' : 'deleting')),
      h('tr', {}, h('th', { scope: 'row' }, 'Automatic cleanup'), h('td', { id: 'auto-cleanup' }, st.automaticCleanup && st.automaticCleanup.paused
        ? h('span', { class: 'warn' }, 'paused (thresholds and schedule start no run)') : 'active')),
      h('tr', {}, h('th', { scope: 'row' }, 'Last run'), h('td', {}, st.lastRun ? h('a', { href: '#/runs/' + encodeURIComponent(st.lastRun.id) },
        st.lastRun.outcome + ', ' + when(st.lastRun.finishedAt)) : 'none yet')))));
  const runCard = h('section', { class: 'card', 'aria-labelledby': 'run-h', 'aria-live': 'polite' }, h('h2', { id: 'run-h' }, 'Current run'));
  const r = st.currentRun;
  if (r) {
    const p = r.progress || { planned: r.planned, done: 0 };
    const ratio = p.planned ? p.done / p.planned : 0;
    runCard.append(
      h('p', {}, h('a', { href: '#/runs/' + encodeURIComponent(r.id) }, r.id), ' (' + r.trigger + (r.dryRun ? ', dry run' : '') + ')'),
      gauge('Items', ratio, {}, p.done + ' of ' + p.planned + ' done'),
      h('p', { id: 'run-progress' }, h('strong', {}, p.done + ' / ' + p.planned), ' items, ', h('strong', {}, bytes(r.reportedBytes)), ' freed'),
      h('p', {}, 'Now: ', p.current ? p.current.type + ' ' + (p.current.name || p.current.id) : h('span', { class: 'muted' }, 'nothing in flight')));
  } else {
    runCard.append(h('p', { class: 'muted' }, 'No run in progress.'),
      h('button', { type: 'button', class: 'primary', onclick: startRun }, 'Start a run now'),
      h('span', { id: 'start-run-msg', role: 'status' }));
  }
  return [diskCard, runCard, docker, agentCard];
}

/** Set by the overview page: refreshes its cards now and once a second while the run lasts. */
let refreshOverviewNow = () => {};

async function startRun() {
  const msg = document.getElementById('start-run-msg');
  try {
    const ticket = await api('/v1/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    msg.textContent = ' started ' + ticket.runId;
    refreshOverviewNow();
  } catch (e) {
    msg.replaceChildren(errorBox(e));
  }
}

function historyChart(hist, w) {
  const samples = hist.samples || [];
  if (samples.length < 2) return h('p', { class: 'muted' }, samples.length + ' sample(s) so far; one is kept per minute.');
  const W = 600, H = 180, L = 34, B = 18;
  const now = Date.now();
  const from = now - 24 * 3600 * 1000;
  const x = (t) => L + ((t - from) / (now - from)) * (W - L - 4);
  const y = (r) => 4 + (1 - r) * (H - B - 4);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Disk used percent over the last 24 hours' });
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(s('line', { x1: L, x2: W, y1: y(g), y2: y(g), stroke: '#d0d7de' }), s('text', { x: 2, y: y(g) + 3 }, g * 100 + '%'));
  }
  for (const [k, color] of [['diskLow', '#1a7f37'], ['diskHigh', '#24292f'], ['diskCritical', '#cf222e']]) {
    if (w && w[k] !== undefined) svg.append(s('line', { x1: L, x2: W, y1: y(w[k]), y2: y(w[k]), stroke: color, 'stroke-dasharray': '4 3' }));
  }
  const pts = samples.map((p) => [x(new Date(p.at).getTime()), y(p.usedRatio)]);
  svg.append(s('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: '#0a58ca', 'stroke-width': 2 }));
  svg.append(s('text', { x: L, y: H - 4 }, '24 h ago'), s('text', { x: W - 30, y: H - 4 }, 'now'));
  const last = samples[samples.length - 1];
  return h('div', {}, svg, h('p', { class: 'muted' }, samples.length + ' samples, last ' + pct(last.usedRatio) + ' at ' + when(last.at)));
}

function runsChart(list) {
  const done = (list || []).filter((r) => r.finishedAt).slice(0, 30).reverse();
  if (!done.length) return h('p', { class: 'muted' }, 'No finished run yet.');
  const W = 600, H = 180, B = 18;
  const max = Math.max(1, ...done.map((r) => r.reportedBytes || 0));
  const bw = (W - 10) / done.length;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Bytes reclaimed by each recent run' });
  done.forEach((r, i) => {
    const hgt = ((r.reportedBytes || 0) / max) * (H - B - 10);
    const rect = s('rect', { x: 5 + i * bw + 1, y: H - B - hgt, width: Math.max(1, bw - 2), height: Math.max(0.5, hgt), fill: r.dryRun ? '#8b949e' : '#0a58ca' });
    rect.append(s('title', {}, r.id + ': ' + bytes(r.reportedBytes) + (r.dryRun ? ' (dry run, would free)' : '')));
    svg.append(rect);
  });
  svg.append(s('text', { x: 5, y: H - 4 }, 'oldest'), s('text', { x: W - 40, y: H - 4 }, 'newest'), s('text', { x: 5, y: 12 }, 'max ' + bytes(max)));
  return svg;
}

// ---- Runs -------------------------------------------------------------------------------------

function runs() {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h1', {}, 'Runs'), body);
  every(3000, async () => {
    try {
      const list = (await api('/v1/runs')).runs;
      if (!list.length) {
        body.replaceChildren(h('p', { class: 'muted' }, 'No run yet.'));
        return;
      }
      body.replaceChildren(h('table', {},
        h('thead', {}, h('tr', {}, ['Run', 'Trigger', 'Outcome', 'Started', 'Duration', 'Items removed', 'Bytes reported', 'Bytes measured']
          .map((c, i) => h('th', { scope: 'col', class: i >= 5 ? 'num' : null }, c)))),
        h('tbody', {}, list.map((r) => h('tr', {},
          h('td', {}, h('a', { href: '#/runs/' + encodeURIComponent(r.id) }, r.id)),
          h('td', {}, r.trigger + (r.dryRun ? ' (dry run)' : '')),
          h('td', { class: outcomeClass(r.outcome) }, r.outcome),
          h('td', {}, when(r.startedAt)),
          h('td', {}, duration(r.startedAt, r.finishedAt)),
          h('td', { class: 'num' }, r.removed + ' / ' + r.planned),
          h('td', { class: 'num' }, bytes(r.reportedBytes)),
          h('td', { class: 'num' }, bytes(r.measuredFreedBytes)))))));
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  });
}

function runPage([id]) {
  const head = h('div', {});
  const items = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h1', {}, 'Run ', h('code', {}, id)), head, h('h2', {}, 'Items'), items);
  let finished = false;
  every(1500, async () => {
    if (finished) return;
    try {
      const r = await api('/v1/runs/' + encodeURIComponent(id));
      finished = r.outcome !== 'running' && r.outcome !== 'queued';
      const p = r.progress;
      head.replaceChildren(h('table', {}, h('tbody', {},
        [['Trigger', r.trigger + (r.dryRun ? ' (dry run)' : '')], ['Outcome', h('span', { class: outcomeClass(r.outcome), id: 'run-outcome' }, r.outcome)],
          ['Started', when(r.startedAt)], ['Duration', duration(r.startedAt, r.finishedAt)],
          ['Progress', p ? p.done + ' / ' + p.planned + ' items' + (p.current ? ', now ' + p.current.type + ' ' + p.current.name : '') : '–'],
          ['Bytes estimated / reported / measured', bytes(r.estimatedBytes) + ' / ' + bytes(r.reportedBytes) + ' / ' + bytes(r.measuredFreedBytes)],
          ['Plan', r.planId || '–'], ['Errors', (r.errors || []).length ? (r.errors || []).join('; ') : 'none']]
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))));
      const list = await api('/v1/runs/' + encodeURIComponent(id) + '/items');
      items.replaceChildren(h('p', { class: 'muted' }, list.items.length + ' items, from the ' + (list.source === 'audit' ? 'audit trail' : list.source === 'history'
        ? 'run history (a dry run before the last restart: its items were not kept)' : 'run record in memory (dry runs write no audit lines)')),
        itemTable(list.items, true));
    } catch (e) {
      if (e.status === 404) finished = false;
      items.replaceChildren(errorBox(e));
    }
  });
}

function itemTable(list, withOutcome) {
  return h('table', { class: 'items' },
    h('thead', {}, h('tr', {}, ['Type', 'Name', 'Reason', 'Rule', 'Bytes'].concat(withOutcome ? ['Outcome'] : [])
      .map((c) => h('th', { scope: 'col', class: c === 'Bytes' ? 'num' : null }, c)))),
    h('tbody', {}, list.map((i) => h('tr', { 'data-id': i.id },
      h('td', {}, i.type), h('td', {}, i.name || i.id), h('td', {}, i.reason + (i.skipReason ? ' (' + i.skipReason + ')' : '')),
      h('td', {}, i.rule || ''), h('td', { class: 'num' }, bytes(i.reportedBytes !== undefined && i.reportedBytes !== null && i.reportedBytes > 0 ? i.reportedBytes : i.estimatedBytes)),
      withOutcome ? h('td', { class: outcomeClass(i.outcome) }, i.outcome + (i.error ? ': ' + i.error : '')) : null))));
}

// ---- Plan -------------------------------------------------------------------------------------

function plan() {
  const result = h('div', { 'aria-live': 'polite' });
  const target = h('input', { id: 'plan-target', name: 'target', placeholder: 'e.g. 5GB (empty: the configured goal)', size: 30 });
  const boxes = TYPES.map((t) => h('label', {}, h('input', { type: 'checkbox', name: 'types', value: t, checked: true }), ' ' + t));
  const form = h('form', { class: 'inline', id: 'plan-form' },
    h('div', {}, h('label', { for: 'plan-target' }, 'Bytes to free'), target),
    h('fieldset', {}, h('legend', {}, 'Types'), boxes),
    h('button', { type: 'submit', class: 'primary' }, 'Preview plan'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    if (target.value.trim()) params.set('targetBytes', target.value.trim());
    const types = boxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    if (types.length && types.length < TYPES.length) params.set('types', types.join(','));
    result.replaceChildren(h('p', { class: 'muted' }, 'Planning…'));
    try {
      const p = await api('/v1/plan' + (params.toString() ? '?' + params : ''));
      showPlan(result, p);
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  });
  main.append(h('h1', {}, 'Plan'), h('p', { class: 'muted' }, 'A preview deletes nothing. Applying deletes exactly the objects of this plan that the policy still allows.'), form, result);
}

function showPlan(result, p) {
  const dry = h('input', { type: 'checkbox', id: 'plan-dry' });
  const confirmBox = h('div', {});
  const apply = h('button', { type: 'button', class: 'danger', id: 'plan-apply', disabled: p.items.length ? null : true, onclick: () => {
    confirmBox.replaceChildren(h('div', { class: 'confirm', role: 'alertdialog', 'aria-labelledby': 'confirm-q' },
      h('p', { id: 'confirm-q' }, (dry.checked ? 'Dry run of ' : 'Delete ') + p.items.length + ' objects (' + bytes(p.totalEstimatedBytes) + ') of plan ' + p.id + '?'),
      h('button', { type: 'button', class: 'danger', id: 'plan-confirm', onclick: async () => {
        try {
          const ticket = await api('/v1/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ planId: p.id, dryRun: dry.checked }) });
          location.hash = '#/runs/' + encodeURIComponent(ticket.runId);
        } catch (err) {
          confirmBox.replaceChildren(errorBox(err));
        }
      } }, 'Yes, apply'), ' ',
      h('button', { type: 'button', onclick: () => { confirmBox.replaceChildren(); apply.focus(); } }, 'Cancel')));
    document.getElementById('plan-confirm').focus();
  } }, 'Apply this plan…');
  const skipped = Object.entries(p.skipped || {}).map(([k, v]) => k + ': ' + v).join(', ');
  result.replaceChildren(
    h('h2', {}, 'Plan ', h('code', { id: 'plan-id' }, p.id)),
    h('p', {}, p.items.length + ' objects, about ' + bytes(p.totalEstimatedBytes) +
      (p.bytesToFree !== null && p.bytesToFree !== undefined ? ' for a target of ' + bytes(p.bytesToFree) + (p.targetCovered ? ' (covered)' : ' (not covered)') : '')),
    skipped ? h('p', { class: 'muted' }, 'Kept: ' + skipped) : null,
    itemTable(p.items, false),
    h('p', {}, h('label', {}, dry, ' Dry run (list only, delete nothing)'), ' ', apply),
    confirmBox);
}

// ---- Live log ---------------------------------------------------------------------------------

function livelog() {
  const state = h('span', { id: 'log-state', class: 'status-pill warn', role: 'status' }, 'connecting…');
  const level = h('select', { id: 'log-level' }, LEVELS.map((l) => h('option', { value: l, selected: l === 'INFO' }, l)));
  const box = h('div', { class: 'log', id: 'log-lines', role: 'log', 'aria-label': 'Agent log lines', tabindex: '0' });
  const follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
  main.append(h('h1', {}, 'Live log'),
    h('p', {}, h('label', { for: 'log-level' }, 'Lowest level'), level, ' ', h('label', {}, follow, ' follow'), ' ', state),
    box);
  const lines = [];
  const MAX_LINES = 2000;
  const render = () => {
    const min = LEVELS.indexOf(level.value);
    box.replaceChildren(...lines.filter((l) => l.marker || LEVELS.indexOf(l.level) >= min).map(lineEl));
    if (follow.checked) box.scrollTop = box.scrollHeight;
  };
  level.addEventListener('change', render);
  const lineEl = (l) => l.marker ? h('div', { class: 'marker' }, l.marker)
    : h('div', { class: l.level }, `[${l.timestamp}] [${l.level}] [${l.operation}] ${l.message}`);
  const add = (l) => {
    lines.push(l);
    if (lines.length > MAX_LINES) lines.shift();
    if (l.marker || LEVELS.indexOf(l.level) >= LEVELS.indexOf(level.value)) {
      box.append(lineEl(l));
      while (box.childElementCount > MAX_LINES) box.firstElementChild.remove();
      if (follow.checked) box.scrollTop = box.scrollHeight;
    }
  };
  let lastSeq = null;
  let stopped = false;
  let controller = null;
  let retryMs = 1000;
  pageCleanups.push(() => { stopped = true; if (controller) controller.abort(); });
  const setState = (text, cls) => { state.textContent = text; state.className = 'status-pill ' + cls; };

  // Server-sent events read with fetch(): EventSource cannot send the bearer header.
  async function connect() {
    controller = new AbortController();
    const headers = { Accept: 'text/event-stream' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    try {
      const res = await fetch('/v1/logs/stream' + (lastSeq !== null ? '?after=' + lastSeq : ''), { headers, signal: controller.signal, cache: 'no-store' });
      if (!res.ok) {
        let msg = res.status + '';
        try { msg = (await res.json()).error; } catch (e) { /* not JSON */ }
        if (res.status === 401) askForToken(msg);
        throw new Error(msg);
      }
      setState('connected', 'ok');
      retryMs = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (event === 'log' && data) {
            const l = JSON.parse(data);
            lastSeq = l.seq;
            add(l);
          } else if (event === 'dropped' && data) {
            add({ marker: '… ' + JSON.parse(data).dropped + ' lines dropped (this page read too slowly) …' });
          }
        }
      }
      throw new Error('the agent closed the stream');
    } catch (e) {
      if (stopped) return;
      setState('stream down: ' + e.message + '; reconnecting in ' + Math.round(retryMs / 1000) + ' s', 'bad');
      add({ marker: '… stream down (' + e.message + '), reconnecting …' });
      setTimeout(() => { if (!stopped) connect(); }, retryMs);
      retryMs = Math.min(15000, retryMs * 2);
    }
  }
  connect();
}

// ---- Settings ---------------------------------------------------------------------------------

async function settings() {
  const edit = h('section', { 'aria-labelledby': 'edit-h' });
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h1', {}, 'Settings'), edit,
    h('h2', {}, 'Effective settings'),
    h('p', { class: 'muted' }, 'Where each value came from: runtime (changed here) over flag over environment over file over default. Secrets are masked. Other settings change in the environment or the --config file, with a restart.'),
    body);
  let st;
  try {
    st = await api('/v1/settings');
  } catch (e) {
    body.replaceChildren(errorBox(e));
    return;
  }
  const value = (name) => (st.settings.find((x) => x.name === name) || {}).value;
  if (st.editable.length) {
    const inputs = {};
    const msg = h('div', { id: 'settings-msg', role: 'status' });
    const rows = st.editable.map((name) => {
      const id = 'set-' + name;
      let input;
      if (name === 'AUTOMATIC_CLEANUP_PAUSED') {
        input = h('select', { id, name }, ['false', 'true'].map((v) => h('option', { value: v, selected: String(value(name)) === v },
          v === 'true' ? 'paused (thresholds and schedule start no run)' : 'active')));
      } else if (name === 'SCHEDULE') {
        // cron as at start (5 or 6 fields, @daily…, optionally CRON_TZ=Zone first); empty turns it off
        input = h('input', { id, name, value: value(name) || '', size: 24, placeholder: 'off, e.g. 30 2 * * *' });
      } else {
        input = h('input', { id, name, value: value(name) || '', size: 8 });
      }
      inputs[name] = input;
      return h('tr', {}, h('th', { scope: 'row' }, h('label', { for: id }, h('code', {}, name))), h('td', {}, input));
    });
    const form = h('form', { id: 'settings-form' }, h('table', {}, h('tbody', {}, rows)),
      h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Save changes'), ' ', msg));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const changes = {};
      for (const [name, input] of Object.entries(inputs)) {
        if (String(input.value) !== String(value(name) || '')) changes[name] = input.value;
      }
      if (!Object.keys(changes).length) {
        msg.replaceChildren('Nothing changed.');
        return;
      }
      try {
        const r = await api('/v1/settings', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(changes) });
        msg.replaceChildren(h('span', { class: 'ok' }, 'Saved: ' + r.changed.map((c) => c.name + ' ' + c.old + ' → ' + c.new).join(', ')));
        st = r;
        renderTable();
      } catch (err) {
        msg.replaceChildren(errorBox(err));
      }
    });
    edit.append(h('h2', { id: 'edit-h' }, 'Change at runtime'),
      h('p', { class: 'muted' }, 'Validated as at start, applied all or nothing, kept across restarts (STATE_DIR), written to the audit trail. Needs the API token.'),
      form);
  }
  const renderTable = () => body.replaceChildren(h('table', { id: 'settings-table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Source'))),
    h('tbody', {}, st.settings.map((x) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, x.name)),
      h('td', {}, x.value === null || x.value === '' ? h('span', { class: 'muted' }, '(unset)') : x.value),
      h('td', { class: x.source === 'default' ? 'muted' : '' }, x.source))))));
  renderTable();
}

showAuthState();
route();
