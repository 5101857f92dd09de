/* gzip.c: one-shot gzip compression (gzip.h). */
#include "gzip.h"

#include <limits.h>
#include <zlib.h>

int lw_gzip(const void *in, size_t len, int level, uint8_t **out, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* avail_in and avail_out are uInt: one deflate call must see it all */
	if (len > UINT_MAX / 2)
		return -EFBIG;
	if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	size_t cap = deflateBound(&z, (uLong)len) + 64;
	uint8_t *buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*out_len = n;
	return 0;
}
