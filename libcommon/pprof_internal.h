/* pprof_internal.h (private to profile.c, pprof_read.c, pprof_validate.c,
 * pprof_write.c): the arena, the id/pointer hash map, and the reader's
 * validation entry point. Nothing outside those files includes it.
 */
#ifndef LW_PPROF_INTERNAL_H
#define LW_PPROF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lwhash.h"
#include "pprof_io.h"
#include "profile.h"

/* Bump allocator: zeroed memory, freed all at once. */
struct lw_arena *lw_arena_new(void);
void lw_arena_free(struct lw_arena *a);
void *lw_arena_alloc(struct lw_arena *a, size_t size); /* zeroed; NULL on OOM */
/* Grows an array allocated from the arena (in place when it is the last
 * allocation), keeping its content; the tail is zeroed. NULL on OOM. */
/* Frees every chunk but the current one and empties it (re-zeroed), for a
 * scratch arena reused per message. */
void lw_arena_reset(struct lw_arena *a);
void *lw_arena_grow(struct lw_arena *a, void *ptr, size_t old_size, size_t new_size);

/* malloc for a big buffer written once from start to end (an inflated
 * profile): from 4 MiB on, aligned and advised for transparent huge pages,
 * which spares most of its page faults. Release with free(). */
void *lw_alloc_huge(size_t size);

/* Open-addressing map from non-zero uint64 keys (ids or pointers) to
 * uintptr_t values. */
struct lw_u64map {
	uint64_t *keys;
	uintptr_t *vals;
	size_t cap; /* power of two, or 0 */
	size_t n;
};
/* 0, or -ENOMEM. */
int lw_u64map_init(struct lw_u64map *m, size_t expected);
void lw_u64map_free(struct lw_u64map *m);
/* Inserts key (must be != 0). 1 if inserted, 0 if already present (*val_out
 * then holds the existing value when non-NULL), -ENOMEM. */
int lw_u64map_put(struct lw_u64map *m, uint64_t key, uintptr_t val);
/* 1 and *val if present, else 0. */
int lw_u64map_get(const struct lw_u64map *m, uint64_t key, uintptr_t *val);

uint64_t lw_hash_bytes(const void *s, size_t n);

/* The profile's interned "" (what every unset string field points to). */
const char *lw_profile_empty(const struct lw_profile *p);

/* Formats "'name': problem" into err (when non-NULL); returns NULL for
 * convenient "return lw_pprof_fail(...)". */
void *lw_pprof_fail(struct lw_error *err, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* pprof_validate.c: the checks protobuf-c does not do. */

/* Walks the top level of an uncompressed protobuf. Returns 0 when it is
 * well formed, else writes a problem ("truncated protobuf", "concatenated
 * profiles detected", ...) into why. Sets *looks_proto when the input
 * starts like a profile (a known field with its wire type). */
int lw_pprof_walk(const uint8_t *buf, size_t len, char *why, size_t whylen, int *looks_proto);
/* One field of a protobuf message, as framed on the wire (no decoding:
 * protobuf-c decodes; this only finds where a field starts and ends). */
struct lw_pb_field {
	uint32_t number;
	unsigned wire_type;
	const uint8_t *start; /* first byte of the tag */
	const uint8_t *data;  /* the payload (length-delimited: after the length) */
	size_t len;           /* payload bytes */
	const uint8_t *end;   /* one past the field */
};
/* Frames the field at *pp (< end) and advances *pp past it: 1, or 0 at end,
 * or -1 when the bytes are not a well-formed field. */
int lw_pb_next_field(const uint8_t **pp, const uint8_t *end, struct lw_pb_field *f);

/* Deep structural walk (every nested message of the schema) to explain why
 * protobuf-c refused the input. Writes a problem into why; always fills it. */
void lw_pprof_explain(const uint8_t *buf, size_t len, char *why, size_t whylen);

#endif
