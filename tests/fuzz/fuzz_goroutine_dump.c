/* fuzz_goroutine_dump: lw_parse_goroutine_dump() on arbitrary bytes (see fuzz_text.h). */
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_text_one(lw_parse_goroutine_dump, data, size);
}
