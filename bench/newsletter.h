/*
 * newsletter.h - a realistic marketing newsletter, generated in memory for
 * the HTML benchmark: nested layout tables, inline styles on most elements,
 * a <style> block with @media rules, Outlook conditional comments (an
 * OfficeDocumentSettings block, MSO-only styles, ghost tables and VML
 * buttons and backgrounds), about 30 images with width/height/alt, tracked
 * links and character references. Deterministic: the same bytes on every
 * run and machine.
 */
#ifndef BS_BENCH_NEWSLETTER_H
#define BS_BENCH_NEWSLETTER_H

#include <stddef.h>

/* A malloc'd, NUL-terminated document of about target bytes (at least
 * the fixed frame, ~12 KB); *len gets its length and *images the number of
 * <img> tags in it. NULL when out of memory. */
char *newsletter_make(size_t target, size_t *len, unsigned *images);

#endif
