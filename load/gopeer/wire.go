package main

// The few messages the driver sends, encoded by hand with protowire: the driver needs no generated code of either
// project, and both servers are driven through the same codec, so neither pays for a client library the other
// does not. Field numbers are those of proto/ipam/v1/ipam.proto and of go-ipam's api/v1/ipam.proto.

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// rawCodec passes already-encoded protobuf bytes through grpc-go: requests are *[]byte, answers land in *[]byte.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBool(b []byte, num protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, 1)
}

func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

var errNoField = errors.New("field not in message")

// field returns the first length-delimited field num of a message, and whether a varint field num was non-zero
// when num is a varint field (then the bytes are nil).
func field(msg []byte, num protowire.Number) ([]byte, uint64, error) {
	for len(msg) > 0 {
		n, typ, l := protowire.ConsumeTag(msg)
		if l < 0 {
			return nil, 0, protowire.ParseError(l)
		}
		msg = msg[l:]
		switch typ {
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(msg)
			if m < 0 {
				return nil, 0, protowire.ParseError(m)
			}
			if n == num {
				return v, 0, nil
			}
			msg = msg[m:]
		case protowire.VarintType:
			v, m := protowire.ConsumeVarint(msg)
			if m < 0 {
				return nil, 0, protowire.ParseError(m)
			}
			if n == num {
				return nil, v, nil
			}
			msg = msg[m:]
		default:
			m := protowire.ConsumeFieldValue(n, typ, msg)
			if m < 0 {
				return nil, 0, protowire.ParseError(m)
			}
			msg = msg[m:]
		}
	}
	return nil, 0, errNoField
}

// fields calls fn for every length-delimited field num of a message, in order.
func fields(msg []byte, num protowire.Number, fn func([]byte) error) error {
	for len(msg) > 0 {
		n, typ, l := protowire.ConsumeTag(msg)
		if l < 0 {
			return protowire.ParseError(l)
		}
		msg = msg[l:]
		m := protowire.ConsumeFieldValue(n, typ, msg)
		if m < 0 {
			return protowire.ParseError(m)
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(msg)
			if err := fn(v); err != nil {
				return err
			}
		}
		msg = msg[m:]
	}
	return nil
}

// ipam.v1 --------------------------------------------------------------------------------------------------------

const (
	ipamService = "/ipam.v1.IpamService/"
)

// AllocateRequest{subnet_id = 1, owner = 2}
func ipamAllocate(b []byte, subnet, owner string) []byte {
	b = appendString(b, 1, subnet)
	return appendString(b, 2, owner)
}

// ReleaseRequest{subnet_id = 1, address = 2}
func ipamRelease(b []byte, subnet, address string) []byte {
	b = appendString(b, 1, subnet)
	return appendString(b, 2, address)
}

// CreateSubnetRequest{id = 1, cidr = 2}
func ipamCreateSubnet(id, cidr string) []byte {
	return appendString(appendString(nil, 1, id), 2, cidr)
}

// DeleteSubnetRequest{subnet_id = 1, force = 2}
func ipamDeleteSubnet(id string) []byte {
	return appendBool(appendString(nil, 1, id), 2, true)
}

// AllocateResponse{repeated addresses = 1}: the first address.
func ipamAllocated(resp []byte) (string, error) {
	v, _, err := field(resp, 1)
	if err != nil {
		return "", fmt.Errorf("AllocateResponse without an address: %w", err)
	}
	return string(v), nil
}

// ReleaseResponse{released = 1}
func ipamReleased(resp []byte) (bool, error) {
	_, v, err := field(resp, 1)
	if errors.Is(err, errNoField) {
		return false, nil
	}
	return v != 0, err
}

// BatchRequest{repeated BatchOp ops = 1}, BatchOp{allocate = 1 | release = 2}: n allocations for one owner.
func ipamBatchAllocate(b []byte, subnet, owner string, n int) []byte {
	op := appendMessage(nil, 1, ipamAllocate(nil, subnet, owner))
	for i := 0; i < n; i++ {
		b = appendMessage(b, 1, op)
	}
	return b
}

// BatchRequest releasing addresses.
func ipamBatchRelease(b []byte, subnet string, addresses []string) []byte {
	var op, rel []byte
	for _, a := range addresses {
		rel = ipamRelease(rel[:0], subnet, a)
		op = appendMessage(op[:0], 2, rel)
		b = appendMessage(b, 1, op)
	}
	return b
}

// BatchResponse{repeated BatchResult results = 1}, BatchResult{allocated = 1 | released = 2 | error = 3}: the
// allocated addresses (appended to into), the number released, the number of errors.
func ipamBatchResults(resp []byte, into []string) ([]string, int, int, error) {
	released, failed := 0, 0
	err := fields(resp, 1, func(result []byte) error {
		if a, _, err := field(result, 1); err == nil {
			addr, err := ipamAllocated(a)
			if err != nil {
				return err
			}
			into = append(into, addr)
			return nil
		}
		if r, _, err := field(result, 2); err == nil {
			ok, err := ipamReleased(r)
			if err != nil {
				return err
			}
			if ok {
				released++
			} else {
				failed++
			}
			return nil
		}
		failed++
		return nil
	})
	return into, released, failed, err
}

// go-ipam api.v1 -------------------------------------------------------------------------------------------------

const (
	goIpamService = "/api.v1.IpamService/"
)

// CreatePrefixRequest{cidr = 1}, DeletePrefixRequest{cidr = 1}
func goIpamPrefix(cidr string) []byte {
	return appendString(nil, 1, cidr)
}

// AcquireIPRequest{prefix_cidr = 1}
func goIpamAcquire(b []byte, prefix string) []byte {
	return appendString(b, 1, prefix)
}

// ReleaseIPRequest{prefix_cidr = 1, ip = 2}
func goIpamRelease(b []byte, prefix, ip string) []byte {
	return appendString(appendString(b, 1, prefix), 2, ip)
}

// AcquireIPResponse{IP ip = 1}, IP{ip = 1}
func goIpamAcquired(resp []byte) (string, error) {
	m, _, err := field(resp, 1)
	if err != nil {
		return "", fmt.Errorf("AcquireIPResponse without an ip: %w", err)
	}
	v, _, err := field(m, 1)
	if err != nil {
		return "", fmt.Errorf("AcquireIPResponse.ip without an address: %w", err)
	}
	return string(v), nil
}
