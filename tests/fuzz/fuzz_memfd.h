/* fuzz_memfd.h: for fuzz targets whose parser takes a path, not bytes: the
 * input in an anonymous memory file, named by a /proc/self/fd path. */
#ifndef LW_FUZZ_MEMFD_H
#define LW_FUZZ_MEMFD_H

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* fd of a memfd holding p[0..n) with its path in path, or -1. */
static inline int fuzz_memfd(const char *name, const void *p, size_t n, char *path, size_t sz)
{
	int fd = memfd_create(name, 0);
	if (fd < 0)
		return -1;
	if (n && write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	snprintf(path, sz, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
