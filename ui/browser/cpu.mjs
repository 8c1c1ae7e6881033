// CPU time from /proc, for bench-page: the server's threads (grouped by what they do), the bench client's process,
// Chromium's processes, this Node process (Playwright's driver) and the whole machine, sampled every SAMPLE_MS so
// that a measured window's CPU can be read afterwards. Linux only; figures printed, nothing asserted.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const HZ = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
export const SAMPLE_MS = 100;

/** utime + stime of /proc/PATH/stat in ms, or null when gone; comm too. */
function stat(path) {
  let s;
  try { s = readFileSync(`/proc/${path}/stat`, 'utf8'); } catch { return null; }
  const close = s.lastIndexOf(')');
  const f = s.slice(close + 2).split(' ');      // f[0] is field 3 (state)
  return { name: s.slice(s.indexOf('(') + 1, close), ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 1000 / HZ };
}

/** The server's threads, by what they do: the page's (ipam-ui-*), the JVM's own (GC, JIT, VM), the rest. */
export function threadGroup(name) {
  if (/^ipam-ui/.test(name)) return 'ui';
  if (/^(GC |G1 |C1 |C2 |VM |Sweeper|Common-Cleaner|Finalizer|Reference Handl|Signal Dispatch|Service Thread|Monitor Defl|Notification)/.test(name)) return 'jvm';
  return 'rest';
}

/** Every descendant of pid (by scanning /proc), as [pid, stat]. */
function descendants(root) {
  const kids = new Map();
  const stats = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = stat(d);
    if (!st) continue;
    stats.set(Number(d), st);
    if (!kids.has(st.ppid)) kids.set(st.ppid, []);
    kids.get(st.ppid).push(Number(d));
  }
  const out = [];
  const todo = [...(kids.get(root) || [])];
  while (todo.length) {
    const p = todo.pop();
    out.push([p, stats.get(p)]);
    todo.push(...(kids.get(p) || []));
  }
  return out;
}

function machine() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busyMs: (total - idle) * 1000 / HZ, totalMs: total * 1000 / HZ };
}

/**
 * Samples CPU counters every SAMPLE_MS: counters only grow (a thread or process that ends keeps what it had).
 * serverPid: the server's JVM; benchPid (set by the caller while a bench runs): the bench client's pid or null;
 * Chromium: every other process whose name says so.
 */
export class Sampler {
  constructor(serverPid) {
    this.serverPid = serverPid;
    this.benchPid = null;
    this.samples = [];
    this.acc = { ui: 0, jvm: 0, rest: 0, bench: 0, chromium: 0 };
    this.threadMs = new Map();           // server thread "tid name" -> ms accumulated
    this.last = new Map();               // key -> last raw ms
    this.chromiumPids = [];
    this.scanned = 0;
  }

  add(key, group, raw) {
    const before = this.last.get(key);
    this.last.set(key, raw);
    const d = before === undefined ? 0 : Math.max(0, raw - before);
    this.acc[group] += d;
    return d;
  }

  sample() {
    const t = Date.now();
    const task = `${this.serverPid}/task`;
    let tids = [];
    try { tids = readdirSync(`/proc/${task}`); } catch { /* gone */ }
    for (const tid of tids) {
      const st = stat(`${task}/${tid}`);
      if (!st) continue;
      const key = 's' + tid + ' ' + st.name;
      const d = this.add(key, threadGroup(st.name), st.ms);
      this.threadMs.set(key, (this.threadMs.get(key) || 0) + d);
    }
    if (this.benchPid) {
      const st = stat(String(this.benchPid));
      if (st) this.add('b' + this.benchPid, 'bench', st.ms);
    }
    if (t - this.scanned > 1000) {      // Chromium's processes come and go with pages: look again every second
      this.scanned = t;
      this.chromiumPids = descendants(process.pid)
        .filter(([p, st]) => p !== this.serverPid && p !== this.benchPid && /chrom/i.test(st.name)).map(([p]) => p);
    }
    for (const p of this.chromiumPids) {
      const st = stat(String(p));
      if (st) this.add('c' + p, 'chromium', st.ms);
    }
    const u = process.cpuUsage();
    const m = machine();
    this.samples.push({ t, ...this.acc, node: (u.user + u.system) / 1000, busy: m.busyMs, total: m.totalMs,
      threads: new Map(this.threadMs) });
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
  }

  /** The value of counter k at time t, interpolated between samples. */
  at(t, k) {
    const s = this.samples;
    let i = s.findIndex((x) => x.t >= t);
    if (i < 0) i = s.length - 1;
    if (i === 0) return s[0][k];
    const a = s[i - 1], b = s[i];
    const w = b.t === a.t ? 1 : Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t)));
    return a[k] + w * (b[k] - a[k]);
  }

  /** CPU ms of each group in [t0, t1], the machine's busy share, and the server's busiest threads. */
  window(t0, t1) {
    const out = {};
    for (const k of ['ui', 'jvm', 'rest', 'bench', 'chromium', 'node', 'busy', 'total']) out[k] = this.at(t1, k) - this.at(t0, k);
    const first = this.samples.find((x) => x.t >= t0) || this.samples[0];
    const lastS = [...this.samples].reverse().find((x) => x.t <= t1) || this.samples[this.samples.length - 1];
    const span = Math.max(1, lastS.t - first.t);
    const top = [];
    for (const [key, ms] of lastS.threads) {
      const d = ms - (first.threads.get(key) || 0);
      if (d > 0) top.push([key.replace(/^s\d+ /, ''), d * (t1 - t0) / span]);
    }
    top.sort((a, b) => b[1] - a[1]);
    out.top = top.slice(0, 6);
    return out;
  }
}
