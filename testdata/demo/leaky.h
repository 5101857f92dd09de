/* leaky.h: the C side of the demo service (see leaky.c). */
#ifndef DEMO_LEAKY_H
#define DEMO_LEAKY_H

#include <stddef.h>

void *leaky_c_alloc(size_t n);
void c_register_name(const char *name);
unsigned long c_balanced_work(size_t n);
unsigned long long c_leaked_bytes(void);
unsigned long long c_leaked_allocs(void);
long long c_heap_inuse(void);

#endif
