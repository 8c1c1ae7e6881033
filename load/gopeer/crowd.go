package main

// Authenticated throughput while unauthenticated callers hold streams open (issue 25): n Health/Watch streams
// without a token, 4 per connection, opened before the measurement and held through it. The server gives health
// and reflection a small budget of their own, so most are refused and those held cost the API nothing.

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"google.golang.org/grpc"
)

// watchers holds Health/Watch streams open; close ends them.
type watchers struct {
	conns         []*grpc.ClientConn
	cancel        context.CancelFunc
	held, refused int
}

func (w *watchers) close() {
	w.cancel()
	for _, c := range w.conns {
		c.Close()
	}
}

func holdWatches(addr string, n int) (*watchers, error) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watchers{cancel: cancel}
	desc := &grpc.StreamDesc{StreamName: "Watch", ServerStreams: true}
	var conn *grpc.ClientConn
	for i := 0; i < n; i++ {
		if i%4 == 0 {
			c, err := dial(addr)
			if err != nil {
				w.close()
				return nil, err
			}
			w.conns = append(w.conns, c)
			conn = c
		}
		st, err := conn.NewStream(ctx, desc, "/grpc.health.v1.Health/Watch", raw)
		if err == nil {
			req := []byte{}
			err = st.SendMsg(&req)
		}
		if err == nil {
			err = st.CloseSend()
		}
		var resp []byte
		if err == nil {
			err = st.RecvMsg(&resp) // SERVING, or the refusal
		}
		if err == nil {
			w.held++
		} else if err != io.EOF {
			w.refused++
		}
	}
	return w, nil
}

func crowded(t target, addr string, counts []int, n, trials int, d, warm time.Duration, out io.Writer) ([]result, error) {
	var all []result
	fmt.Fprintf(out, "\nipam unary pairs alone and with %d Health/Watch streams without a token held open:\n\n", n)
	fmt.Fprintf(out, "| clients | pairs/s alone | pairs/s crowded | streams held / refused | crowded / alone |\n")
	fmt.Fprintf(out, "|---:|---:|---:|---:|---:|\n")
	for _, c := range counts {
		var alone, crowd []float64
		held, refused := 0, 0
		for trial := 0; trial < trials; trial++ {
			for k := 0; k < 2; k++ {
				withStreams := (k+trial)%2 == 1
				var w *watchers
				if withStreams {
					var err error
					if w, err = holdWatches(addr, n); err != nil {
						return nil, err
					}
					held, refused = w.held, w.refused
				}
				if warm > 0 {
					if _, err := measure(t, addr, c, 0, warm); err != nil {
						return nil, err
					}
				}
				r, err := measure(t, addr, c, 0, d)
				if w != nil {
					w.close()
				}
				if err != nil {
					return nil, err
				}
				r.Trial = trial
				if withStreams {
					r.Mode = fmt.Sprintf("unary, %d unauthenticated streams", n)
					crowd = append(crowd, r.PairsPerSec)
				} else {
					alone = append(alone, r.PairsPerSec)
				}
				all = append(all, r)
			}
		}
		slices.Sort(alone)
		slices.Sort(crowd)
		a, b := alone[len(alone)/2], crowd[len(crowd)/2]
		fmt.Fprintf(out, "| %d | %.0f | %.0f | %d / %d | %.2f |\n", c, a, b, held, refused, b/a)
	}
	return all, nil
}
