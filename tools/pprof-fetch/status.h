/* status.h: the live status block on a terminal (one line per target:
 * snapshots stored and failed, what is being fetched or when the next
 * snapshot is due, the last error), and log lines that do not tear it.
 * Disabled (status_draw does nothing) when stderr is not a terminal.
 */
#ifndef PPROF_FETCH_STATUS_H
#define PPROF_FETCH_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"

void status_init(bool enabled, struct target *targets, size_t n);
/* Redraws the block if enabled (call about once a second or on change). */
void status_draw(int64_t now_mono);
/* "pprof-fetch: MESSAGE" on stderr, above the status block. */
void status_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Leaves the last block on screen and stops drawing. */
void status_finish(int64_t now_mono);

#endif
