package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// fake serves the few calls of both APIs the driver makes, with real bookkeeping: every address handed out is
// held until released, a release of an address not held is an error, and the ipam calls check the token.
type fake struct {
	mu                  sync.Mutex
	token               string
	next                int
	held                map[string]bool
	allocated, released int
	subnets, prefixes   map[string]bool
	lieOnRelease        bool
	watchBudget         int // Health/Watch streams served at once; more are RESOURCE_EXHAUSTED
	watching            int
}

func newFake(token string) *fake {
	return &fake{token: token, held: map[string]bool{}, subnets: map[string]bool{}, prefixes: map[string]bool{}}
}

func (f *fake) take() string {
	f.next++
	a := fmt.Sprintf("10.0.%d.%d", f.next/250, f.next%250+1)
	f.held[a] = true
	f.allocated++
	return a
}

func (f *fake) give(a string) bool {
	if !f.held[a] {
		return false
	}
	delete(f.held, a)
	f.released++
	return true
}

func str(t []byte, num int) string {
	v, _, err := field(t, protowire.Number(num))
	if err != nil {
		return ""
	}
	return string(v)
}

func (f *fake) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	var req []byte
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	if strings.HasPrefix(method, ipamService) && f.token != "" {
		md, _ := metadata.FromIncomingContext(stream.Context())
		if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+f.token {
			return status.Error(codes.Unauthenticated, "no token")
		}
	}
	if method == "/grpc.health.v1.Health/Watch" {
		f.mu.Lock()
		if f.watching >= f.watchBudget {
			f.mu.Unlock()
			return status.Error(codes.ResourceExhausted, "health budget")
		}
		f.watching++
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.watching--
			f.mu.Unlock()
		}()
		serving := appendBool(nil, 1, true)
		if err := stream.SendMsg(&serving); err != nil {
			return err
		}
		<-stream.Context().Done()
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var resp []byte
	switch method {
	case "/grpc.health.v1.Health/Check":
	case ipamService + "CreateSubnet":
		f.subnets[str(req, 1)] = true
	case ipamService + "DeleteSubnet":
		delete(f.subnets, str(req, 1))
	case ipamService + "Allocate":
		if !f.subnets[str(req, 1)] || str(req, 2) == "" {
			return status.Error(codes.NotFound, "no such subnet, or no owner")
		}
		resp = appendString(nil, 1, f.take())
	case ipamService + "Release":
		resp = appendBool(nil, 1, f.give(str(req, 2)) && !f.lieOnRelease)
	case ipamService + "Batch":
		err := fields(req, 1, func(op []byte) error {
			if a, _, err := field(op, 1); err == nil {
				if !f.subnets[str(a, 1)] {
					return status.Error(codes.NotFound, "no such subnet")
				}
				resp = appendMessage(resp, 1, appendMessage(nil, 1, appendString(nil, 1, f.take())))
			} else if r, _, err := field(op, 2); err == nil {
				resp = appendMessage(resp, 1, appendMessage(nil, 2, appendBool(nil, 1, f.give(str(r, 2)))))
			}
			return nil
		})
		if err != nil {
			return err
		}
	case goIpamService + "CreatePrefix":
		f.prefixes[str(req, 1)] = true
	case goIpamService + "DeletePrefix":
		delete(f.prefixes, str(req, 1))
	case goIpamService + "AcquireIP":
		if !f.prefixes[str(req, 1)] {
			return status.Error(codes.NotFound, "no such prefix")
		}
		resp = appendMessage(nil, 1, appendString(appendString(nil, 1, f.take()), 2, str(req, 1)))
	case goIpamService + "ReleaseIP":
		if !f.give(str(req, 2)) {
			return status.Error(codes.NotFound, "not acquired")
		}
	default:
		return status.Error(codes.Unimplemented, method)
	}
	return stream.SendMsg(&resp)
}

func serve(t *testing.T, f *fake) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.UnknownServiceHandler(f.handle), grpc.ForceServerCodec(rawCodec{}))
	go s.Serve(l)
	t.Cleanup(s.Stop)
	return l.Addr().String()
}

func TestDrivesBothApisAndReleasesEverything(t *testing.T) {
	t.Setenv("IPAM_TOKEN", "tok-0123456789abcdef")
	f := newFake("tok-0123456789abcdef")
	addr := serve(t, f)
	js := filepath.Join(t.TempDir(), "r.json")
	var out, errOut bytes.Buffer
	rc := run([]string{"-ipam", addr, "-goipam", addr, "-clients", "1,3", "-seconds", "0.2", "-warmup", "0",
		"-prewarm", "0.1", "-trials", "2", "-batch", "7", "-json", js}, &out, &errOut)
	if rc != 0 {
		t.Fatalf("rc %d\n%s\n%s", rc, out.String(), errOut.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.held) != 0 || f.allocated == 0 || f.allocated != f.released {
		t.Fatalf("held %d allocated %d released %d", len(f.held), f.allocated, f.released)
	}
	if len(f.subnets) != 0 || len(f.prefixes) != 0 {
		t.Fatalf("left behind: subnets %v prefixes %v", f.subnets, f.prefixes)
	}
	for _, row := range []string{"| ipam | unary | 1 |", "| go-ipam | unary | 3 |", "| ipam | batch of 7 | 3 |",
		"| 3 | "} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("no %q in\n%s", row, out.String())
		}
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rs []result
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	// 2 client counts x 2 trials x (ipam unary, go-ipam unary, ipam batch)
	if len(rs) != 12 {
		t.Fatalf("%d results", len(rs))
	}
	var total float64
	for _, r := range rs {
		if r.Errors != 0 || r.PairsPerSec <= 0 || r.P50us <= 0 || r.P99us < r.P50us {
			t.Errorf("bad result %+v", r)
		}
		total += r.PairsPerSec * 0.2
	}
	// every pair counted was really allocated and released at the server (warm-ups add to the server's count)
	if float64(f.released) < total*0.99 {
		t.Errorf("server released %d, driver counted about %.0f", f.released, total)
	}
}

func TestWrongTokenFails(t *testing.T) {
	t.Setenv("IPAM_TOKEN", "another-token-0123456789")
	addr := serve(t, newFake("tok-0123456789abcdef"))
	var out, errOut bytes.Buffer
	if rc := run([]string{"-ipam", addr, "-clients", "1", "-seconds", "0.1", "-prewarm", "0", "-trials", "1"}, &out,
		&errOut); rc != 1 || !strings.Contains(errOut.String(), "Unauthenticated") {
		t.Fatalf("rc %d, stderr %s", rc, errOut.String())
	}
}

func TestAReleaseThatFreesNothingIsAnError(t *testing.T) {
	t.Setenv("IPAM_TOKEN", "")
	f := newFake("")
	f.lieOnRelease = true
	addr := serve(t, f)
	var out, errOut bytes.Buffer
	if rc := run([]string{"-ipam", addr, "-clients", "2", "-seconds", "0.1", "-prewarm", "0", "-warmup", "0",
		"-trials", "1"}, &out, &errOut); rc != 1 || !strings.Contains(errOut.String(), "was not released") {
		t.Fatalf("rc %d, stderr %s", rc, errOut.String())
	}
}

func TestPercentile(t *testing.T) {
	v := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if percentile(v, 50) != 5 || percentile(v, 99) != 10 || percentile(v, 10) != 1 || percentile(nil, 50) != 0 {
		t.Fatal(percentile(v, 50), percentile(v, 99), percentile(v, 10))
	}
}

func TestCrowdedRunHoldsWatchStreamsWithinTheServersBudget(t *testing.T) {
	t.Setenv("IPAM_TOKEN", "")
	f := newFake("")
	f.watchBudget = 5
	addr := serve(t, f)
	var out, errOut bytes.Buffer
	rc := run([]string{"-ipam", addr, "-clients", "2", "-seconds", "0.2", "-warmup", "0", "-prewarm", "0",
		"-trials", "1", "-unauth-streams", "8"}, &out, &errOut)
	if rc != 0 {
		t.Fatalf("rc %d\n%s\n%s", rc, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "| 2 | ") || !strings.Contains(out.String(), " 5 / 3 |") {
		t.Fatalf("no crowded row with 5 held and 3 refused in\n%s", out.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watching != 0 && !waitZero(f) {
		t.Fatalf("%d watch streams left open", f.watching)
	}
}

func waitZero(f *fake) bool {
	for i := 0; i < 100 && f.watching != 0; i++ {
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		f.mu.Lock()
	}
	return f.watching == 0
}
