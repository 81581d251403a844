// Drives the upload page in headless Chromium with playwright-core (no browser download: the system Chromium).
// usage: node upload.js CHROMIUM URL IMAGE SCREENSHOT  -> prints {"rows": [[label, bar, score]...], "status", "external"}
const { chromium } = require('playwright-core');
const [chromiumPath, url, image, screenshot] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 620 } });
    const external = [];
    page.on('request', r => { if (!r.url().startsWith(url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url()); });
    await page.goto(url, { waitUntil: 'load' });
    await page.setInputFiles('#file', image);
    await page.click('#submit');
    await page.waitForSelector('#predictions tr.prediction', { timeout: 20000 });
    const rows = await page.$$eval('#predictions tr.prediction', trs => trs.map(tr => Array.from(tr.cells).map(c => c.textContent)));
    const status = await page.textContent('#status');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify({ rows, status, external }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(String(e && e.stack || e)); process.exit(1); });
