// Drives the web app in Debian's chromium through playwright-core and prints what a user would see
// as one JSON object; the xunit test (WebAppBrowserTests) makes the assertions.
// Environment: NOCTURNE_PLAYWRIGHT, NOCTURNE_CHROMIUM, SITE_URL (ends with /), TOKEN, API_SECRET_SHA1, LOW_MGDL.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.NOCTURNE_PLAYWRIGHT);
const site = process.env.SITE_URL;
const result = {};

async function post(path, body) {
  const response = await fetch(new URL(path, site), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'api-secret': process.env.API_SECRET_SHA1 },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
}

// Pixels of a screenshot, analysed in a blank page: share of pixels near a colour, and mean luminance.
async function analyse(browser, png, colour) {
  const page = await browser.newPage();
  const stats = await page.evaluate(async ({ data, colour }) => {
    const image = new Image();
    image.src = 'data:image/png;base64,' + data;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const pixels = ctx.getImageData(0, 0, image.width, image.height).data;
    let near = 0; let luminance = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
      luminance += 0.2126 * r + 0.7152 * g + 0.0722 * b;
      if (Math.abs(r - colour[0]) < 40 && Math.abs(g - colour[1]) < 40 && Math.abs(b - colour[2]) < 40) near++;
    }
    return { width: image.width, height: image.height, colourPixels: near, meanLuminance: luminance / (pixels.length / 4) };
  }, { data: png.toString('base64'), colour });
  await page.close();
  return stats;
}

async function layout(page) {
  return page.evaluate(() => {
    const box = el => { const r = document.getElementById(el).getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
    return {
      viewportWidth: innerWidth, viewportHeight: innerHeight, scrollWidth: document.documentElement.scrollWidth,
      bg: box('bg'), chart: box('chart'), canvas: document.querySelector('#chart canvas') ? box('chart') : null,
    };
  });
}

const browser = await chromium.launch({ executablePath: process.env.NOCTURNE_CHROMIUM, headless: true, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  // A wrong token is refused and leaves the sign-in form up.
  await page.goto(site + '?token=nobody-0123456789abcdef');
  await page.waitForFunction(() => document.getElementById('signin-error').textContent.length > 0, null, { timeout: 10000 });
  result.wrongToken = {
    error: await page.textContent('#signin-error'),
    signInVisible: await page.isVisible('#signin'),
    mainVisible: await page.isVisible('#main'),
  };

  consoleErrors.length = 0; // the refused sign-in's 401 is expected

  // The follower's link signs in; the token leaves the address bar and is not kept.
  await page.goto(site + '?token=' + process.env.TOKEN);
  await page.waitForFunction(() => document.getElementById('bg').textContent !== '---', null, { timeout: 15000 });
  await page.waitForSelector('#chart canvas', { timeout: 10000 });
  result.signedIn = {
    url: page.url(),
    bg: await page.textContent('#bg'),
    range: await page.getAttribute('#bg', 'data-range'),
    arrow: await page.textContent('#arrow'),
    delta: await page.textContent('#delta'),
    units: await page.textContent('#units'),
    age: await page.textContent('#age'),
    chartPoints: Number(await page.getAttribute('#chart', 'data-points')),
    storage: await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })),
  };
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'live', null, { timeout: 10000 }).catch(() => {});
  result.connection = await page.getAttribute('#connection', 'data-state');

  // Desktop screenshot: the big number and the chart are drawn, in range colour.
  const desktop = await page.screenshot();
  result.desktop = { layout: await layout(page), pixels: await analyse(browser, desktop, [0x2e, 0x9d, 0x4f]) };

  // A reading posted through the API appears without a reload.
  const posted = Date.now();
  await post('api/v1/entries', [{ type: 'sgv', sgv: 123, direction: 'FortyFiveUp', date: posted, device: 'browser-test' }]);
  await page.waitForFunction(() => document.getElementById('bg').textContent === '123', null, { timeout: 10000 }).catch(() => {});
  result.live = { bg: await page.textContent('#bg'), arrow: await page.textContent('#arrow'), afterMs: Date.now() - posted };

  // An urgent low raises the alarm banner; snoozing silences it.
  await post('api/v1/entries', [{ type: 'sgv', sgv: Number(process.env.LOW_MGDL), direction: 'SingleDown', date: Date.now() + 1000, device: 'browser-test' }]);
  const alarmShown = await page.waitForSelector('#alarm:not([hidden])', { timeout: 15000 }).then(() => true, () => false);
  result.alarm = { shown: alarmShown, level: alarmShown ? await page.getAttribute('#alarm', 'data-level') : null, title: alarmShown ? await page.textContent('#alarm-title') : null };
  if (alarmShown) {
    await page.click('[data-snooze="30"]');
    result.alarm.hiddenAfterSnooze = await page.waitForSelector('#alarm', { state: 'hidden', timeout: 5000 }).then(() => true, () => false);
  }

  // Night mode on a phone: no sideways scrolling, the number fully visible, a dark page.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const phonePage = await phone.newPage();
  await phonePage.goto(site + '?token=' + process.env.TOKEN);
  await phonePage.waitForSelector('#chart canvas', { timeout: 15000 });
  await phonePage.click('#night');
  const phoneShot = await phonePage.screenshot();
  result.phone = { layout: await layout(phonePage), pixels: await analyse(browser, phoneShot, [0x2e, 0x9d, 0x4f]), night: await phonePage.evaluate(() => document.body.classList.contains('night')) };
  result.consoleErrors = consoleErrors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
