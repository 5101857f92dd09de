// mkprof: writes a small pprof profile (gzip protobuf, profile.proto) from a
// text description, so pprof-diff's tests control every value exactly.
//
//	types samples/count cpu/nanoseconds   sample types, in order
//	period cpu/nanoseconds 10000000       period type and period (optional)
//	default cpu                           default_sample_type (optional)
//	time 1700000000000000000              time_nanos (optional)
//	s 5 50000000 main.work main.main      a sample: one value per type, then
//	                                      frames leaf first; "f:12" sets the
//	                                      line, "f|g" is f inlined into g
//	                                      (one location, two lines)
//	# comment
//
// Usage: mkprof < spec > out.pb.gz
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"strconv"
	"strings"
)

type buf struct{ bytes.Buffer }

func (b *buf) varint(x uint64) {
	for x >= 0x80 {
		b.WriteByte(byte(x) | 0x80)
		x >>= 7
	}
	b.WriteByte(byte(x))
}

func (b *buf) tag(field, wire int) { b.varint(uint64(field<<3 | wire)) }

func (b *buf) uint(field int, x uint64) {
	b.tag(field, 0)
	b.varint(x)
}

func (b *buf) msg(field int, m *buf) {
	b.tag(field, 2)
	b.varint(uint64(m.Len()))
	b.Write(m.Bytes())
}

func (b *buf) packed(field int, xs []uint64) {
	var p buf
	for _, x := range xs {
		p.varint(x)
	}
	b.msg(field, &p)
}

type frame struct {
	fn   string
	line int64
}

type prof struct {
	strs    []string
	strIdx  map[string]int
	types   [][2]string
	ptype   [2]string
	period  int64
	deflt   string
	time    int64
	samples []sample
	locs    map[string]uint64 // frame token -> location id
	locList []string
	funcs   map[string]uint64
	fnList  []string
}

type sample struct {
	vals []int64
	locs []uint64
}

func (p *prof) str(s string) uint64 {
	if i, ok := p.strIdx[s]; ok {
		return uint64(i)
	}
	p.strIdx[s] = len(p.strs)
	p.strs = append(p.strs, s)
	return uint64(len(p.strs) - 1)
}

func parseFrame(tok string) frame {
	f := frame{fn: tok, line: 1}
	if i := strings.LastIndexByte(tok, ':'); i > 0 {
		if n, err := strconv.ParseInt(tok[i+1:], 10, 64); err == nil {
			f = frame{fn: tok[:i], line: n}
		}
	}
	return f
}

func (p *prof) loc(tok string) uint64 {
	if id, ok := p.locs[tok]; ok {
		return id
	}
	for _, part := range strings.Split(tok, "|") {
		fn := parseFrame(part).fn
		if _, ok := p.funcs[fn]; !ok {
			p.funcs[fn] = uint64(len(p.fnList) + 1)
			p.fnList = append(p.fnList, fn)
		}
	}
	p.locList = append(p.locList, tok)
	p.locs[tok] = uint64(len(p.locList))
	return p.locs[tok]
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "mkprof: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	p := &prof{strIdx: map[string]int{}, locs: map[string]uint64{}, funcs: map[string]uint64{}}
	p.str("")
	sc := bufio.NewScanner(os.Stdin)
	for ln := 1; sc.Scan(); ln++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "types":
			for _, t := range f[1:] {
				tu := strings.SplitN(t, "/", 2)
				if len(tu) != 2 {
					die("line %d: type %q is not type/unit", ln, t)
				}
				p.types = append(p.types, [2]string{tu[0], tu[1]})
			}
		case "period":
			tu := strings.SplitN(f[1], "/", 2)
			p.ptype = [2]string{tu[0], tu[1]}
			p.period, _ = strconv.ParseInt(f[2], 10, 64)
		case "default":
			p.deflt = f[1]
		case "time":
			p.time, _ = strconv.ParseInt(f[1], 10, 64)
		case "s":
			n := len(p.types)
			if len(f) < 1+n+1 {
				die("line %d: want %d values and a stack", ln, n)
			}
			var s sample
			for _, v := range f[1 : 1+n] {
				x, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					die("line %d: %v", ln, err)
				}
				s.vals = append(s.vals, x)
			}
			for _, tok := range f[1+n:] {
				s.locs = append(s.locs, p.loc(tok))
			}
			p.samples = append(p.samples, s)
		default:
			die("line %d: unknown keyword %q", ln, f[0])
		}
	}
	var out buf
	for _, t := range p.types {
		var m buf
		m.uint(1, p.str(t[0]))
		m.uint(2, p.str(t[1]))
		out.msg(1, &m)
	}
	for _, s := range p.samples {
		var m buf
		m.packed(1, s.locs)
		vs := make([]uint64, len(s.vals))
		for i, v := range s.vals {
			vs[i] = uint64(v)
		}
		m.packed(2, vs)
		out.msg(2, &m)
	}
	var mp buf
	mp.uint(1, 1)
	mp.uint(2, 0x1000)
	mp.uint(3, 0x100000)
	mp.uint(5, p.str("/bin/prog"))
	mp.uint(7, 1)
	out.msg(3, &mp)
	for i, tok := range p.locList {
		var m buf
		m.uint(1, uint64(i+1))
		m.uint(2, 1)
		m.uint(3, uint64(0x1000+16*(i+1)))
		for _, part := range strings.Split(tok, "|") {
			fr := parseFrame(part)
			var l buf
			l.uint(1, p.funcs[fr.fn])
			l.uint(2, uint64(fr.line))
			m.msg(4, &l)
		}
		out.msg(4, &m)
	}
	for i, fn := range p.fnList {
		var m buf
		m.uint(1, uint64(i+1))
		m.uint(2, p.str(fn))
		m.uint(3, p.str(fn))
		m.uint(4, p.str("prog.go"))
		out.msg(5, &m)
	}
	if p.time != 0 {
		out.uint(9, uint64(p.time))
	}
	if p.ptype[0] != "" {
		var m buf
		m.uint(1, p.str(p.ptype[0]))
		m.uint(2, p.str(p.ptype[1]))
		out.msg(11, &m)
		out.uint(12, uint64(p.period))
	}
	if p.deflt != "" {
		out.uint(14, p.str(p.deflt))
	}
	for _, s := range p.strs {
		out.tag(6, 2)
		out.varint(uint64(len(s)))
		out.WriteString(s)
	}
	zw := gzip.NewWriter(os.Stdout)
	if _, err := zw.Write(out.Bytes()); err != nil {
		die("%v", err)
	}
	if err := zw.Close(); err != nil {
		die("%v", err)
	}
}
