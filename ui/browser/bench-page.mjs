// What an open page costs the allocation path (issue 27, item 5): `./ipam bench --server` against one `ipam serve
// --memory --ui`, alternating runs without a page and with one (Debian's Chromium, headless) showing the map of the
// very subnet the bench allocates in, with the change feed live: the page's worst case, since every change names
// the subnet shown. For each measured run it prints, beside the bench's pairs/s, the CPU time spent in that run's
// window (from /proc, cpu.mjs): the server's per pair (its threads by group: the page's ipam-ui-*, the JVM's own, the
// rest: gRPC, writer), Chromium's processes, the bench client's, and how busy the machine was. Figures printed,
// nothing asserted.
//   node bench-page.mjs [ROUNDS] [SECONDS] [CLIENTS] [CHROMIUM]      (ui/browser/bench-page; default 3 3 1,4 same)
// CHROMIUM says where the browser runs: `same` (as the server, normal priority), `nice` (nice -n 19; but Chromium
// run as root sets its own threads' nice values back, to 0 and -8: not a low priority), `idle` (a cgroup v1 cpu
// group with cpu.idle 1: its threads run only when nothing else wants the CPU, whatever their nice values),
// `quota:P` (a cgroup v1 cpu group limited to P% of one core), or several (`idle,quota:P`).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, rmdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, ipam, launch, open, login, TOKENS, ROOT, CHROMIUM } from './harness.mjs';
import { Sampler } from './cpu.mjs';

const ROUNDS = Number(process.argv[2] || 3);
const SECONDS = process.argv[3] || '3';
const CLIENTS = process.argv[4] || '1,4';
const PLACE = process.argv[5] || 'same';

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** One `ipam bench --server` run; onSubnet is called with the bench's subnet id once it exists. */
function bench(server, onSubnet, sampler, ends) {
  return new Promise((resolve, reject) => {
    const p = spawn(join(ROOT, 'ipam'), ['bench', '--server', server.target, '--token-file', server.tokenFile,
      '--clients', CLIENTS, '--seconds', SECONDS, '--batch', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    sampler.benchPid = p.pid;
    let out = '';
    let err = '';
    let told = false;
    p.stdout.on('data', (d) => {
      out += d;
      // a measured run's line is printed as it ends: its window is the SECONDS before
      const lines = (out.match(/pairs\/s/g) || []).length;
      while (ends.length < lines) ends.push(Date.now());
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

/**
 * Where Chromium runs (PLACE): an executable that puts it there. `nice`: nice -n 19; `quota:P`: a cgroup v1 cpu group
 * of P% of one core (made here, removed at the end). Returns { executable, describe, cleanup }.
 */
function placement(place) {
  const parts = place.split(',');
  const nice = parts.includes('nice');
  const idle = parts.includes('idle');
  const quota = parts.map((x) => x.match(/^quota:(\d+)$/)).find(Boolean);
  if (!nice && !quota && !idle) {
    if (place !== 'same') throw new Error('CHROMIUM is same, nice, idle, quota:P or several, not ' + place);
    return { executable: CHROMIUM, describe: 'Chromium at normal priority on the same cores', cleanup() {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ipam-bench-page-'));
  let group = null;
  let script = '#!/bin/sh\n';
  if (quota || idle) {
    group = '/sys/fs/cgroup/cpu/ipam-bench-page-' + process.pid;
    mkdirSync(group);
    if (quota) {
      writeFileSync(group + '/cpu.cfs_period_us', '100000');
      writeFileSync(group + '/cpu.cfs_quota_us', String(Number(quota[1]) * 1000));
    }
    if (idle) writeFileSync(group + '/cpu.idle', '1');
    script += `echo $$ > ${group}/cgroup.procs\n`;
  }
  script += `exec ${nice ? 'nice -n 19 ' : ''}${CHROMIUM} "$@"\n`;
  const executable = join(dir, 'chromium');
  writeFileSync(executable, script, { mode: 0o755 });
  return {
    executable,
    describe: 'Chromium ' + [nice ? 'started at nice 19' : 'at normal priority',
      group ? `in cgroup v1 cpu group ${group}` : '',
      idle ? 'cpu.idle 1 (runs only on CPU nobody else wants)' : '',
      quota ? `cfs_quota_us ${Number(quota[1]) * 1000} per 100000 (${quota[1]}% of one core)` : '']
      .filter(Boolean).join(', ') + ', on the same 2 cores as the server and the bench',
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (group) {
        try { rmdirSync(group); } catch (e) { console.log('# could not remove ' + group + ': ' + e.message); }
      }
    },
  };
}

const place = placement(PLACE);
const server = await startServer();
// one subnet besides the bench's (which each run creates and deletes): the page's list is never empty
await ipam(server, 'subnet', 'create', 'other', '10.9.0.0/24');
const browser = await launch(place.executable);
const sampler = new Sampler(server.pid);
sampler.start();
const rows = [];
const ms = Number(SECONDS) * 1000;
const f0 = (x) => x.toFixed(0);
const f1 = (x) => x.toFixed(1);
console.log(`# ${new Date().toISOString()} ${ROUNDS} pairs of runs, ${SECONDS} s, clients ${CLIENTS}; ${place.describe}`);
console.log('# per run: pairs/s; server CPU us/pair (all threads; of which the page\'s ipam-ui-* threads, the JVM\'s ' +
  'GC/JIT/VM, the rest: gRPC and writer); Chromium CPU % of one core; bench client us/pair; machine busy %');
try {
  // one run first, not counted: the server's JIT compiles the paths the runs take (else the first run, without a
  // page, is the slowest and hides what the page costs)
  await bench(server, async () => {}, sampler, []);
  console.log('# warm-up run done (not counted)');
  for (let round = 0; round < 2 * ROUNDS; round++) {
    const withPage = round % 2 === 1;
    let page = null;
    if (withPage) {
      page = await open(browser, server);
      await login(page, TOKENS.admin);
    }
    const before = loadavg();
    const ends = [];
    const out = await bench(server, async () => {
      if (!page) return;
      await page.goto(server.url + '#/subnet/' + encodeURIComponent(await benchSubnet(server)));
      await page.waitForSelector('#map svg');
    }, sampler, ends);
    sampler.sample();
    let maps = '';
    if (page) {
      // how often the page asked for the map while the bench ran (it asks when a change names the subnet)
      maps = ', ' + page.requested.filter((u) => /\/map/.test(u)).length + ' map requests';
      await page.context().close();
    }
    console.log(`# round ${round} ${withPage ? 'page open' : 'no page  '} (load ${before})${maps}`);
    let n = 0;
    for (const m of out.matchAll(/^(\w+)\s+clients=(\d+)\s+batch=(\d+)\s+([\d,]+) pairs\/s.*p99=\s*([\d,]+) us/gm)) {
      const pairs = Number(m[4].replace(/,/g, ''));
      const end = ends[n++];
      const c = sampler.window(end - ms, end);
      const count = pairs * ms / 1000;
      const server = c.ui + c.jvm + c.rest;
      const r = { withPage, mode: m[1], clients: m[2], pairs, p99: m[5], serverUs: 1000 * server / count,
        restUs: 1000 * c.rest / count, uiMsPerS: c.ui * 1000 / ms, chromiumPct: 100 * c.chromium / ms,
        benchUs: 1000 * c.bench / count, busyPct: 100 * c.busy / c.total, top: c.top };
      rows.push(r);
      console.log(`#   ${m[0].trim()}`);
      console.log(`#     server ${f1(r.serverUs)} us/pair (ui ${f1(1000 * c.ui / count)}, jvm ${f1(1000 * c.jvm / count)}, ` +
        `rest ${f1(r.restUs)}); ui threads ${f0(r.uiMsPerS)} ms/s; Chromium ${f1(r.chromiumPct)}% of a core; ` +
        `bench ${f1(r.benchUs)} us/pair; node ${f0(c.node * 1000 / ms)} ms/s; machine busy ${f0(r.busyPct)}%`);
      console.log('#     busiest server threads (ms): ' + c.top.map(([k, v]) => `${k} ${f0(v)}`).join(', '));
    }
  }
} finally {
  sampler.stop();
  await browser.close();
  await server.stop();
  place.cleanup();
}

// medians per mode and client count, with and without the page
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const keys = [...new Set(rows.map((r) => r.mode + ' ' + r.clients))];
const pct = (a, b) => (100 * (a - b) / b).toFixed(1) + '%';
for (const k of keys) {
  const [mode, clients] = k.split(' ');
  const pick = (w, f) => rows.filter((r) => r.mode === mode && r.clients === clients && r.withPage === w).map(f);
  const none = median(pick(false, (r) => r.pairs));
  const page = median(pick(true, (r) => r.pairs));
  const cpuNone = median(pick(false, (r) => r.serverUs));
  const cpuPage = median(pick(true, (r) => r.serverUs));
  const restNone = median(pick(false, (r) => r.restUs));
  const restPage = median(pick(true, (r) => r.restUs));
  console.log(`# ${mode} clients=${clients}: median ${f0(none)} pairs/s without a page, ${f0(page)} with (${pct(page, none)}); ` +
    `server CPU ${f1(cpuNone)} / ${f1(cpuPage)} us/pair (${pct(cpuPage, cpuNone)}), of which gRPC+writer ` +
    `${f1(restNone)} / ${f1(restPage)} (${pct(restPage, restNone)}); ui threads ${f0(median(pick(true, (r) => r.uiMsPerS)))} ms/s; ` +
    `Chromium ${f1(median(pick(true, (r) => r.chromiumPct)))}% of a core; runs ${pick(false, (r) => 1).length}+${pick(true, (r) => 1).length}; ` +
    `pairs/s without a page ${f0(Math.min(...pick(false, (r) => r.pairs)))}-${f0(Math.max(...pick(false, (r) => r.pairs)))}`);
}
