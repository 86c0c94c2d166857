/*
 * bugsweep/problems.h - what went wrong with a message, for the report.
 *
 * Malformed input and hit limits are not errors: a parser notes them here
 * and goes on. The scan report prints each problem as a short string such
 * as "limit:html-depth" or "mime:bad-base64". The list is bounded: after
 * BS_PROBLEMS_MAX distinct problems, further ones are counted but not
 * stored, and a repeated problem is stored once.
 */
#ifndef BUGSWEEP_PROBLEMS_H
#define BUGSWEEP_PROBLEMS_H

#include <stddef.h>

#define BS_PROBLEMS_MAX 32
#define BS_PROBLEM_LEN  64

struct bs_problems {
	size_t count;   /* stored problems */
	size_t dropped; /* problems not stored because the list was full */
	char item[BS_PROBLEMS_MAX][BS_PROBLEM_LEN];
};

void bs_problems_init(struct bs_problems *p);

/*
 * Record "kind:what" (e.g. kind "limit", what "html-depth"). Long strings
 * are truncated; duplicates are ignored.
 */
void bs_problems_add(struct bs_problems *p, const char *kind, const char *what);

/* Non-zero when "kind:what" was recorded. */
int bs_problems_has(const struct bs_problems *p, const char *kind,
                    const char *what);

#endif
