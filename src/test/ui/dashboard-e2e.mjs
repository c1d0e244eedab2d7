// End-to-end test of the dashboard in Debian's Chromium, driven by playwright-core, against a real
// agent (started by DashboardBrowserIT) on a private Docker daemon. Prints one JSON report on the
// last line of stdout; exits 0 when every check passed, 1 otherwise (the report says which failed).
//
// Environment: AGENT_URL (http://127.0.0.1:PORT), API_TOKEN, DOCKER_HOST (the private daemon, for
// the containers this script creates for the plan and between its preview and its apply), DOCKER_CLI,
// RUN_NAMES (comma-separated names of the stopped containers the run must remove; the run also
// removes a few hundred created containers, so that it lasts long enough to be watched mid-run),
// DC_UI_E2E_MODULES (node_modules with playwright-core and axe-core), SCREENSHOT_DIR (optional).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const require = createRequire(join(env.DC_UI_E2E_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const BASE = env.AGENT_URL;
const WAIT = 60_000;
const report = { checks: [], consoleErrors: [], offHostRequests: [], axe: {}, run: null, plan: null, later: null,
  progress: [], schedule: null };
let failed = false;

function check(name, ok, detail) {
  report.checks.push({ name, ok: !!ok, detail: detail === undefined ? null : String(detail) });
  if (!ok) failed = true;
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(name, false, e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e);
  }
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  // RECIPES.md: without the background-networking flags Chromium keeps trying hosts it cannot reach
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  // playwright gives the browser a new empty profile folder of its own and removes it at close
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  let phase = 'start';
  // console errors expected while the page has no token (the browser logs every 401 it gets)
  const expectedInPhase = { 'no-token': /401|Unauthorized/, 'wrong-token': /401|Unauthorized/,
    'settings-invalid': /400|Bad Request/, 'schedule-invalid': /400|Bad Request/ };
  // every 401 with the token it carried: just after the right token is entered, a request sent
  // earlier with the wrong one may still answer 401 (and the browser logs it); a 401 for the right
  // token would be a bug
  report.unauthorized = [];
  const watch = (page, label) => {
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const allowed = expectedInPhase[phase];
      if (allowed && allowed.test(m.text())) return;
      if (phase === 'right-token' && /401|Unauthorized/.test(m.text())) {
        report.lateRefusals = (report.lateRefusals || 0) + 1; // judged at the end, against the 401s seen
        return;
      }
      report.consoleErrors.push(`${label} [${phase}] ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() !== 401) return;
      const auth = r.request().headers().authorization || '';
      report.unauthorized.push({ phase, url: r.url(), rightToken: auth === 'Bearer ' + env.API_TOKEN, tokenSent: auth !== '' });
    });
    page.on('pageerror', (e) => report.consoleErrors.push(`${label} [${phase}] page error: ${e.message}`));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol !== 'data:' && u.hostname !== '127.0.0.1') report.offHostRequests.push(r.url());
    });
  };
  const page = await context.newPage();
  watch(page, 'main');

  async function axe(name) {
    // DevTools evaluation is not script of the page: the CSP does not apply to it
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
    });
    report.axe[name] = result;
    const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check('axe: no serious or critical violation on ' + name, bad.length === 0, JSON.stringify(bad));
  }

  async function shot(name, fullPage = true) {
    if (env.SCREENSHOT_DIR) await page.screenshot({ path: join(env.SCREENSHOT_DIR, name + '.png'), fullPage });
  }

  // the overview's "Current run" card: [done, planned] while a run is shown, else null
  const progressNow = () => page.evaluate(() => {
    const el = document.getElementById('run-progress');
    const m = el && el.textContent.match(/^(\d+) \/ (\d+)/);
    return m ? [Number(m[1]), Number(m[2])] : null;
  });

  // sessionStorage belongs to one tab: every new tab asks for the token again
  async function login(p) {
    await p.locator('#token-form').waitFor({ state: 'visible', timeout: WAIT });
    await p.fill('#token-input', env.API_TOKEN);
    await p.click('#token-form button[type=submit]');
    await p.locator('#token-form').waitFor({ state: 'hidden', timeout: WAIT });
  }

  // ---- token: none, wrong, right ------------------------------------------------------------
  await step('token', async () => {
    phase = 'no-token';
    await page.goto(BASE + '/ui/#/overview');
    await page.locator('#token-form').waitFor({ state: 'visible', timeout: WAIT });
    check('without a token the page asks for one', await page.locator('#token-form').isVisible());
    phase = 'wrong-token';
    await page.fill('#token-input', 'not-the-token');
    await page.click('#token-form button[type=submit]');
    await page.locator('#token-message', { hasText: 'refused' }).waitFor({ timeout: WAIT });
    check('a wrong token is refused and said so', true);
    // the page stops polling on a 401: let the refused requests in flight finish first
    await page.waitForLoadState('networkidle');
    phase = 'right-token';
    await page.fill('#token-input', env.API_TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.locator('#disk-h').waitFor({ timeout: WAIT });
    check('the right token shows the overview', await page.locator('#token-form').isHidden());
    check('the token is kept for the tab only (sessionStorage, not localStorage)',
      await page.evaluate(() => !!sessionStorage.getItem('docker-cleaner.apiToken') && localStorage.length === 0));
  });

  // ---- every page loads -----------------------------------------------------------------------
  const pages = [['overview', '#disk-h'], ['runs', 'main h1:text("Runs")'], ['plan', '#plan-form'],
    ['log', '#log-state:text("connected")'], ['settings', 'main table th:text("Setting")']];
  for (const [name, ready] of pages) {
    await step('page ' + name, async () => {
      phase = 'page-' + name;
      await page.goto(BASE + '/ui/#/' + name);
      await page.locator(ready).first().waitFor({ timeout: WAIT });
      check('page ' + name + ' loads', true);
      await shot(name);
      await axe(name);
    });
  }

  // ---- keyboard only: Tab to "Runs" and Enter ---------------------------------------------------
  await step('keyboard', async () => {
    phase = 'keyboard';
    await page.goto(BASE + '/ui/#/overview');
    await page.reload(); // a fresh load: focus starts at the top of the document
    await page.locator('#disk-h').waitFor({ timeout: WAIT });
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab'); // Overview
    await page.keyboard.press('Tab'); // Runs
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/runs', null, { timeout: WAIT });
    check('keyboard: Tab reaches the Runs link and Enter opens it', focused === 'Runs', focused);
  });

  // ---- a run: started from the overview, watched in the live log, listed on its page ------------
  await step('run', async () => {
    phase = 'run';
    const logPage = await context.newPage();
    watch(logPage, 'log');
    phase = 'no-token';
    await logPage.goto(BASE + '/ui/#/log');
    await login(logPage);
    phase = 'run';
    await logPage.locator('#log-state:text("connected")').waitFor({ timeout: WAIT });
    await logPage.selectOption('#log-level', 'DEBUG');

    await page.goto(BASE + '/ui/#/overview');
    const start = page.getByRole('button', { name: 'Start a run now' });
    await start.waitFor({ timeout: WAIT });
    const posted = page.waitForResponse((r) => r.url().endsWith('/v1/runs') && r.request().method() === 'POST');
    await start.click();
    const ticket = await (await posted).json();
    report.run = { id: ticket.runId };
    // progress a person can watch: the card shows a state with some items done and some not ...
    await page.waitForFunction(() => {
      const el = document.getElementById('run-progress');
      const m = el && el.textContent.match(/^(\d+) \/ (\d+)/);
      return !!m && Number(m[1]) > 0 && Number(m[1]) < Number(m[2]);
    }, null, { timeout: WAIT, polling: 50 });
    const first = await progressNow();
    report.progress.push(first);
    await shot('overview-running', false);
    // ... and then moves on: more items done, or the run over and the card back to "No run in progress"
    await page.waitForFunction((before) => {
      const el = document.getElementById('run-progress');
      const m = el && el.textContent.match(/^(\d+) \/ (\d+)/);
      return m ? Number(m[1]) > before : !!document.querySelector('#run-h') && !el;
    }, first[0], { timeout: WAIT, polling: 50 });
    const next = await progressNow();
    report.progress.push(next);
    check('the overview shows the run mid-way (items done < planned), then progress moving on',
      first[0] > 0 && first[0] < first[1] && (next === null || next[0] > first[0]), JSON.stringify(report.progress));
    const names = env.RUN_NAMES.split(',');
    for (const n of names) {
      await logPage.locator('#log-lines div', { hasText: new RegExp('Removed container .*' + n) }).first().waitFor({ timeout: WAIT });
    }
    check('the live log shows each removal as it happens', true);
    await logPage.locator('#log-lines div', { hasText: 'Run ' + ticket.runId + ' succeeded' }).first().waitFor({ timeout: WAIT });
    check('the live log shows the run summary', true);
    await logPage.close();

    await page.goto(BASE + '/ui/#/runs/' + encodeURIComponent(ticket.runId));
    await page.locator('#run-outcome:text("succeeded")').waitFor({ timeout: WAIT });
    for (const n of names) {
      await page.locator('table.items tr', { hasText: n }).locator('td:text("removed")').waitFor({ timeout: WAIT });
    }
    const source = await page.locator('main p.muted', { hasText: 'items, from the' }).textContent();
    check('the run page lists the removed containers from the audit trail', source.includes('audit trail'), source);
    await shot('run', false); // the first rows: the run removed a few hundred containers
    await axe('run');
    await page.goto(BASE + '/ui/#/overview');
    await page.locator('#disk-h').waitFor({ timeout: WAIT });
    await shot('overview');
  });

  // ---- a plan: preview, then the world moves on, then apply that exact plan --------------------
  const docker = (...args) => execFileSync(env.DOCKER_CLI, args, { env: { DOCKER_HOST: env.DOCKER_HOST, PATH: env.PATH } })
    .toString().trim();
  await step('plan', async () => {
    phase = 'plan';
    // two stopped containers for the plan (the run above removed every stopped one)
    const planned = ['e2e-ui-p1', 'e2e-ui-p2'].map((n) => {
      // the test image is labelled keep=true and containers inherit it (DaemonFixture does the same)
      docker('run', '--name', n, '--network', 'none', '--label', 'keep=false', 'dc-test/busybox:latest', 'true');
      return docker('inspect', '--format', '{{.Id}}', n);
    });
    await page.goto(BASE + '/ui/#/plan');
    await page.locator('#plan-form').waitFor({ timeout: WAIT });
    for (const t of ['image', 'volume', 'network', 'build_cache']) await page.uncheck(`input[name=types][value=${t}]`);
    await page.click('#plan-form button[type=submit]');
    await page.locator('#plan-id').waitFor({ timeout: WAIT });
    const planId = await page.locator('#plan-id').textContent();
    const ids = await page.locator('table.items tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    report.plan = { id: planId, ids, created: planned };
    await shot('plan');
    // a stopped container the plan does not list: applying the plan must leave it
    docker('run', '--name', 'e2e-ui-later', '--network', 'none', '--label', 'keep=false', 'dc-test/busybox:latest', 'true');
    report.later = docker('inspect', '--format', '{{.Id}}', 'e2e-ui-later');
    await page.click('#plan-apply');
    await page.locator('#plan-confirm').waitFor({ timeout: WAIT });
    check('applying asks for a confirmation first', await page.locator('#confirm-q').isVisible());
    await page.click('#plan-confirm');
    await page.waitForFunction(() => location.hash.startsWith('#/runs/'), null, { timeout: WAIT });
    await page.locator('#run-outcome:text("succeeded")').waitFor({ timeout: WAIT });
    report.plan.runId = decodeURIComponent(page.url().split('#/runs/')[1]);
    check('the plan was applied by a run', true, report.plan.runId);
  });

  // ---- settings: a valid watermark change takes effect, an invalid one shows the error ---------
  await step('settings', async () => {
    phase = 'settings';
    await page.goto(BASE + '/ui/#/settings');
    await page.locator('#settings-form').waitFor({ timeout: WAIT });
    await page.fill('#set-DISK_HIGH_WATERMARK', '99.5%');
    await page.click('#settings-form button[type=submit]');
    await page.locator('#settings-msg', { hasText: 'DISK_HIGH_WATERMARK' }).waitFor({ timeout: WAIT });
    check('a valid watermark is saved', (await page.locator('#settings-msg').textContent()).includes('99.5%'));
    const status = async () => page.evaluate(async (t) => (await (await fetch('/v1/status', { headers: { Authorization: 'Bearer ' + t } })).json()), env.API_TOKEN);
    check('the status shows the new watermark', (await status()).watermarks.diskHigh === 0.995);
    const runtimeRow = page.locator('#settings-table tr', { hasText: 'DISK_HIGH_WATERMARK' });
    check('the settings table says it was changed at runtime', (await runtimeRow.textContent()).includes('runtime'));
    phase = 'settings-invalid'; // the browser logs the 400 it gets
    await page.fill('#set-DISK_HIGH_WATERMARK', '150%');
    await page.click('#settings-form button[type=submit]');
    await page.locator('#settings-msg .error-box').waitFor({ timeout: WAIT });
    const error = await page.locator('#settings-msg').textContent();
    check('an invalid watermark shows the error naming it', error.includes('DISK_HIGH_WATERMARK') && error.includes('150%'), error);
    check('an invalid watermark changes nothing', (await status()).watermarks.diskHigh === 0.995);
    await page.waitForLoadState('networkidle');
    phase = 'settings';
    await shot('settings');
    await axe('settings-form');
  });

  // ---- SCHEDULE at runtime: set on the Settings page, armed at once, fires a run; then replaced --
  await step('schedule', async () => {
    phase = 'schedule';
    const status = async () => page.evaluate(async (t) => (await (await fetch('/v1/status', { headers: { Authorization: 'Bearer ' + t } })).json()), env.API_TOKEN);
    const save = async (value) => {
      await page.goto(BASE + '/ui/#/settings');
      await page.reload(); // a fresh form: the page may already show one with an earlier attempt in it
      await page.locator('#set-SCHEDULE').waitFor({ timeout: WAIT });
      await page.fill('#set-SCHEDULE', value);
      await page.click('#settings-form button[type=submit]');
    };
    check('no SCHEDULE at start', (await status()).nextScheduledRun === null);
    await save('*/2 * * * * *'); // six fields: every 2 seconds
    await page.locator('#settings-msg', { hasText: 'SCHEDULE' }).waitFor({ timeout: WAIT });
    const armed = await status();
    check('a schedule set at runtime is armed at once', armed.schedule === 'CRON_TZ=UTC */2 * * * * *' && armed.nextScheduledRun !== null,
      JSON.stringify([armed.schedule, armed.nextScheduledRun]));
    await page.goto(BASE + '/ui/#/overview');
    const nextRow = page.locator('tr', { hasText: 'Next scheduled run' });
    await nextRow.waitFor({ timeout: WAIT });
    check('the overview shows the next scheduled run', !(await nextRow.textContent()).includes('none'), await nextRow.textContent());
    await page.goto(BASE + '/ui/#/runs');
    await page.locator('main table tr', { hasText: 'schedule' }).first().waitFor({ timeout: WAIT });
    check('the runtime schedule fires a run (listed on the Runs page)', true);

    phase = 'schedule-invalid'; // the browser logs the 400 it gets
    await save('61 * * * *');
    await page.locator('#settings-msg .error-box').waitFor({ timeout: WAIT });
    const error = await page.locator('#settings-msg').textContent();
    check('an invalid SCHEDULE shows the error naming it', error.includes('SCHEDULE') && error.includes('61'), error);
    check('an invalid SCHEDULE changes nothing', (await status()).schedule === 'CRON_TZ=UTC */2 * * * * *');
    await page.waitForLoadState('networkidle');
    phase = 'schedule';
    // a daily one replaces it: the next run moves to 03:00 UTC
    await save('0 3 * * *');
    await page.locator('#settings-msg', { hasText: '0 3 * * *' }).waitFor({ timeout: WAIT });
    const daily = await status();
    report.schedule = daily.schedule;
    check('a new SCHEDULE replaces the armed one', daily.schedule === 'CRON_TZ=UTC 0 3 * * *'
      && /T03:00:00(\.0+)?Z$/.test(daily.nextScheduledRun), JSON.stringify([daily.schedule, daily.nextScheduledRun]));
    const scheduleRow = page.locator('#settings-table tr', { hasText: 'SCHEDULE' }).first();
    check('the settings table shows SCHEDULE changed at runtime', (await scheduleRow.textContent()).includes('runtime'),
      await scheduleRow.textContent());
    await shot('settings'); // the form after a runtime change of SCHEDULE
    await axe('settings-schedule');
  });

  // so a 401 logged after the right token was entered (lateRefusals) answered a request sent without it
  check('the right token is never refused', report.unauthorized.every((u) => !u.rightToken),
    JSON.stringify({ lateRefusals: report.lateRefusals || 0, unauthorized: report.unauthorized }));
  check('no console error on any page', report.consoleErrors.length === 0, report.consoleErrors.join(' || '));
  check('no request left 127.0.0.1', report.offHostRequests.length === 0, report.offHostRequests.join(' '));
} finally {
  await browser.close();
}
report.ok = !failed;
console.log(JSON.stringify(report));
process.exit(failed ? 1 : 0);
