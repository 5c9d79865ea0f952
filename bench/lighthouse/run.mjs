// Run Lighthouse's SEO category on a list of URLs, one after another, in one Chromium.
//
//   node run.mjs <urls.json> <out-dir> [timeout-ms]
//
// urls.json is [{"id": "...", "url": "http://127.0.0.1:..."}, ...]. For every URL this writes
// <out-dir>/<id>.json: the Lighthouse result (lhr), or {"error": "..."} when the run failed or
// took longer than the timeout. The same settings as the CLI with
//   --chrome-flags="--headless=new --no-sandbox" --only-categories=seo --output=json
//   --ignore-status-code --disable-full-page-screenshot
// (Chromium from CHROME_PATH, default /usr/bin/chromium); Chromium is launched once per process
// instead of once per URL (the launch is most of a CLI run on a small page), and relaunched
// after a timeout. bench/lighthouse_agreement.py starts two of these side by side.

import fs from 'node:fs';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const [urlsFile, outDir, timeoutArg] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg || 60000);
const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
const chromeFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

const launch = () => chromeLauncher.launch({chromePath, chromeFlags, logLevel: 'silent'});

const urls = JSON.parse(fs.readFileSync(urlsFile, 'utf8'));
fs.mkdirSync(outDir, {recursive: true});

let chrome = await launch();
// The bench stops us with SIGTERM on timeout or Ctrl-C: take Chromium down with us.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    try { chrome.kill(); } catch { /* already gone */ }
    process.exit(1);
  });
}
for (const {id, url} of urls) {
  const started = Date.now();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
  });
  let record;
  try {
    const flags = {
      port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['seo'],
      // Audit 4xx/5xx pages instead of stopping with ERRORED_DOCUMENT_REQUEST (the CLI's
      // --ignore-status-code); the screenshot is not used by any SEO audit.
      ignoreStatusCode: true, disableFullPageScreenshot: true,
    };
    const result = await Promise.race([lighthouse(url, flags), timeout]);
    record = result.lhr;
  } catch (err) {
    record = {error: String(err && err.message || err)};
    try { await chrome.kill(); } catch { /* already gone */ }
    chrome = await launch();
  } finally {
    clearTimeout(timer);
  }
  record.benchSeconds = (Date.now() - started) / 1000;
  fs.writeFileSync(path.join(outDir, `${id}.json`), JSON.stringify(record));
  process.stdout.write(`${id} ${record.benchSeconds.toFixed(1)}s${record.error ? ' ' + record.error : ''}\n`);
}
await chrome.kill();
