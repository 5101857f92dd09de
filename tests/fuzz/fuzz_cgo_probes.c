/* fuzz_cgo_probes: cgo-trace's probe planner (tools/cgo-trace/probes.c) on
 * arbitrary "ELF" files through a memfd: libelf's reading of the symbol
 * tables and program headers, the symbol -> file offset mapping and the
 * decoder that picks the instruction to probe (endbr64, free's NULL test,
 * emulated push/jmp/call/nop). Contract: 0 with every found probe inside
 * the 32 bytes read at its symbol, or -1 with a message.
 * Seeds: byte 0 then a shared object from a few lines of assembly
 * (`as` + `ld -shared -z noseparate-code`): malloc with endbr64; push, free
 * with test %rdi,%rdi; je; push, je_ aliases, an ifunc free.
 */

#include "../../tools/cgo-trace/probes.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_probe_set set;
	char path[64], err[512];
	if (size < 1 || size > 1 << 16)
		return 0;
	int fd = fuzz_memfd("elf", data + 1, size - 1, path, sizeof(path));
	if (fd < 0)
		return 0;
	err[0] = '\0';
	/* byte 0: with mmap/munmap, a "je_" prefix */
	int rc = ct_probes_plan(&set, path, data[0] & 2 ? "je_" : NULL, data[0] & 1, 0, err,
				sizeof(err));
	if (rc == 0) {
		for (int i = 0; i < set.n; i++) {
			const struct ct_probe *p = &set.p[i];
			if (p->found && (p->probe_off < p->sym_off || p->probe_off - p->sym_off >= 32))
				abort();
			if (!p->found && (p->emulated || p->duplicate))
				abort();
		}
	} else if (!err[0] || strchr(err, '\n')) {
		abort();
	}
	close(fd);
	return 0;
}
