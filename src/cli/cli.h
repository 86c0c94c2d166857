/*
 * cli.h - what the commands share: engine options, terminal output.
 *
 * The commands turn the library's reports into exit statuses and output;
 * the library itself never sees argv or exit codes.
 */
#ifndef BS_CLI_H
#define BS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "bugsweep/bugsweep.h"

/* Exit statuses shared by scan and clean (DESIGN.md contracts). */
enum {
	EXIT_NOTHING = 0, /* nothing tracks / nothing removed */
	EXIT_FOUND = 1,   /* something tracks / something removed */
	EXIT_TROUBLE = 2, /* an error */
};

int cmd_scan(int argc, char **argv);
int cmd_clean(int argc, char **argv);

/* Options every command that judges mail takes. */
struct engine_opts {
	const char *signature_files[16];
	size_t nsignature_files;
	bool no_builtin_signatures;
	const char *psl_file;
};

/* getopt_long codes of the shared options. */
enum {
	OPT_SIGNATURES = 1000,
	OPT_NO_BUILTIN,
	OPT_PSL,
	OPT_COLOR,
	OPT_NO_COLOR,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT__NEXT,
};

/* Handle a shared option; 0 when handled, -1 when code is not one. */
int engine_opt(struct engine_opts *o, int code, const char *arg);
/* Create the engine, or print why not and return NULL. */
struct bs_engine *engine_open(const struct engine_opts *o, const char *prog);

/* Terminal output: colour only on a TTY (or --color), never in JSON. */
struct term {
	bool color;
	bool progress;
	bool stderr_tty;
};
void term_init(struct term *t, int color_opt /* -1 auto, 0, 1 */,
               int progress_opt);
const char *term_sgr(const struct term *t, const char *code);

void die_usage(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
