/* pprof_validate.c: wire-level checks protobuf-c does not make.
 *
 * lw_pprof_walk runs on every input before protobuf-c: a top-level walk that
 * finds concatenated profiles (a second time_nanos, as pprof's
 * errConcatProfile; protobuf-c would silently merge them) and truncation.
 * lw_pprof_explain runs only after protobuf-c refused an input, walking every
 * nested message of the schema to say why in one line. The id, reference
 * and string-index checks are made while converting (pprof_read.c).
 * lw_pb_next_field only frames the fields of one message (tag, length,
 * span) so that the reader can hand each Sample to protobuf-c on its own.
 */
#include "pprof_internal.h"

enum wk { /* what a field holds */
	F_UNKNOWN = 0,
	F_VARINT,
	F_BYTES,
	F_PACKABLE, /* repeated scalar: one varint, or packed varints */
	F_MSG,
};

enum msg_kind { M_PROFILE, M_VALUETYPE, M_SAMPLE, M_LABEL, M_MAPPING, M_LOCATION, M_LINE,
		M_FUNCTION, M_KINDS };

struct fdesc {
	unsigned char kind;
	unsigned char sub; /* enum msg_kind for F_MSG */
};

#define MAXF 16
static const struct {
	const char *name;
	struct fdesc f[MAXF];
} schema[M_KINDS] = {
	[M_PROFILE] = { "Profile",
			{ [1] = { F_MSG, M_VALUETYPE }, [2] = { F_MSG, M_SAMPLE },
			  [3] = { F_MSG, M_MAPPING }, [4] = { F_MSG, M_LOCATION },
			  [5] = { F_MSG, M_FUNCTION }, [6] = { F_BYTES, 0 },
			  [7] = { F_VARINT, 0 }, [8] = { F_VARINT, 0 }, [9] = { F_VARINT, 0 },
			  [10] = { F_VARINT, 0 }, [11] = { F_MSG, M_VALUETYPE },
			  [12] = { F_VARINT, 0 }, [13] = { F_PACKABLE, 0 },
			  [14] = { F_VARINT, 0 }, [15] = { F_VARINT, 0 } } },
	[M_VALUETYPE] = { "ValueType", { [1] = { F_VARINT, 0 }, [2] = { F_VARINT, 0 } } },
	[M_SAMPLE] = { "Sample",
		       { [1] = { F_PACKABLE, 0 }, [2] = { F_PACKABLE, 0 }, [3] = { F_MSG, M_LABEL } } },
	[M_LABEL] = { "Label",
		      { [1] = { F_VARINT, 0 }, [2] = { F_VARINT, 0 }, [3] = { F_VARINT, 0 },
			[4] = { F_VARINT, 0 } } },
	[M_MAPPING] = { "Mapping",
			{ [1] = { F_VARINT, 0 }, [2] = { F_VARINT, 0 }, [3] = { F_VARINT, 0 },
			  [4] = { F_VARINT, 0 }, [5] = { F_VARINT, 0 }, [6] = { F_VARINT, 0 },
			  [7] = { F_VARINT, 0 }, [8] = { F_VARINT, 0 }, [9] = { F_VARINT, 0 },
			  [10] = { F_VARINT, 0 } } },
	[M_LOCATION] = { "Location",
			 { [1] = { F_VARINT, 0 }, [2] = { F_VARINT, 0 }, [3] = { F_VARINT, 0 },
			   [4] = { F_MSG, M_LINE }, [5] = { F_VARINT, 0 } } },
	[M_LINE] = { "Line", { [1] = { F_VARINT, 0 }, [2] = { F_VARINT, 0 }, [3] = { F_VARINT, 0 } } },
	[M_FUNCTION] = { "Function",
			 { [1] = { F_VARINT, 0 }, [2] = { F_VARINT, 0 }, [3] = { F_VARINT, 0 },
			   [4] = { F_VARINT, 0 }, [5] = { F_VARINT, 0 } } },
};

enum { W_VARINT = 0, W_I64 = 1, W_LEN = 2, W_SGROUP = 3, W_EGROUP = 4, W_I32 = 5 };

struct walker {
	const uint8_t *p, *end;
	char *why;
	size_t whylen;
};

/* 0 ok, -1 truncated, -2 longer than 10 bytes. */
static int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	for (int i = 0; i < 10; i++) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		r |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*pp = p;
			*v = r;
			return 0;
		}
	}
	return -2;
}

static int wfail(struct walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int wfail(struct walker *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->why, w->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static int varint_fail(struct walker *w, int rc, const char *msg)
{
	if (rc == -1)
		return wfail(w, "truncated protobuf");
	return wfail(w, "malformed protobuf: bad varint in %s", msg);
}

static const char *wire_name(unsigned wt)
{
	static const char *const n[] = { "varint", "fixed64", "length-delimited", "start-group",
					 "end-group", "fixed32", "invalid (6)", "invalid (7)" };
	return n[wt & 7];
}

/* Walks one message of kind k over [p, end). deep: recurse into nested
 * messages and packed arrays. top: count time_nanos (Profile only). */
static int walk_msg(struct walker *w, const uint8_t *p, const uint8_t *end, int k, int deep,
		    int top)
{
	const char *mname = schema[k].name;
	int n_time = 0;
	while (p < end) {
		uint64_t tag, v;
		int rc = get_varint(&p, end, &tag);
		if (rc)
			return varint_fail(w, rc, mname);
		uint64_t field = tag >> 3;
		unsigned wt = (unsigned)(tag & 7);
		if (field == 0)
			return wfail(w, "malformed protobuf: field number 0 in %s", mname);
		if (field > 0x1fffffff)
			return wfail(w, "malformed protobuf: field number too large in %s", mname);
		struct fdesc fd = field < MAXF ? schema[k].f[field] : (struct fdesc){ 0, 0 };
		/* Wire type against the schema: pprof says "type mismatch". */
		int want_ok = 1;
		switch (fd.kind) {
		case F_VARINT: want_ok = wt == W_VARINT; break;
		case F_BYTES:
		case F_MSG: want_ok = wt == W_LEN; break;
		case F_PACKABLE: want_ok = wt == W_VARINT || wt == W_LEN; break;
		default: break;
		}
		if (!want_ok)
			return wfail(w, "malformed protobuf: %s field %llu has wire type %s", mname,
				     (unsigned long long)field, wire_name(wt));
		switch (wt) {
		case W_VARINT:
			rc = get_varint(&p, end, &v);
			if (rc)
				return varint_fail(w, rc, mname);
			if (top && field == 9 && ++n_time > 1)
				return wfail(w, "concatenated profiles detected");
			break;
		case W_I64:
			if (end - p < 8)
				return wfail(w, "truncated protobuf");
			p += 8;
			break;
		case W_I32:
			if (end - p < 4)
				return wfail(w, "truncated protobuf");
			p += 4;
			break;
		case W_LEN:
			rc = get_varint(&p, end, &v);
			if (rc)
				return varint_fail(w, rc, mname);
			if (v > (uint64_t)(end - p))
				return wfail(w, "truncated protobuf");
			if (deep && fd.kind == F_MSG &&
			    walk_msg(w, p, p + v, fd.sub, deep, 0))
				return -1;
			if (deep && fd.kind == F_PACKABLE) {
				const uint8_t *q = p, *qe = p + v;
				while (q < qe) {
					rc = get_varint(&q, qe, &tag);
					if (rc)
						return wfail(w, "malformed protobuf: bad packed array "
								"in %s field %llu",
							     mname, (unsigned long long)field);
				}
			}
			p += v;
			break;
		default:
			return wfail(w, "malformed protobuf: unsupported wire type %s in %s",
				     wire_name(wt), mname);
		}
	}
	return 0;
}

/* The first tag of a profile: a known Profile field with its wire type. */
static int starts_like_profile(const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t tag;
	if (get_varint(&p, buf + len, &tag))
		return 0;
	uint64_t field = tag >> 3;
	unsigned wt = (unsigned)(tag & 7);
	if (field == 0 || field >= MAXF)
		return 0;
	switch (schema[M_PROFILE].f[field].kind) {
	case F_VARINT: return wt == W_VARINT;
	case F_BYTES:
	case F_MSG: return wt == W_LEN;
	case F_PACKABLE: return wt == W_VARINT || wt == W_LEN;
	default: return 0;
	}
}

/* Text profiles start with printable ASCII ("heap profile: ...", whose 'h'
 * would pass for Profile field 13); protobuf has control bytes early
 * (tags and lengths below 0x20). */
static int looks_like_text(const uint8_t *buf, size_t len)
{
	size_t n = len < 256 ? len : 256;
	for (size_t i = 0; i < n; i++)
		if ((buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t' && buf[i] != '\r') ||
		    buf[i] == 0x7f)
			return 0;
	return 1;
}

int lw_pb_next_field(const uint8_t **pp, const uint8_t *end, struct lw_pb_field *f)
{
	const uint8_t *p = *pp;
	uint64_t tag, v;
	if (p >= end)
		return 0;
	f->start = p;
	if (get_varint(&p, end, &tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
		return -1;
	f->number = (uint32_t)(tag >> 3);
	f->wire_type = (unsigned)(tag & 7);
	switch (f->wire_type) {
	case W_VARINT:
		f->data = p;
		if (get_varint(&p, end, &v))
			return -1;
		break;
	case W_I64:
	case W_I32: {
		size_t n = f->wire_type == W_I64 ? 8 : 4;
		if ((size_t)(end - p) < n)
			return -1;
		f->data = p;
		p += n;
		break;
	}
	case W_LEN:
		if (get_varint(&p, end, &v) || v > (uint64_t)(end - p))
			return -1;
		f->data = p;
		p += v;
		break;
	default:
		return -1;
	}
	f->len = (size_t)(p - f->data);
	f->end = p;
	*pp = p;
	return 1;
}

int lw_pprof_walk(const uint8_t *buf, size_t len, char *why, size_t whylen, int *looks_proto)
{
	struct walker w = { buf, buf + len, why, whylen };
	why[0] = '\0';
	*looks_proto = starts_like_profile(buf, len) && !looks_like_text(buf, len);
	return walk_msg(&w, buf, buf + len, M_PROFILE, 0, 1);
}

void lw_pprof_explain(const uint8_t *buf, size_t len, char *why, size_t whylen)
{
	struct walker w = { buf, buf + len, why, whylen };
	why[0] = '\0';
	if (walk_msg(&w, buf, buf + len, M_PROFILE, 1, 1) == 0)
		snprintf(why, whylen, "malformed protobuf");
}
