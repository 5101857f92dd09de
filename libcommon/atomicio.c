/* atomicio.c: temp file + fsync + rename, and whole-file reads. */
#include "atomicio.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return NULL;
	char *d = strdup(dirname(copy));
	free(copy);
	return d;
}

int lw_atomic_open(struct lw_atomic *a, const char *path)
{
	memset(a, 0, sizeof *a);
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	const char *base = basename(copy);
	char *dir = dir_of(path);
	if (!dir) {
		free(copy);
		return -ENOMEM;
	}
	if (asprintf(&a->tmp_path, "%s/.%s.tmp.XXXXXX", dir, base) < 0) {
		a->tmp_path = NULL;
		free(copy);
		free(dir);
		return -ENOMEM;
	}
	free(copy);
	free(dir);
	a->final_path = strdup(path);
	if (!a->final_path) {
		free(a->tmp_path);
		return -ENOMEM;
	}
	int fd = mkostemp(a->tmp_path, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(a->tmp_path);
		free(a->final_path);
		memset(a, 0, sizeof *a);
		return -e;
	}
	/* mkostemp creates 0600; profiles are not secrets, keep umask rules. */
	mode_t um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	a->f = fdopen(fd, "wb");
	if (!a->f) {
		int e = errno;
		close(fd);
		unlink(a->tmp_path);
		free(a->tmp_path);
		free(a->final_path);
		memset(a, 0, sizeof *a);
		return -e;
	}
	return 0;
}

void lw_atomic_abort(struct lw_atomic *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp_path)
		unlink(a->tmp_path);
	free(a->tmp_path);
	free(a->final_path);
	memset(a, 0, sizeof *a);
}

int lw_atomic_commit(struct lw_atomic *a)
{
	int e = 0;
	if (fflush(a->f) != 0 || ferror(a->f))
		e = errno ? errno : EIO;
	if (!e && fsync(fileno(a->f)) != 0)
		e = errno;
	if (fclose(a->f) != 0 && !e)
		e = errno ? errno : EIO;
	a->f = NULL;
	if (!e && rename(a->tmp_path, a->final_path) != 0)
		e = errno;
	if (e) {
		unlink(a->tmp_path);
	} else {
		/* Make the rename itself durable. */
		char *dir = dir_of(a->final_path);
		if (dir) {
			int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				(void)fsync(dfd);
				close(dfd);
			}
			free(dir);
		}
	}
	free(a->tmp_path);
	free(a->final_path);
	memset(a, 0, sizeof *a);
	return -e;
}

int lw_atomic_write(const char *path, const void *buf, size_t len)
{
	struct lw_atomic a;
	int rc = lw_atomic_open(&a, path);
	if (rc)
		return rc;
	if (len && fwrite(buf, 1, len, a.f) != len) {
		int e = errno ? errno : EIO;
		lw_atomic_abort(&a);
		return -e;
	}
	return lw_atomic_commit(&a);
}

int lw_read_all(const char *path, size_t max, char **out, size_t *out_len)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return -errno;
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			fclose(f);
		return -EISDIR;
	}
	size_t cap = 65536, len = 0;
	if (!is_stdin && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	if (cap > max + 1)
		cap = max + 1;
	char *buf = malloc(cap + 1);
	if (!buf) {
		if (!is_stdin)
			fclose(f);
		return -ENOMEM;
	}
	int rc = 0;
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				rc = -EFBIG;
				break;
			}
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				rc = -(errno ? errno : EIO);
			break;
		}
	}
	if (!rc && len > max)
		rc = -EFBIG;
	if (!is_stdin)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}
