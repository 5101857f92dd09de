/* fuzz_heap_text: lw_parse_heap_text() on arbitrary bytes (see fuzz_text.h). */
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_text_one(lw_parse_heap_text, data, size);
}
