// What an open page costs the allocation path (issue 27, item 5): `./ipam bench --server` against one `ipam serve
// --memory --ui`, alternating runs without a page and with one (Debian's Chromium, headless) showing the map of the
// very subnet the bench allocates in, with the change feed live: the page's worst case, since every change names
// the subnet shown and the map is asked again at most every 150 ms. Figures printed, nothing asserted.
//   node bench-page.mjs [ROUNDS] [SECONDS] [CLIENTS]      (ui/browser/bench-page; default 3 pairs of runs, 3 s, 1,4)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, ipam, launch, open, login, TOKENS, ROOT } from './harness.mjs';

const ROUNDS = Number(process.argv[2] || 3);
const SECONDS = process.argv[3] || '3';
const CLIENTS = process.argv[4] || '1,4';

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** One `ipam bench --server` run; onSubnet is called with the bench's subnet id once it exists. */
function bench(server, onSubnet) {
  return new Promise((resolve, reject) => {
    const p = spawn(join(ROOT, 'ipam'), ['bench', '--server', server.target, '--token-file', server.tokenFile,
      '--clients', CLIENTS, '--seconds', SECONDS, '--batch', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let told = false;
    p.stdout.on('data', (d) => {
      out += d;
      if (!told && /warming up/.test(out)) {
        told = true;
        onSubnet().catch(reject);
      }
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => code === 0 ? resolve(out) : reject(new Error('ipam bench: ' + code + ' ' + err)));
  });
}

/** The bench's subnet (bench-XXXXXXXX), as the page's own API lists it (answers are kept up to 200 ms or more). */
async function benchSubnet(server) {
  for (let tries = 0; tries < 50; tries++) {
    const r = await fetch(server.url.replace(/\/$/, '') + '/api/subnets',
      { headers: { Authorization: 'Bearer ' + TOKENS.admin } });
    const s = (await r.json()).find((x) => /^bench-/.test(x.id));
    if (s) return s.id;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the bench subnet did not appear in /api/subnets');
}

const server = await startServer();
// one subnet besides the bench's (which each run creates and deletes): the page's list is never empty
await ipam(server, 'subnet', 'create', 'other', '10.9.0.0/24');
const browser = await launch();
const rows = [];
try {
  for (let round = 0; round < 2 * ROUNDS; round++) {
    const withPage = round % 2 === 1;
    let page = null;
    if (withPage) {
      page = await open(browser, server);
      await login(page, TOKENS.admin);
    }
    const before = loadavg();
    const out = await bench(server, async () => {
      if (!page) return;
      await page.goto(server.url + '#/subnet/' + encodeURIComponent(await benchSubnet(server)));
      await page.waitForSelector('#map svg');
    });
    let maps = '';
    if (page) {
      // how often the page asked for the map while the bench ran (it asks when a change names the subnet)
      maps = ', ' + page.requested.filter((u) => /\/map/.test(u)).length + ' map requests';
      await page.context().close();
    }
    for (const m of out.matchAll(/^(\w+)\s+clients=(\d+)\s+batch=(\d+)\s+([\d,]+) pairs\/s.*p99=\s*([\d,]+) us/gm)) {
      rows.push({ withPage, mode: m[1], clients: m[2], pairs: Number(m[4].replace(/,/g, '')), p99: m[5] });
    }
    console.log(`# round ${round} ${withPage ? 'page open' : 'no page  '} (load ${before})${maps}`);
    console.log(out.split('\n').filter((l) => /pairs\/s/.test(l)).map((l) => '#   ' + l).join('\n'));
  }
} finally {
  await browser.close();
  await server.stop();
}

// medians per mode and client count, with and without the page
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const keys = [...new Set(rows.map((r) => r.mode + ' ' + r.clients))];
for (const k of keys) {
  const [mode, clients] = k.split(' ');
  const pick = (w) => rows.filter((r) => r.mode === mode && r.clients === clients && r.withPage === w)
    .map((r) => r.pairs);
  const none = median(pick(false));
  const page = median(pick(true));
  console.log(`# ${mode} clients=${clients}: median ${none.toFixed(0)} pairs/s without a page, ${page.toFixed(0)} ` +
    `with (${(100 * (page - none) / none).toFixed(1)}%), runs ${pick(false).length}+${pick(true).length}`);
}
