// Drives the clinic board in Debian's chromium through playwright-core and prints what a member of
// staff would see as one JSON object; the xunit test (WebAppBrowserTests) makes the assertions.
// Environment: NOCTURNE_PLAYWRIGHT, NOCTURNE_CHROMIUM, CLINIC_URL and PATIENT_URL (end with /),
// STAFF_TOKEN, PATIENT_SITE, PATIENT_SECRET_SHA1, CLINIC_SITE.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.NOCTURNE_PLAYWRIGHT);
const clinic = process.env.CLINIC_URL;
const patient = process.env.PATIENT_SITE;
const result = {};

async function asPatient(method, path, body) {
  const response = await fetch(new URL(path, process.env.PATIENT_URL), {
    method,
    headers: { 'content-type': 'application/json', 'api-secret': process.env.PATIENT_SECRET_SHA1 },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
}

const row = `#board tbody tr[data-site="${patient}"]`;
const browser = await chromium.launch({ executablePath: process.env.NOCTURNE_CHROMIUM, headless: true, args: ['--no-sandbox'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const consoleErrors = [];
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('response', r => { if (r.status() >= 400) consoleErrors.push(`${r.status()} ${new URL(r.url()).pathname}`); });

  // Staff sign in with their token on the clinic's site, then open the board.
  await page.goto(clinic + '?token=' + process.env.STAFF_TOKEN);
  await page.waitForFunction(() => Object.keys(sessionStorage).some(k => k.startsWith('nocturne.jwt')), null, { timeout: 15000 });
  await page.goto(clinic + 'clinic');
  await page.waitForSelector(row, { timeout: 15000 });
  const cells = async () => page.$$eval(`${row} td`, tds => tds.map(td => td.textContent));
  result.before = { rows: await page.$$eval('#board tbody tr', trs => trs.length), cells: await cells(), urgency: await page.getAttribute(row, 'data-urgency') };
  result.connection = await page.waitForFunction(() => document.getElementById('live').textContent === 'live', null, { timeout: 10000 }).then(() => 'live', async () => page.textContent('#live'));

  // A patient's urgent low reaches the open board without a reload.
  const posted = Date.now();
  await asPatient('POST', 'api/v1/entries', [{ type: 'sgv', sgv: 48, direction: 'DoubleDown', date: posted, device: 'browser-test' }]);
  await page.waitForFunction(selector => document.querySelector(selector)?.dataset.urgency === 'UrgentLow', row, { timeout: 10000 }).catch(() => {});
  result.live = { cells: await cells(), urgency: await page.getAttribute(row, 'data-urgency'), first: await page.getAttribute('#board tbody tr', 'data-site'), afterMs: Date.now() - posted };

  // The patient revokes: the row leaves the open board.
  const revoked = Date.now();
  await asPatient('DELETE', 'api/v4/clinic-shares/' + process.env.CLINIC_SITE);
  const gone = await page.waitForSelector(row, { state: 'detached', timeout: 10000 }).then(() => true, () => false);
  result.revoked = { gone, afterMs: Date.now() - revoked };
  result.consoleErrors = consoleErrors;
} finally {
  await browser.close();
}

console.log(JSON.stringify(result));
