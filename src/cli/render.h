/*
 * render.h - a report as JSON Lines (the contract of DESIGN.md) or as text
 * for people.
 */
#ifndef BS_CLI_RENDER_H
#define BS_CLI_RENDER_H

#include <stdbool.h>

#include "bugsweep/bugsweep.h"
#include "cli.h"
#include "util/buf.h"

/* One JSON object, one line, "\n" included. source is the input's name.
 * For an input that could not be scanned, r is NULL and problem says why. */
int render_json(struct bs_buf *out, const char *source,
                const struct bs_report *r, const char *problem);

/* The human view of one message. verbose also lists content beacons. */
int render_text(struct bs_buf *out, const struct term *t, const char *source,
                const struct bs_report *r, const char *problem, bool verbose);

/* Plain words for a reason code ("vendor-open" -> "a known open-tracking
 * endpoint"); the code itself when unknown. */
const char *reason_words(const char *code);

#endif
