/* test_util.c: parse.h, json.h, csvout.h, atomicio.h. */
#include "atomicio.h"
#include "check.h"
#include "csvout.h"
#include "json.h"
#include "parse.h"

#include <sys/stat.h>
#include <unistd.h>

static void test_parse(void)
{
	int64_t v = -7;
	CHECK(lw_parse_int64("42", 0, 100, &v) == 0 && v == 42, "int64 plain");
	CHECK(lw_parse_int64("101", 0, 100, &v) == -1 && v == 42, "int64 out of range untouched");
	CHECK(lw_parse_int64("", 0, 100, &v) == -1, "int64 empty");
	CHECK(lw_parse_int64(" 4", 0, 100, &v) == -1, "int64 leading space");
	CHECK(lw_parse_int64("4x", 0, 100, &v) == -1, "int64 junk");
	CHECK(lw_parse_int64("99999999999999999999", INT64_MIN, INT64_MAX, &v) == -1, "int64 overflow");

	CHECK(lw_parse_size("10MiB", &v) == 0 && v == 10485760, "10MiB");
	CHECK(lw_parse_size("10MB", &v) == 0 && v == 10485760, "10MB is pprof's 1024-based MB");
	CHECK(lw_parse_size("1.5KiB", &v) == 0 && v == 1536, "1.5KiB");
	CHECK(lw_parse_size("512", &v) == 0 && v == 512, "bare bytes");
	CHECK(lw_parse_size("512B", &v) == 0 && v == 512, "512B");
	CHECK(lw_parse_size("2GiB", &v) == 0 && v == 2147483648LL, "2GiB");
	CHECK(lw_parse_size("-1MiB", &v) == -1, "negative size rejected");
	CHECK(lw_parse_size("10XB", &v) == -1, "unknown unit rejected");
	CHECK(lw_parse_size("MiB", &v) == -1, "no number rejected");
	CHECK(lw_parse_size("1e3", &v) == -1, "exponent rejected");
	CHECK(lw_parse_size("99999999999GiB", &v) == -1, "overflowing size rejected");

	CHECK(lw_parse_duration("90s", &v) == 0 && v == 90000000000LL, "90s");
	CHECK(lw_parse_duration("2h", &v) == 0 && v == 7200000000000LL, "2h");
	CHECK(lw_parse_duration("1h30m", &v) == 0 && v == 5400000000000LL, "1h30m");
	CHECK(lw_parse_duration("500ms", &v) == 0 && v == 500000000LL, "500ms");
	CHECK(lw_parse_duration("1.5", &v) == 0 && v == 1500000000LL, "bare seconds");
	CHECK(lw_parse_duration("3d", &v) == 0 && v == 259200000000000LL, "3d");
	CHECK(lw_parse_duration("10x", &v) == -1, "bad unit");
	CHECK(lw_parse_duration("1h30", &v) == -1, "trailing number without unit");
	CHECK(lw_parse_duration("", &v) == -1, "empty duration");

	double r = 0;
	CHECK(lw_parse_rate_per_hour("10MiB/h", &r) == 0 && r == 10485760.0, "10MiB/h");
	CHECK(lw_parse_rate_per_hour("100/h", &r) == 0 && r == 100.0, "100/h");
	CHECK(lw_parse_rate_per_hour("1KiB/s", &r) == 0 && r == 1024.0 * 3600, "1KiB/s");
	CHECK(lw_parse_rate_per_hour("1KiB/week", &r) == -1, "bad rate unit");
	CHECK(lw_parse_rate_per_hour("1KiB", &r) == -1, "rate without unit");

	struct lw_threshold t;
	CHECK(lw_parse_threshold("5%", &t) == 0 && t.is_percent && t.value == 5.0, "5%");
	CHECK(lw_parse_threshold("2MiB", &t) == 0 && !t.is_percent && t.value == 2097152.0, "2MiB");
	CHECK(lw_parse_threshold("5%%", &t) == -1, "5%% rejected");
	CHECK(lw_parse_threshold("%", &t) == -1, "% rejected");
}

static char *slurp(const char *path)
{
	char *buf;
	size_t len;
	if (lw_read_all(path, 1 << 20, &buf, &len))
		return NULL;
	return buf;
}

static void test_json(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/out.json", dir);
	FILE *f = fopen(path, "w");
	struct lw_json j;
	lw_json_init(&j, f, 0);
	lw_json_begin_object(&j);
	lw_json_key(&j, "s");
	lw_json_string(&j, "a\"b\\c\n\x01\xff\xc3\xa9");
	lw_json_key(&j, "a");
	lw_json_begin_array(&j);
	lw_json_int(&j, -3);
	lw_json_double(&j, 1.0 / 0.0);
	lw_json_double(&j, 0.5);
	lw_json_bool(&j, true);
	lw_json_null(&j);
	lw_json_begin_object(&j);
	lw_json_end_object(&j);
	lw_json_end_array(&j);
	lw_json_end_object(&j);
	lw_json_finish(&j);
	fclose(f);
	char *got = slurp(path);
	CHECK_STR(got, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\",\"a\":[-3,null,0.5,true,null,{}]}\n",
		  "json escaping, non-finite and nesting");
	free(got);
}

static int rows_seen;
static char last_field[64];
static int csv_cb(void *ctx, char **fields, int n, long line, char *err, size_t errsz)
{
	rows_seen++;
	if (n >= 2)
		snprintf(last_field, sizeof last_field, "%s", fields[1]);
	return 0;
}

static void test_csv(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/out.csv", dir);
	FILE *f = fopen(path, "w");
	struct lw_csv_out c;
	lw_csv_init(&c, f);
	static const char *const hdr[] = {"name", "value", NULL};
	lw_csv_header(&c, hdr);
	lw_csv_str(&c, "main.(*T).M");
	lw_csv_int(&c, -12);
	lw_csv_end_row(&c);
	lw_csv_str(&c, "a,\"b\"");
	lw_csv_str(&c, "x\ny");
	lw_csv_end_row(&c);
	fclose(f);
	char *got = slurp(path);
	CHECK_STR(got, "name,value\nmain.(*T).M,-12\n\"a,\"\"b\"\"\",\"x\ny\"\n", "csv quoting");
	free(got);
	char err[256];
	rows_seen = 0;
	CHECK(lw_csv_read_file(path, csv_cb, NULL, err, sizeof err) == 0, "csv reads back");
	CHECK_EQ_I64(rows_seen, 3, "csv row count");
	CHECK_STR(last_field, "x\ny", "csv embedded newline survives");
	FILE *bad = fopen(path, "w");
	fputs("a,\"b\n", bad);
	fclose(bad);
	CHECK(lw_csv_read_file(path, csv_cb, NULL, err, sizeof err) == -1, "unterminated quote rejected");
	CHECK(strstr(err, "out.csv") != NULL, "csv error names the file");
}

static void test_atomic(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/final", dir);
	CHECK(lw_atomic_write(path, "hello", 5) == 0, "atomic write");
	char *got = slurp(path);
	CHECK_STR(got, "hello", "atomic content");
	free(got);
	struct lw_atomic a;
	CHECK(lw_atomic_open(&a, path) == 0, "atomic open");
	fputs("partial", a.f);
	lw_atomic_abort(&a);
	got = slurp(path);
	CHECK_STR(got, "hello", "abort leaves the old file");
	free(got);
	CHECK(lw_atomic_write("/nonexistent-dir/x", "x", 1) < 0, "missing dir fails");
	/* A full disk: /dev/full cannot be renamed over, but writes to a temp
	 * on a full filesystem are simulated by a directory we cannot write. */
	char ro[512];
	snprintf(ro, sizeof ro, "%s/ro", dir);
	mkdir(ro, 0500);
	snprintf(path, sizeof path, "%s/ro/x", dir);
	if (geteuid() != 0)
		CHECK(lw_atomic_write(path, "x", 1) < 0, "unwritable dir fails");
	size_t len;
	char *buf;
	snprintf(path, sizeof path, "%s/final", dir);
	CHECK(lw_read_all(path, 3, &buf, &len) == -EFBIG, "read_all enforces max");
	CHECK(lw_read_all(dir, 100, &buf, &len) == -EISDIR, "read_all refuses a directory");
}

int main(void)
{
	char dir[] = "/tmp/lw-unit-util.XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	test_parse();
	test_json(dir);
	test_csv(dir);
	test_atomic(dir);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done("test_util");
}
