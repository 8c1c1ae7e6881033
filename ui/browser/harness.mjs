// Test harness for ipam's web page: a real `ipam serve` (this checkout's ./ipam launcher) with a tokens file, the
// command line as the API's client, and Debian's Chromium driven by playwright-core. Nothing is downloaded here:
// the browser is /usr/bin/chromium (ui/browser/install puts it there), Playwright's own browsers are never used.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.IPAM_CHROMIUM || '/usr/bin/chromium';
// what Chromium needs on these machines: no sandbox (root), no GPU, and none of its own network traffic
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export const TOKENS = { admin: 'ui-admin-token-000000000001', red: 'ui-red-token-00000000000002',
  blue: 'ui-blue-token-0000000000003', acme: 'ui-acme-token-0000000000004' };

/** Start `ipam serve --memory` with the page on a free port; resolves when both listen. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'ipam-ui-'));
  const tokens = join(dir, 'tokens');
  writeFileSync(tokens, `${TOKENS.admin} *\n${TOKENS.red} red\n${TOKENS.blue} blue\n${TOKENS.acme} acme\n`, { mode: 0o600 });
  const tokenFile = join(dir, 'admin-token');
  writeFileSync(tokenFile, TOKENS.admin + '\n', { mode: 0o600 });
  // --ui 0: a port alone listens on loopback (checked below), any free one
  const proc = spawn(join(ROOT, 'ipam'), ['serve', '--memory', '--listen', '127.0.0.1:0', '--ui', '0',
    '--tokens', tokens], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('ipam serve did not start: ' + out + err)), 240_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (\S+?),.*page on (http:\S+)/);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error('ipam serve exited ' + code + ': ' + err)); });
  });
  if (!/^http:\/\/127\.0\.0\.1:[1-9][0-9]*\/$/.test(line[2])) {
    proc.kill('SIGTERM');
    throw new Error('--ui PORT should listen on loopback only, not ' + line[2]);
  }
  return {
    target: line[1], url: line[2], dir, tokenFile, pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => { if (proc.exitCode !== null) r(); else proc.on('exit', r); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run the command line against the server as the administrator; resolves with its output. */
export function ipam(server, ...args) {
  return new Promise((resolve, reject) => {
    const p = spawn(join(ROOT, 'ipam'), [...args, '--server', server.target, '--token-file', server.tokenFile],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => code === 0 ? resolve(out) : reject(new Error(`ipam ${args.join(' ')}: ${code} ${err}`)));
  });
}

/** Debian's Chromium, headless (or another executable: bench-page starts it through a wrapper at low priority). */
export async function launch(executablePath = CHROMIUM) {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

/** A page that records every request it makes (to check that it talks to nothing but the server). */
export async function open(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.requested = [];
  page.on('request', (r) => page.requested.push(r.url()));
  await page.goto(server.url);
  return page;
}

export async function login(page, token) {
  await page.fill('#token', token);
  await page.click('#token-form button');
  await page.waitForSelector('#subnets tbody tr');
}

/** The Hilbert curve, as io.ipam.ui.map.Hilbert.d2xy: where a cell is drawn. */
export function d2xy(side, d) {
  let x = 0, y = 0, t = d;
  for (let s = 1; s < side; s *= 2) {
    const rx = 1 & Math.floor(t / 2), ry = 1 & (t ^ rx);
    if (ry === 0) {
      if (rx === 1) { x = s - 1 - x; y = s - 1 - y; }
      [x, y] = [y, x];
    }
    x += s * rx; y += s * ry; t = Math.floor(t / 4);
  }
  return [x, y];
}

/**
 * Where the page draws cell d of a map of 2^cellBits cells (as io.ipam.ui.map.MapScene.Grid: margin 16, top 72,
 * a 512-pixel map): the point on screen at the cell's centre.
 */
export async function cellPoint(page, cellBits, d) {
  const side = 2 ** Math.floor((cellBits + 1) / 2);
  const px = Math.max(1, Math.floor(512 / side));
  const svg = page.locator('#map svg');
  const box = await svg.boundingBox();
  const scale = box.width / Number(await svg.getAttribute('width'));
  const [x, y] = d2xy(side, d);
  return { x: box.x + (16 + (x + 0.5) * px) * scale, y: box.y + (72 + (y + 0.5) * px) * scale };
}

/** The fill of the map's drawing at a point. */
export async function fillAt(page, point) {
  return page.evaluate(([x, y]) => {
    const el = document.elementFromPoint(x, y);
    return el ? el.getAttribute('fill') : null;
  }, [point.x, point.y]);
}
