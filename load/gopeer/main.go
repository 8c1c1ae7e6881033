// Command gopeer drives ipam's gRPC API (ipam.v1) and go-ipam's (api.v1) with the same closed-loop clients and
// reports allocate+release pairs per second and the latency of one pair, so the two servers are compared in one
// run by one client. Each client has its own connection and loops: allocate any address, release it. With
// -batch B, ipam is also driven with Batch calls of B allocations and one Batch releasing them (go-ipam has no
// batch call). Targets alternate within each trial, and the median trial is reported.
//
//	gopeer -ipam 127.0.0.1:7443 -goipam 127.0.0.1:9090 -clients 1,4,16,64 -seconds 3 -trials 3 -batch 1000
//
// The bearer token for ipam comes from -token-file or the IPAM_TOKEN variable (never the command line).
// load/gopeer/run builds go-ipam from a source folder, starts both servers on loopback and runs this.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// target is one server under test: how to set it up, run one pair and one batch round, and clean up.
type target interface {
	name() string
	setup(ctx context.Context, conn *grpc.ClientConn) error
	teardown(ctx context.Context, conn *grpc.ClientConn)
	// pair allocates one address and releases it; c is the client's own scratch.
	pair(ctx context.Context, conn *grpc.ClientConn, c *client) error
	// batchRound allocates n addresses in one call and releases them in another; it returns the pairs done.
	batchRound(ctx context.Context, conn *grpc.ClientConn, c *client, n int) (int, error)
}

// client is one closed-loop client's reusable state.
type client struct {
	owner     string
	req, resp []byte
	addresses []string
}

var raw = grpc.ForceCodec(rawCodec{})

type ipamTarget struct {
	addr, token, subnet, cidr string
}

func (t *ipamTarget) name() string { return "ipam" }

func (t *ipamTarget) context(ctx context.Context) context.Context {
	if t.token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+t.token)
}

func (t *ipamTarget) setup(ctx context.Context, conn *grpc.ClientConn) error {
	req, resp := ipamCreateSubnet(t.subnet, t.cidr), []byte(nil)
	return conn.Invoke(ctx, ipamService+"CreateSubnet", &req, &resp, raw, grpc.WaitForReady(true))
}

func (t *ipamTarget) teardown(ctx context.Context, conn *grpc.ClientConn) {
	req, resp := ipamDeleteSubnet(t.subnet), []byte(nil)
	if err := conn.Invoke(ctx, ipamService+"DeleteSubnet", &req, &resp, raw); err != nil {
		fmt.Fprintf(os.Stderr, "gopeer: ipam: cannot delete subnet %s: %v\n", t.subnet, err)
	}
}

func (t *ipamTarget) pair(ctx context.Context, conn *grpc.ClientConn, c *client) error {
	c.req = ipamAllocate(c.req[:0], t.subnet, c.owner)
	if err := conn.Invoke(ctx, ipamService+"Allocate", &c.req, &c.resp, raw); err != nil {
		return err
	}
	a, err := ipamAllocated(c.resp)
	if err != nil {
		return err
	}
	c.req = ipamRelease(c.req[:0], t.subnet, a)
	if err := conn.Invoke(ctx, ipamService+"Release", &c.req, &c.resp, raw); err != nil {
		return err
	}
	ok, err := ipamReleased(c.resp)
	if err == nil && !ok {
		err = fmt.Errorf("ipam: %s was not released", a)
	}
	return err
}

func (t *ipamTarget) batchRound(ctx context.Context, conn *grpc.ClientConn, c *client, n int) (int, error) {
	c.req = ipamBatchAllocate(c.req[:0], t.subnet, c.owner, n)
	if err := conn.Invoke(ctx, ipamService+"Batch", &c.req, &c.resp, raw); err != nil {
		return 0, err
	}
	var failed int
	var err error
	c.addresses, _, failed, err = ipamBatchResults(c.resp, c.addresses[:0])
	if err != nil {
		return 0, err
	}
	c.req = ipamBatchRelease(c.req[:0], t.subnet, c.addresses)
	if err := conn.Invoke(ctx, ipamService+"Batch", &c.req, &c.resp, raw); err != nil {
		return 0, err
	}
	_, released, failedRelease, err := ipamBatchResults(c.resp, c.addresses[:0])
	if err == nil && failed+failedRelease > 0 {
		err = fmt.Errorf("ipam: %d batch operations failed", failed+failedRelease)
	}
	return released, err
}

type goIpamTarget struct {
	addr, prefix string
}

func (t *goIpamTarget) name() string { return "go-ipam" }

func (t *goIpamTarget) context(ctx context.Context) context.Context { return ctx }

func (t *goIpamTarget) setup(ctx context.Context, conn *grpc.ClientConn) error {
	req, resp := goIpamPrefix(t.prefix), []byte(nil)
	return conn.Invoke(ctx, goIpamService+"CreatePrefix", &req, &resp, raw, grpc.WaitForReady(true))
}

func (t *goIpamTarget) teardown(ctx context.Context, conn *grpc.ClientConn) {
	req, resp := goIpamPrefix(t.prefix), []byte(nil)
	if err := conn.Invoke(ctx, goIpamService+"DeletePrefix", &req, &resp, raw); err != nil {
		fmt.Fprintf(os.Stderr, "gopeer: go-ipam: cannot delete prefix %s: %v\n", t.prefix, err)
	}
}

func (t *goIpamTarget) pair(ctx context.Context, conn *grpc.ClientConn, c *client) error {
	c.req = goIpamAcquire(c.req[:0], t.prefix)
	if err := conn.Invoke(ctx, goIpamService+"AcquireIP", &c.req, &c.resp, raw); err != nil {
		return err
	}
	ip, err := goIpamAcquired(c.resp)
	if err != nil {
		return err
	}
	c.req = goIpamRelease(c.req[:0], t.prefix, ip)
	return conn.Invoke(ctx, goIpamService+"ReleaseIP", &c.req, &c.resp, raw)
}

func (t *goIpamTarget) batchRound(context.Context, *grpc.ClientConn, *client, int) (int, error) {
	return 0, fmt.Errorf("go-ipam has no batch call")
}

// result is one measured run of one target at one client count.
type result struct {
	Target      string  `json:"target"`
	Mode        string  `json:"mode"`
	Clients     int     `json:"clients"`
	Batch       int     `json:"batch"`
	Trial       int     `json:"trial"`
	PairsPerSec float64 `json:"pairs_per_second"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
	MaxUs       float64 `json:"max_us"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
}

type contexter interface {
	context(context.Context) context.Context
}

func dial(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
}

// measure runs n clients against t for d (closed loop) and returns pairs per second over the window and the
// latency of every pair (unary) or round (batch), in nanoseconds.
func measure(t target, addr string, n, batch int, d time.Duration) (result, error) {
	conns := make([]*grpc.ClientConn, n)
	for i := range conns {
		c, err := dial(addr)
		if err != nil {
			return result{}, err
		}
		defer c.Close()
		conns[i] = c
	}
	base := t.(contexter).context(context.Background())
	var stop atomic.Bool
	var pairs, errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]int64, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		ready.Add(1)
		done.Add(1)
		go func(i int) {
			defer done.Done()
			c := &client{owner: fmt.Sprintf("00000000-0000-4000-8000-%012x", i+1)}
			ctx := base
			// one call before the clock starts, so that connection set-up is not measured
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if batch == 0 {
				_ = conns[i].Invoke(wctx, "/grpc.health.v1.Health/Check", &[]byte{}, &c.resp, raw, grpc.WaitForReady(true))
			}
			cancel()
			ready.Done()
			<-start
			var mine int64
			for !stop.Load() {
				t0 := time.Now()
				var err error
				if batch == 0 {
					err = t.pair(ctx, conns[i], c)
					if err == nil {
						mine++
					}
				} else {
					var k int
					k, err = t.batchRound(ctx, conns[i], c, batch)
					mine += int64(k)
				}
				lat[i] = append(lat[i], time.Since(t0).Nanoseconds())
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					time.Sleep(time.Millisecond) // a failing server is not hammered in a tight loop
				}
			}
			pairs.Add(mine)
		}(i)
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	time.Sleep(d)
	stop.Store(true)
	window := time.Since(t0)
	done.Wait()
	var all []int64
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	mode := "unary"
	if batch > 0 {
		mode = "batch"
	}
	r := result{Target: t.name(), Mode: mode, Clients: n, Batch: batch, Errors: errs.Load(),
		PairsPerSec: float64(pairs.Load()) / window.Seconds()}
	if len(all) > 0 {
		r.P50us = float64(percentile(all, 50)) / 1e3
		r.P99us = float64(percentile(all, 99)) / 1e3
		r.MaxUs = float64(all[len(all)-1]) / 1e3
	}
	if e, ok := firstErr.Load().(string); ok {
		r.FirstError = e
	}
	return r, nil
}

// percentile of sorted values (nearest rank).
func percentile(sorted []int64, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(p/100*float64(len(sorted))+0.999999) - 1
	k = max(0, min(k, len(sorted)-1))
	return sorted[k]
}

func parseCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 4096 {
			return nil, fmt.Errorf("client count %q: want 1..4096", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func readToken(file string) (string, error) {
	if file == "" {
		return os.Getenv("IPAM_TOKEN"), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

type key struct {
	target, mode string
	clients      int
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("gopeer", flag.ContinueOnError)
	fs.SetOutput(errOut)
	ipamAddr := fs.String("ipam", "", "ipam serve HOST:PORT (plaintext)")
	goIpamAddr := fs.String("goipam", "", "go-ipam server HOST:PORT (plaintext, h2c)")
	tokenFile := fs.String("token-file", "", "file holding ipam's bearer token (default: the IPAM_TOKEN variable)")
	counts := fs.String("clients", "1,4,16,64", "client counts, one connection each")
	seconds := fs.Float64("seconds", 3, "seconds per measurement")
	warmup := fs.Float64("warmup", 0.5, "seconds of warm-up before each measurement")
	trials := fs.Int("trials", 3, "trials per target and client count, alternating targets; the median is reported")
	batch := fs.Int("batch", 0, "also run ipam's Batch with this many allocations per call (0: unary only)")
	prewarm := fs.Float64("prewarm", 5, "seconds each target runs at the largest client count before anything is "+
		"measured (a fresh JVM compiles its hot path)")
	unauth := fs.Int("unauth-streams", 0, "then measure ipam's unary pairs alone and while this many Health/Watch "+
		"streams without a token are held open (4 per connection), alternating; 0: skip")
	jsonOut := fs.String("json", "", "write every trial's result here as JSON")
	freePort := fs.Bool("free-port", false, "print a free loopback TCP port and exit (for scripts)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *freePort {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(errOut, "gopeer:", err)
			return 1
		}
		fmt.Fprintln(out, l.Addr().(*net.TCPAddr).Port)
		l.Close()
		return 0
	}
	clientCounts, err := parseCounts(*counts)
	if err != nil || *trials < 1 || *seconds <= 0 || *warmup < 0 || *prewarm < 0 || *batch < 0 || *unauth < 0 ||
		*unauth > 4096 {
		fmt.Fprintln(errOut, "gopeer: bad arguments:", err)
		return 2
	}
	token, err := readToken(*tokenFile)
	if err != nil {
		fmt.Fprintln(errOut, "gopeer: cannot read the token file:", err)
		return 1
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	var targets []target
	addrs := map[string]string{}
	if *ipamAddr != "" {
		targets = append(targets, &ipamTarget{addr: *ipamAddr, token: token, subnet: "gopeer-" + suffix,
			cidr: "10.251.0.0/16"})
		addrs["ipam"] = *ipamAddr
	}
	if *goIpamAddr != "" {
		targets = append(targets, &goIpamTarget{addr: *goIpamAddr, prefix: "10.252.0.0/16"})
		addrs["go-ipam"] = *goIpamAddr
	}
	if len(targets) == 0 {
		fmt.Fprintln(errOut, "gopeer: name at least one of -ipam and -goipam")
		return 2
	}
	// set up every target before measuring anything, and clean up at the end
	for _, t := range targets {
		conn, err := dial(addrs[t.name()])
		if err != nil {
			fmt.Fprintln(errOut, "gopeer:", err)
			return 1
		}
		ctx, cancel := context.WithTimeout(t.(contexter).context(context.Background()), 60*time.Second)
		err = t.setup(ctx, conn)
		cancel()
		if err != nil {
			conn.Close()
			fmt.Fprintf(errOut, "gopeer: %s at %s: cannot set up: %v\n", t.name(), addrs[t.name()], err)
			return 1
		}
		defer func(t target, conn *grpc.ClientConn) {
			ctx, cancel := context.WithTimeout(t.(contexter).context(context.Background()), 10*time.Second)
			t.teardown(ctx, conn)
			cancel()
			conn.Close()
		}(t, conn)
	}
	var results []result
	med := map[key]result{}
	var order []key
	type job struct {
		t     target
		batch int
	}
	var jobs []job
	for _, t := range targets {
		jobs = append(jobs, job{t, 0})
	}
	if *batch > 0 && *ipamAddr != "" {
		jobs = append(jobs, job{targets[0], *batch})
	}
	d := time.Duration(*seconds * float64(time.Second))
	w := time.Duration(*warmup * float64(time.Second))
	failed := false
	if *prewarm > 0 {
		for _, jb := range jobs {
			if _, err := measure(jb.t, addrs[jb.t.name()], slices.Max(clientCounts), jb.batch,
				time.Duration(*prewarm*float64(time.Second))); err != nil {
				fmt.Fprintln(errOut, "gopeer:", err)
				return 1
			}
		}
	}
	for _, n := range clientCounts {
		trialsOf := map[key][]result{}
		for trial := 0; trial < *trials; trial++ {
			for j := range jobs {
				jb := jobs[(j+trial)%len(jobs)] // alternate which target goes first
				if w > 0 {
					if _, err := measure(jb.t, addrs[jb.t.name()], n, jb.batch, w); err != nil {
						fmt.Fprintln(errOut, "gopeer:", err)
						return 1
					}
				}
				r, err := measure(jb.t, addrs[jb.t.name()], n, jb.batch, d)
				if err != nil {
					fmt.Fprintln(errOut, "gopeer:", err)
					return 1
				}
				r.Trial = trial
				fmt.Fprintf(out, "  trial %d  %-8s %-5s clients=%-3d %12.0f pairs/s  p50 %8.0f us  p99 %8.0f us  errors %d\n",
					trial, r.Target, r.Mode, n, r.PairsPerSec, r.P50us, r.P99us, r.Errors)
				if r.Errors > 0 {
					failed = true
					fmt.Fprintf(errOut, "gopeer: %s: %d errors, the first: %s\n", r.Target, r.Errors, r.FirstError)
				}
				results = append(results, r)
				k := key{r.Target, r.Mode, n}
				trialsOf[k] = append(trialsOf[k], r)
			}
		}
		for _, jb := range jobs {
			mode := "unary"
			if jb.batch > 0 {
				mode = "batch"
			}
			k := key{jb.t.name(), mode, n}
			rs := trialsOf[k]
			slices.SortFunc(rs, func(a, b result) int {
				switch {
				case a.PairsPerSec < b.PairsPerSec:
					return -1
				case a.PairsPerSec > b.PairsPerSec:
					return 1
				}
				return 0
			})
			med[k] = rs[len(rs)/2]
			order = append(order, k)
		}
	}
	fmt.Fprintf(out, "\nmedian of %d trials of %.1f s, one connection per client, allocate+release pairs:\n\n", *trials,
		*seconds)
	fmt.Fprintf(out, "| target | mode | clients | pairs/s | p50 us | p99 us |\n|---|---|---:|---:|---:|---:|\n")
	for _, k := range order {
		r := med[k]
		mode := r.Mode
		if r.Batch > 0 {
			mode = fmt.Sprintf("batch of %d", r.Batch)
		}
		fmt.Fprintf(out, "| %s | %s | %d | %.0f | %.0f | %.0f |\n", r.Target, mode, r.Clients, r.PairsPerSec, r.P50us,
			r.P99us)
	}
	if *ipamAddr != "" && *goIpamAddr != "" {
		fmt.Fprintf(out, "\n| clients | ipam / go-ipam pairs/s | go-ipam p50 / ipam p50 |\n|---:|---:|---:|\n")
		for _, n := range clientCounts {
			a, b := med[key{"ipam", "unary", n}], med[key{"go-ipam", "unary", n}]
			if b.PairsPerSec > 0 && a.P50us > 0 {
				fmt.Fprintf(out, "| %d | %.2fx | %.2fx |\n", n, a.PairsPerSec/b.PairsPerSec, b.P50us/a.P50us)
			}
		}
	}
	if *unauth > 0 && *ipamAddr != "" {
		rs, err := crowded(targets[0], *ipamAddr, clientCounts, *unauth, *trials, d, w, out)
		if err != nil {
			fmt.Fprintln(errOut, "gopeer:", err)
			return 1
		}
		results = append(results, rs...)
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(errOut, "gopeer:", err)
			return 1
		}
	}
	if failed {
		return 1
	}
	return 0
}
