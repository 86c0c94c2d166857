#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int engine_opt(struct engine_opts *o, int code, const char *arg)
{
	switch (code) {
	case OPT_SIGNATURES:
		if (o->nsignature_files ==
		    sizeof(o->signature_files) / sizeof(o->signature_files[0]))
			die_usage("bugsweep", "too many --signatures files");
		o->signature_files[o->nsignature_files++] = arg;
		return 0;
	case OPT_NO_BUILTIN:
		o->no_builtin_signatures = true;
		return 0;
	case OPT_PSL:
		o->psl_file = arg;
		return 0;
	}
	return -1;
}

struct bs_engine *engine_open(const struct engine_opts *o, const char *prog)
{
	struct bs_engine_config cfg;
	struct bs_engine *e = NULL;
	char err[BS_ERRMSG_LEN] = "";
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	cfg.signature_files = o->signature_files;
	cfg.nsignature_files = o->nsignature_files;
	cfg.no_builtin_signatures = o->no_builtin_signatures;
	cfg.psl_file = o->psl_file;
	rc = bs_engine_new(&e, &cfg, err);
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog,
		        err[0] ? err : bs_strerror(rc));
		return NULL;
	}
	return e;
}

void term_init(struct term *t, int color_opt, int progress_opt)
{
	const char *nc = getenv("NO_COLOR");
	bool out_tty = isatty(STDOUT_FILENO);

	t->stderr_tty = isatty(STDERR_FILENO);
	if (color_opt >= 0)
		t->color = color_opt;
	else
		t->color =
		    out_tty && !(nc && *nc) &&
		    !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
	t->progress = progress_opt >= 0 ? progress_opt : t->stderr_tty;
}

const char *term_sgr(const struct term *t, const char *code)
{
	return t->color ? code : "";
}

void die_usage(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	exit(EXIT_TROUBLE);
}
