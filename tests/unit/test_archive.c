/* test_archive.c: snapshot names, time stamps and the archive scan. */
#include "archive.h"
#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("x", f);
		fclose(f);
	}
}

int main(void)
{
	char buf[64], kind[32];
	int64_t t;
	/* 2026-11-26T09:15:02.123Z */
	const int64_t T = 1795684502123000000LL;

	CHECK_STR(lw_archive_time(buf, sizeof buf, T), "20261126T091502.123Z", "compact time");
	CHECK_EQ_I64(strlen(buf) + 1, LW_ARCHIVE_TIME_LEN, "compact time length");
	CHECK_STR(lw_archive_csv_time(buf, sizeof buf, T), "2026-11-26T09:15:02.123Z", "csv time");
	CHECK_EQ_I64(strlen(buf) + 1, LW_ARCHIVE_CSV_TIME_LEN, "csv time length");
	CHECK_STR(lw_archive_time(buf, sizeof buf, T + 999999), "20261126T091502.123Z",
		  "sub-millisecond part truncated");
	CHECK_STR(lw_archive_time(buf, sizeof buf, -1), "19691231T235959.999Z",
		  "before the epoch floors");

	CHECK(lw_archive_parse_time("20261126T091502.123Z", &t) == 0 && t == T, "parse compact");
	CHECK(lw_archive_parse_time("2026-11-26T09:15:02.123Z", &t) == 0 && t == T, "parse rfc3339");
	CHECK(lw_archive_parse_time("2026-11-26T09:15:02Z", &t) == 0 && t == T - 123000000,
	      "parse rfc3339 without fraction");
	CHECK(lw_archive_parse_time("2026-11-26T09:15:02.123456789Z", &t) == 0 &&
		      t == T + 456789, "parse nanoseconds");
	CHECK(lw_archive_parse_time("2026-02-31T00:00:00Z", &t) == -1, "reject 31 February");
	CHECK(lw_archive_parse_time("2026-11-26T09:15:02.123", &t) == -1, "reject missing Z");
	CHECK(lw_archive_parse_time("20261126T091502Z", &t) == -1, "reject compact without ms");
	CHECK(lw_archive_parse_time("", &t) == -1, "reject empty");
	CHECK(lw_archive_parse_time("2026-11-26T09:15:02.123Zx", &t) == -1, "reject junk");

	CHECK(lw_archive_parse_name("heap-20261126T091502.123Z.pb.gz", kind, sizeof kind, &t) == 0 &&
		      strcmp(kind, "heap") == 0 && t == T, "parse heap name");
	CHECK(lw_archive_parse_name("goroutine-dump-20261126T091502.123Z.txt", kind, sizeof kind,
				    &t) == 0 && strcmp(kind, "goroutine-dump") == 0,
	      "parse kind with a dash");
	CHECK(lw_archive_parse_name(".heap-20261126T091502.123Z.pb.gz.tmp.Ab12Cd", kind,
				    sizeof kind, &t) == -1, "temp file is not a snapshot");
	CHECK(lw_archive_parse_name("heap-20261126T091502.123Z.pb.gz.tmp", kind, sizeof kind, &t) ==
		      -1, "three extension parts refused");
	CHECK(lw_archive_parse_name("heap-20261126T091502.123Z", kind, sizeof kind, &t) == -1,
	      "no extension refused");
	CHECK(lw_archive_parse_name("manifest.csv", kind, sizeof kind, &t) == -1, "manifest");
	CHECK(lw_archive_parse_name("heap-20261126T091502.123Z.pb.gz", kind, 4, &t) == -1,
	      "kind buffer too small");

	char *p = lw_archive_path("a/b", "goroutine-dump", T, lw_archive_kind_ext("goroutine-dump"));
	CHECK_STR(p, "a/b/goroutine-dump-20261126T091502.123Z.txt", "path");
	free(p);
	CHECK_STR(lw_archive_kind_ext("heap"), "pb.gz", "heap ext");

	CHECK(lw_archive_valid_target("api-1.prod_x"), "valid target");
	CHECK(!lw_archive_valid_target(".hidden"), "hidden target refused");
	CHECK(!lw_archive_valid_target("a/b"), "slash refused");
	CHECK(!lw_archive_valid_target(""), "empty refused");

	CHECK_STR(lw_archive_manifest_columns[0], "time", "manifest columns");
	CHECK_STR(lw_archive_memstats_columns[9], "rss", "memstats columns");

	/* Scan: dir itself + immediate subdirectories, sorted target/kind/time. */
	char dir[] = "/tmp/lw-archive-XXXXXX";
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	char path[256];
	snprintf(path, sizeof path, "%s/b", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/a", dir);
	mkdir(path, 0755);
	const char *files[] = {
		"b/heap-20261126T091503.000Z.pb.gz",
		"b/heap-20261126T091502.000Z.pb.gz",
		"a/goroutine-20261126T091502.000Z.pb.gz",
		"a/.heap-20261126T091502.000Z.pb.gz.tmp.XXXXXX",
		"a/manifest.csv",
		"cgo-20261126T091502.000Z.pb.gz",
	};
	for (size_t i = 0; i < LW_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		touch(path);
	}
	struct lw_archive_entry *e = NULL;
	size_t n = 0;
	char err[256];
	CHECK(lw_archive_scan(dir, &e, &n, err, sizeof err) == 0, "scan");
	CHECK_EQ_I64(n, 4, "scan count");
	if (n == 4) {
		CHECK_STR(e[0].target, "", "top-level file first");
		CHECK_STR(e[0].kind, "cgo", "top-level kind");
		CHECK_STR(e[1].target, "a", "then target a");
		CHECK_STR(e[2].target, "b", "then target b");
		CHECK(e[2].time_nanos < e[3].time_nanos, "sorted by time");
		snprintf(path, sizeof path, "%s/b/heap-20261126T091502.000Z.pb.gz", dir);
		CHECK_STR(e[2].path, path, "full path");
	}
	lw_archive_entries_free(e, n);
	CHECK(lw_archive_scan("/nonexistent/lw", &e, &n, err, sizeof err) == -1 &&
		      strstr(err, "'/nonexistent/lw'") != NULL, "scan error names the dir");
	for (size_t i = 0; i < LW_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/a", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/b", dir);
	rmdir(path);
	rmdir(dir);
	return check_done("test_archive");
}
