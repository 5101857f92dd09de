// trendprogs: Go programs that leak (or do not) on purpose, and record
// themselves into a leakwatch archive, for trend-fit's accuracy tests.
//
//	trendprogs -scenario NAME -out DIR [-n 48] [-interval 250ms]
//
// Every interval it records what pprof-fetch would store: memstats.csv
// (read before the GC, so HeapAlloc shows the GC sawtooth), then
// runtime.GC() (gc=1; some scenarios skip it on odd snapshots so that a
// profile repeats the previous cycle, as a fetch without gc=1 does), then
// heap-<time>.pb.gz and goroutine-<time>.pb.gz from runtime/pprof. The
// sampling rate is Go's default (512 KiB), so the noise is realistic.
// Scenarios and what leaks in each: scenarios.go, and cgoleak.go (cgo-leak).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

var (
	flagScenario = flag.String("scenario", "", "scenario name (see -list)")
	flagOut      = flag.String("out", "", "target directory of the archive")
	flagN        = flag.Int("n", 48, "number of snapshots")
	flagInterval = flag.Duration("interval", 250*time.Millisecond, "time between snapshots")
	flagList     = flag.Bool("list", false, "list the scenarios")
)

func archiveTime(t time.Time) string {
	return t.UTC().Format("20060102T150405.000") + "Z"
}

func csvTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000") + "Z"
}

// writeProfile stores one profile atomically, as pprof-fetch does.
func writeProfile(dir, kind string, t time.Time) error {
	name := filepath.Join(dir, kind+"-"+archiveTime(t)+".pb.gz")
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(kind).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

func rssBytes() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "VmRSS:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(line[6:]), "%d", &kb)
			return fmt.Sprint(kb * 1024)
		}
	}
	return ""
}

func main() {
	flag.Parse()
	if *flagList {
		for _, s := range scenarios {
			fmt.Printf("%-20s %s\n", s.name, s.doc)
		}
		return
	}
	var sc *scenario
	for i := range scenarios {
		if scenarios[i].name == *flagScenario {
			sc = &scenarios[i]
		}
	}
	if sc == nil || *flagOut == "" {
		fmt.Fprintln(os.Stderr, "usage: trendprogs -scenario NAME -out DIR (-list for names)")
		os.Exit(2)
	}
	if err := os.MkdirAll(*flagOut, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ms, err := os.Create(filepath.Join(*flagOut, "memstats.csv"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintln(ms, "time,HeapAlloc,HeapInuse,HeapIdle,HeapReleased,StackInuse,Sys,NumGC,goroutines,rss,HeapObjects,TotalAlloc,Mallocs,Frees,NextGC")

	if writeTruth {
		if err := saveTruth(*flagOut, sc); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	startBaseline()
	go sc.run()

	tick := time.NewTicker(*flagInterval)
	defer tick.Stop()
	for i := 0; i < *flagN; i++ {
		<-tick.C
		now := time.Now()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(ms, "%s,%d,%d,%d,%d,%d,%d,%d,%d,%s,%d,%d,%d,%d,%d\n", csvTime(now),
			m.HeapAlloc, m.HeapInuse, m.HeapIdle, m.HeapReleased, m.StackInuse, m.Sys,
			m.NumGC, runtime.NumGoroutine(), rssBytes(), m.HeapObjects, m.TotalAlloc,
			m.Mallocs, m.Frees, m.NextGC)
		if !sc.skipGC || i%2 == 0 {
			runtime.GC()
		}
		for _, kind := range []string{"heap", "goroutine"} {
			if err := writeProfile(*flagOut, kind, now); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
	if err := ms.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func init() {
	// truth.txt: written next to the snapshots by -truth
	flag.BoolVar(&writeTruth, "truth", true, "write truth.txt into the archive")
}

var writeTruth bool

func saveTruth(dir string, sc *scenario) error {
	var b strings.Builder
	b.WriteString("# " + sc.name + ": " + sc.doc + "\n")
	b.WriteString("# kind key verdict (leak: must be flagged; either: not scored; all other keys must not be flagged)\n")
	for _, t := range sc.truth {
		b.WriteString(t + "\n")
	}
	return os.WriteFile(filepath.Join(dir, "truth.txt"), []byte(b.String()), 0o644)
}
