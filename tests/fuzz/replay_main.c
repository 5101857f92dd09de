/* replay_main.c: runs a libFuzzer target over every file of a corpus
 * directory without libFuzzer (zstd's regression_driver), so make check
 * replays the corpus with any compiler and under the sanitizers. */
#include <dirent.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	const char *results = getenv("LW_RESULTS");
	int files = 0;
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		printf("not ok - corpus '%s' missing\n", argv[1]);
		if (results) {
			FILE *f = fopen(results, "a");
			if (f) { fprintf(f, "0 1 0\n"); fclose(f); }
		}
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		struct stat st;
		if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
			fclose(f);
			continue;
		}
		size_t n = (size_t)st.st_size;
		uint8_t *buf = malloc(n ? n : 1);
		if (!buf || fread(buf, 1, n, f) != n) {
			fclose(f);
			free(buf);
			continue;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
		files++;
	}
	closedir(d);
	/* An empty corpus would make this a test that cannot fail. */
	if (files == 0) {
		printf("not ok - corpus '%s' is empty\n", argv[1]);
		if (results) {
			FILE *f = fopen(results, "a");
			if (f) { fprintf(f, "0 1 0\n"); fclose(f); }
		}
		return 1;
	}
	/* Reaching here means no input crashed (sanitizers abort otherwise). */
	printf("ok - replayed %d inputs from %s\n", files, argv[1]);
	if (results) {
		FILE *f = fopen(results, "a");
		if (f) { fprintf(f, "1 0 0\n"); fclose(f); }
	}
	return 0;
}
