/* native.h: the C part of trendprogs' cgo-leak scenario (see cgoleak.go). */
#ifndef TRENDPROGS_NATIVE_H
#define TRENDPROGS_NATIVE_H

#include <stddef.h>

void *thumb_render(size_t n);
unsigned long thumb_checksum(size_t n);

#endif
