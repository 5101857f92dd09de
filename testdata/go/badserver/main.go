// badserver: an HTTP server that misbehaves on request, for pprof-fetch's
// tests. The first path segment picks the behaviour; the rest is a normal
// net/http/pprof path, e.g. /500/debug/pprof/heap.
//
//	ok          the real net/http/pprof handler
//	500         status 500 on every request
//	404         status 404
//	flaky       503 for the first -flaky requests of each path, then ok
//	slow        waits -slow before answering ok (longer than the client's timeout)
//	cut         Content-Length of a real profile, half the body, connection closed
//	cutchunked  chunked transfer, one chunk of a real profile, connection closed
//	cuteof      no length at all, half the body, connection closed (HTTP/1.0 style)
//	big         -big bytes of a valid-looking gzip stream with Content-Length
//	bigchunked  the same without Content-Length
//	html        200 with an HTML error page
//	empty       200 with an empty body
//	wrongkind   a valid goroutine profile whatever kind was asked for
//	redirect    302 to the same path under /ok
//	badmemstats the real page with "# HeapAlloc = nan" (heap?debug=1)
//
// Every request is appended to -log as "MODE PATH?QUERY" (plus " auth=..."
// and " x-test=..." when those headers were sent) before it is answered, so
// tests can count retries and check headers. -pick-port prints a free loopback
// port and exits (for a server that is started later on a known port).
// -tls-cert FILE serves HTTPS with Go's test certificate (valid for
// 127.0.0.1) and writes that certificate, PEM, to FILE.
package main

import (
	"bytes"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

var (
	logMu   sync.Mutex
	logFile *os.File
	flakyMu sync.Mutex
	flakyN  = map[string]int{}
	flakyK  = flag.Int("flaky", 2, "flaky: failures before success, per path")
	slowD   = flag.Duration("slow", 5*time.Second, "slow: delay")
	bigN    = flag.Int("big", 4<<20, "big: body size in bytes")
)

func logRequest(mode string, r *http.Request) {
	if logFile == nil {
		return
	}
	logMu.Lock()
	defer logMu.Unlock()
	q := ""
	if r.URL.RawQuery != "" {
		q = "?" + r.URL.RawQuery
	}
	extra := ""
	if a := r.Header.Get("Authorization"); a != "" {
		extra += " auth=" + a
	}
	if x := r.Header.Get("X-Test"); x != "" {
		extra += " x-test=" + x
	}
	fmt.Fprintf(logFile, "%s %s%s%s\n", mode, r.URL.Path, q, extra)
	logFile.Sync()
}

// serveOK answers with the real pprof handler for the profile named by the
// last path element (heap, goroutine, ...).
func serveOK(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.URL.Path)
	pprof.Handler(name).ServeHTTP(w, r)
}

// realBody renders what serveOK would send, to cut it short.
func realBody(r *http.Request) []byte {
	rec := httptest.NewRecorder()
	serveOK(rec, r)
	return rec.Body.Bytes()
}

func hijack(w http.ResponseWriter) (net.Conn, bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no hijack", 500)
		return nil, false
	}
	c, _, err := hj.Hijack()
	if err != nil {
		return nil, false
	}
	return c, true
}

func handler(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	mode, rest := parts[0], ""
	if len(parts) == 2 {
		rest = "/" + parts[1]
	}
	logRequest(mode, r)
	r2 := r.Clone(r.Context())
	r2.URL.Path = rest
	switch mode {
	case "ok":
		serveOK(w, r2)
	case "500":
		http.Error(w, "internal error", http.StatusInternalServerError)
	case "404":
		http.NotFound(w, r2)
	case "flaky":
		flakyMu.Lock()
		flakyN[r.URL.Path]++
		n := flakyN[r.URL.Path]
		flakyMu.Unlock()
		if n <= *flakyK {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		serveOK(w, r2)
	case "slow":
		select {
		case <-time.After(*slowD):
			serveOK(w, r2)
		case <-r.Context().Done():
		}
	case "cut", "cutchunked", "cuteof":
		body := realBody(r2)
		c, ok := hijack(w)
		if !ok {
			return
		}
		defer c.Close()
		half := body[:len(body)/2]
		switch mode {
		case "cut":
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", len(body))
			c.Write(half)
		case "cutchunked":
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n", len(half))
			c.Write(half)
			c.Write([]byte("\r\n"))
		case "cuteof":
			fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
			c.Write(half)
		}
	case "big", "bigchunked":
		// A gzip header followed by filler: only the size limit can stop it.
		body := append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{'x'}, *bigN)...)
		if mode == "big" {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.Write(body)
			return
		}
		f, _ := w.(http.Flusher)
		for i := 0; i < len(body); i += 64 << 10 {
			end := i + 64<<10
			if end > len(body) {
				end = len(body)
			}
			if _, err := w.Write(body[i:end]); err != nil {
				return
			}
			if f != nil {
				f.Flush()
			}
		}
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Login</title></head><body>Please sign in</body></html>\n")
	case "empty":
		w.Header().Set("Content-Type", "application/octet-stream")
	case "wrongkind":
		r3 := r2.Clone(r2.Context())
		r3.URL.Path = "/debug/pprof/goroutine"
		serveOK(w, r3)
	case "badmemstats":
		// The real page (heap?debug=1) with a MemStats value no Go runtime
		// prints: pprof-fetch must refuse it, not convert it.
		body := regexp.MustCompile(`(?m)^# HeapAlloc = [0-9]+$`).ReplaceAll(realBody(r2), []byte("# HeapAlloc = nan"))
		w.Write(body)
	case "redirect":
		u := "/ok" + rest
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, u, http.StatusFound)
	default:
		http.NotFound(w, r)
	}
}

func main() {
	port := flag.Int("port", 0, "port (0 = ephemeral)")
	portFile := flag.String("port-file", "", "write the port here once listening")
	logPath := flag.String("log", "", "append one line per request here")
	pick := flag.Bool("pick-port", false, "print a free port and exit")
	tlsCert := flag.String("tls-cert", "", "serve HTTPS; write the certificate (PEM) here")
	flag.Parse()

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatalf("badserver: %v", err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	if *pick {
		ln.Close()
		fmt.Println(p)
		return
	}
	if *logPath != "" {
		logFile, err = os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatalf("badserver: %v", err)
		}
	}
	var serve func()
	if *tlsCert != "" {
		ts := httptest.NewUnstartedServer(http.HandlerFunc(handler))
		ts.Listener.Close()
		ts.Listener = ln
		ts.StartTLS()
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
		if err := os.WriteFile(*tlsCert, pemBytes, 0o644); err != nil {
			log.Fatalf("badserver: %v", err)
		}
		serve = func() { select {} }
	} else {
		serve = func() { log.Fatal(http.Serve(ln, http.HandlerFunc(handler))) }
	}
	if *portFile != "" {
		tmp := *portFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(fmt.Sprintln(p)), 0o644); err != nil {
			log.Fatalf("badserver: %v", err)
		}
		if err := os.Rename(tmp, *portFile); err != nil {
			log.Fatalf("badserver: %v", err)
		}
	}
	serve()
}
