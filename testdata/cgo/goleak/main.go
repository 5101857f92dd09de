// goleak: a Go program whose cgo calls leak C memory, for cgo-trace's tests.
//
// leakFromC leaks through the named C function leaky_alloc, leakCString
// through C.CString, and balanced mallocs and frees C memory in equal
// measure (nothing of it may be outstanding). The program writes its truth
// (NAME OBJECTS BYTES outstanding) and can wait for files so a tracer can
// attach first (-wait) and snapshot before it exits (-hold). -serve runs
// the benchmark workload instead: requests doing a few C allocations among
// other work, printing requests per second of wall-clock and of CPU time.
package main

/*
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) void *leaky_alloc(size_t n)
{
	void *p = malloc(n);
	memset(p, 0x5a, n);
	return p;
}

static void *volatile sink; // keeps gcc from folding malloc+free away

__attribute__((noinline)) void balanced(size_t n)
{
	void *p = malloc(n);
	memset(p, 0x33, n);
	sink = p;
	free(sink);
}
*/
import "C"

import (
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"
)

var keep []unsafe.Pointer

//go:noinline
func leakFromC(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, C.leaky_alloc(1000))
	}
}

//go:noinline
func leakCString(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, unsafe.Pointer(C.CString("a string of 25 characters")))
	}
}

//go:noinline
func balancedPath(n int) {
	for i := 0; i < n; i++ {
		C.balanced(512)
	}
}

func waitFor(path string) {
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type order struct {
	ID       int               `json:"id"`
	Customer string            `json:"customer"`
	Items    []item            `json:"items"`
	Tags     map[string]string `json:"tags"`
}

type item struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

// serve: a request decodes a JSON order, prices it, encodes the answer,
// checksums a 16 KiB body, and makes three C allocations (two C calls, one
// C.free), as a service wrapping a C library might.
func serve(d time.Duration) {
	o := order{ID: 1, Customer: "customer-0001", Tags: map[string]string{"region": "eu", "tier": "gold"}}
	for i := 0; i < 12; i++ {
		o.Items = append(o.Items, item{SKU: fmt.Sprintf("sku-%04d", i), Qty: i + 1, Price: 9.99})
	}
	req, _ := json.Marshal(o)
	body := make([]byte, 16<<10)
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		for i := 0; i < 100; i++ {
			var in order
			if err := json.Unmarshal(req, &in); err != nil {
				panic(err)
			}
			total := 0.0
			for _, it := range in.Items {
				total += float64(it.Qty) * it.Price
			}
			out, _ := json.Marshal(map[string]interface{}{"id": in.ID, "total": total})
			sum := sha256.Sum256(body)
			body[n%len(body)] = sum[0] ^ out[0]
			p := C.leaky_alloc(64)
			C.balanced(128)
			C.free(p)
			n++
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("%.0f requests/s\n%.0f requests/cpu-s\n", float64(n)/time.Since(start).Seconds(),
		float64(n)/cpu.Seconds())
}

func main() {
	wait := flag.String("wait", "", "wait until this file exists before allocating")
	hold := flag.String("hold", "", "wait until this file exists before exiting")
	truth := flag.String("truth", "", "write the outstanding truth here")
	srv := flag.Duration("serve", 0, "run the benchmark workload for this long")
	flag.Parse()
	if *srv > 0 {
		serve(*srv)
		return
	}
	if *wait != "" {
		waitFor(*wait)
	}
	leakFromC(300)
	leakCString(200)
	balancedPath(1000)
	if *truth != "" {
		t := fmt.Sprintf("leaky_alloc %d %d\n_cgo_cmalloc %d %d\n", 300, 300*1000, 200, 200*26)
		if err := os.WriteFile(*truth, []byte(t), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if *hold != "" {
		waitFor(*hold)
	}
}
