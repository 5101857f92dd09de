/* symbolize.c: libdw line tables and DW_TAG_inlined_subroutine scopes, the
 * way eu-addr2line -i walks them. */
#include <dwarf.h>
#include <elfutils/libdw.h>

#include "symbolize.h"

void ct_symbolizer_init(struct ct_symbolizer *s, struct ct_modules *mods)
{
	memset(s, 0, sizeof(*s));
	s->mods = mods;
}

static int add_frame(struct ct_sym *sym, int *cap, const char *func, const char *file,
		     int64_t line)
{
	if (sym->n == *cap) {
		int nc = *cap ? *cap * 2 : 4;
		struct ct_frame *nf = realloc(sym->frames, (size_t)nc * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		sym->frames = nf;
		*cap = nc;
	}
	char *f = strdup(func ? func : "");
	char *fl = strdup(file ? file : "");
	if (!f || !fl) {
		free(f);
		free(fl);
		return -ENOMEM;
	}
	sym->frames[sym->n].func = f;
	sym->frames[sym->n].file = fl;
	sym->frames[sym->n].line = line;
	sym->n++;
	return 0;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	/* C++/Rust: the linkage name is what symbols and pprof users expect. */
	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_diename(die);
	return name;
}

struct ct_cu_range {
	Dwarf_Addr lo, hi;
	Dwarf_Off cu_off;
};

static int cu_cmp(const void *a, const void *b)
{
	const struct ct_cu_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Address -> CU from every CU's own ranges. libdwfl's lookup trusts
 * .debug_aranges and lets each entry run up to the next: in a Go binary only
 * the C objects have aranges, so Go code would land in some C unit. */
static void build_cu_index(struct ct_module *cm, Dwarf *dw)
{
	Dwarf_Off off = 0, next;
	size_t hsize, cap = 0;

	cm->cus_built = 1;
	while (dwarf_next_unit(dw, off, &next, &hsize, NULL, NULL, NULL, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu)) {
			Dwarf_Addr base, lo, hi;
			ptrdiff_t it = 0;
			while ((it = dwarf_ranges(&cu, it, &base, &lo, &hi)) > 0) {
				if (cm->n_cus == cap) {
					size_t nc = cap ? cap * 2 : 256;
					struct ct_cu_range *nv = realloc(cm->cus, nc * sizeof(*nv));
					if (!nv)
						return;
					cm->cus = nv;
					cap = nc;
				}
				cm->cus[cm->n_cus++] = (struct ct_cu_range){ lo, hi, off + hsize };
			}
		}
		off = next;
	}
	if (cm->n_cus)
		qsort(cm->cus, cm->n_cus, sizeof(cm->cus[0]), cu_cmp);
}

static Dwarf_Die *find_cu(struct ct_module *cm, Dwarf_Addr addr, Dwarf_Addr *bias, Dwarf_Die *mem)
{
	Dwarf_Die *cu = dwfl_module_addrdie(cm->mod, addr, bias);
	Dwarf *dw;
	size_t lo = 0, hi;

	if (cu && dwarf_haspc(cu, addr - *bias) > 0)
		return cu;
	dw = dwfl_module_getdwarf(cm->mod, bias);
	if (!dw)
		return NULL;
	if (!cm->cus_built)
		build_cu_index(cm, dw);
	hi = cm->n_cus;
	addr -= *bias;
	while (lo < hi) { /* last range starting at or below addr */
		size_t mid = (lo + hi) / 2;
		if (cm->cus[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ranges of different CUs do not overlap; scan back a little for
	 * nested or unsorted ends */
	for (size_t i = lo; i-- > 0 && lo - i <= 8;)
		if (addr >= cm->cus[i].lo && addr < cm->cus[i].hi)
			return dwarf_offdie(dw, cm->cus[i].cu_off, mem);
	return NULL;
}

/* Go's symbol table names ABI wrappers "pkg.F.abi0"; pprof shows "pkg.F". */
static const char *go_name(const struct ct_module *cm, const char *name, char *buf, size_t sz)
{
	size_t n;

	if (!name || !cm->is_go)
		return name;
	n = strlen(name);
	if (n > 5 && !strcmp(name + n - 5, ".abi0"))
		n -= 5;
	else if (n > 12 && !strcmp(name + n - 12, ".abiinternal"))
		n -= 12;
	else
		return name;
	snprintf(buf, sz, "%.*s", (int)n, name);
	return buf;
}

/* Inline chain from DWARF scopes; 0 if it produced frames. */
static int dwarf_frames(struct ct_sym *sym, int *cap, struct ct_module *cm, uint64_t addr,
			const char *symname)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die cu_mem, *cudie = find_cu(cm, addr, &bias, &cu_mem);
	const char *file = NULL;
	int lineno = 0;
	Dwarf_Die *scopes = NULL;
	int nscopes, err = 0, found = 0;

	if (!cudie)
		return -1;
	Dwarf_Line *dl = dwarf_getsrc_die(cudie, addr - bias);
	if (dl) {
		file = dwarf_linesrc(dl, NULL, NULL);
		dwarf_lineno(dl, &lineno);
	}
	nscopes = dwarf_getscopes(cudie, addr - bias, &scopes);
	if (nscopes > 0) {
		/* dwarf_getscopes() continues an inlined instance with its
		 * abstract origin's scopes; the DIE's own parents are the
		 * functions it was inlined into (as eu-addr2line -i does). */
		Dwarf_Die inner;
		Dwarf_Addr b2;
		Dwarf *dw = dwfl_module_getdwarf(cm->mod, &b2);
		Dwarf_Off off = dwarf_dieoffset(&scopes[0]);
		free(scopes);
		scopes = NULL;
		nscopes = dw && dwarf_offdie(dw, off, &inner) ? dwarf_getscopes_die(&inner, &scopes) : 0;
	}
	Dwarf_Files *files = NULL;
	dwarf_getsrcfiles(cudie, &files, NULL);
	for (int i = 0; i < nscopes && !err; i++) {
		Dwarf_Die *sc = &scopes[i];
		int tag = dwarf_tag(sc);

		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		const char *name = die_name(sc);
		err = add_frame(sym, cap, name ? name : symname, file, lineno);
		found = 1;
		if (tag != DW_TAG_inlined_subroutine)
			break;
		/* The caller's position is the inlined call site. */
		Dwarf_Attribute attr;
		Dwarf_Word w;
		file = NULL;
		lineno = 0;
		if (files && dwarf_formudata(dwarf_attr(sc, DW_AT_call_file, &attr), &w) == 0)
			file = dwarf_filesrc(files, w, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(sc, DW_AT_call_line, &attr), &w) == 0)
			lineno = (int)w;
	}
	free(scopes);
	if (err)
		return err;
	if (!found) {
		if (!file)
			return -1;
		return add_frame(sym, cap, symname, file, lineno);
	}
	return 0;
}

const struct ct_sym *ct_symbolize(struct ct_symbolizer *s, uint64_t addr)
{
	uintptr_t v;
	struct ct_sym *sym;
	int cap = 0;

	if (ct_u64map_get(&s->cache, addr, &v))
		return (const struct ct_sym *)v;
	/* Address 0 (a return address of 1 in a broken frame chain) lies in
	 * no module, and 0 is the cache's empty key: an entry under it would
	 * never be found nor freed. */
	static const struct ct_sym none;
	if (!addr)
		return &none;
	sym = calloc(1, sizeof(*sym));
	if (!sym)
		return NULL;
	sym->module = ct_modules_find(s->mods, addr);
	if (!sym->module) {
		/* A library loaded since the last look at the maps? */
		ct_modules_refresh(s->mods);
		sym->module = ct_modules_find(s->mods, addr);
	}
	Dwfl_Module *mod = sym->module ? ct_module_dwfl(s->mods, sym->module) : NULL;
	if (mod) {
		GElf_Off off;
		GElf_Sym es;
		char buf[512];
		const char *symname = go_name(sym->module,
					      dwfl_module_addrinfo(mod, addr, &off, &es, NULL, NULL, NULL),
					      buf, sizeof(buf));

		if (dwarf_frames(sym, &cap, sym->module, addr, symname) == 0)
			sym->has_lines = 1;
		else if (symname && add_frame(sym, &cap, symname, "", 0)) {
			free(sym);
			return NULL;
		}
	}
	if (ct_u64map_put(&s->cache, addr, (uintptr_t)sym)) {
		free(sym);
		return NULL;
	}
	return sym;
}

void ct_symbolizer_reset(struct ct_symbolizer *s)
{
	ct_symbolizer_free(s);
}

void ct_symbolizer_free(struct ct_symbolizer *s)
{
	for (size_t i = 0; s->cache.keys && i <= s->cache.mask; i++) {
		if (!s->cache.keys[i])
			continue;
		struct ct_sym *sym = (struct ct_sym *)s->cache.vals[i];
		for (int j = 0; j < sym->n; j++) {
			free((char *)sym->frames[j].func);
			free((char *)sym->frames[j].file);
		}
		free(sym->frames);
		free(sym);
	}
	ct_u64map_free(&s->cache);
}
