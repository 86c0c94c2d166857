/*
 * bugsweep clean - neutralise the beacons of one message (bs_clean), as a
 * filter (stdin to stdout), from IN to OUT, or in place (-i FILE: a temp
 * file in the same directory, written, fsync'd and renamed over FILE with
 * FILE's mode).
 *
 * Nothing lost: once input has been read, something is always written:
 * the cleaned message, or the input unchanged but for an
 * "X-Bugsweep: skipped" header. Input larger than limits.message_bytes is
 * copied through as skipped, streaming what was not read yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mime/mime.h"
#include "util/alloc.h"

#define EX_TEMPFAIL 75

struct sink {
	int fd;
	int err; /* errno of the first failed write */
};

static int sink_write(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	while (n) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->err = w < 0 ? errno : EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read up to max bytes; *more tells whether the input goes on. */
static int read_all(int fd, size_t max, char **out, size_t *len, bool *more)
{
	size_t cap = 65536, n = 0;
	char *b = bs_malloc(cap + 1);

	*more = false;
	if (b == NULL)
		return BS_ENOMEM;
	for (;;) {
		ssize_t r;
		if (n == cap) {
			size_t nc = cap * 2;
			char *nb;
			if (cap > max) {
				*more = true;
				break;
			}
			nb = bs_realloc(b, nc + 1);
			if (nb == NULL) {
				bs_free(b);
				return BS_ENOMEM;
			}
			b = nb;
			cap = nc;
		}
		r = read(fd, b + n, (cap > max + 1 ? max + 1 : cap) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			bs_free(b);
			return BS_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			*more = true;
			break;
		}
	}
	*out = b;
	*len = n;
	return 0;
}

/* The rest of an oversized input, copied as it comes. */
static int copy_rest(int in, struct sink *s)
{
	char buf[65536];
	ssize_t r;

	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (sink_write(s, buf, (size_t)r))
			return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs(
	    "usage: bugsweep clean [OPTION]... [-i FILE | IN [OUT]]\n"
	    "\n"
	    "Remove what tracks the opening of one message; keep everything\n"
	    "else byte for byte. Reads stdin and writes stdout by default.\n"
	    "\n"
	    "  --policy P          trackers (default): remove pixels, strip "
	    "or\n"
	    "                      box tracked images; remote: no remote\n"
	    "                      content at all; proxy:TEMPLATE: as "
	    "trackers,\n"
	    "                      then every remote URL through TEMPLATE,\n"
	    "                      whose {url} becomes the encoded URL\n"
	    "  --links L           keep (default), strip-params, unwrap\n"
	    "  --banner            an inert notice atop the cleaned HTML\n"
	    "  -i, --in-place FILE rewrite FILE atomically\n"
	    "  --filter            exit 0 whenever a message was written (for\n"
	    "                      procmail, maildrop, Sieve, fetchmail); 75\n"
	    "                      when nothing could be written\n"
	    "  -r, --recipient A   the reader's address (default: from the\n"
	    "                      headers)\n"
	    "  --signatures FILE   also use this signature list\n"
	    "  --no-builtin-signatures  use only the lists given\n"
	    "  --psl FILE          use this Public Suffix List\n"
	    "  -h, --help          this help\n"
	    "\n"
	    "Exit status: 0 nothing removed, 1 something removed or "
	    "rewritten,\n"
	    "2 an error (the output, if any, is then the input unchanged but\n"
	    "for an X-Bugsweep: skipped header). With --filter: 0, or 75.\n",
	    f);
}

static int parse_policy(struct bs_clean_options *o, const char *a)
{
	if (strcmp(a, "trackers") == 0)
		o->policy = BS_POLICY_TRACKERS;
	else if (strcmp(a, "remote") == 0)
		o->policy = BS_POLICY_REMOTE;
	else if (strncmp(a, "proxy:", 6) == 0) {
		o->policy = BS_POLICY_PROXY;
		o->proxy_template = a + 6;
	} else
		return -1;
	return 0;
}

static int parse_links(struct bs_clean_options *o, const char *a)
{
	if (strcmp(a, "keep") == 0)
		o->links = BS_LINKS_KEEP;
	else if (strcmp(a, "strip-params") == 0)
		o->links = BS_LINKS_STRIP_PARAMS;
	else if (strcmp(a, "unwrap") == 0)
		o->links = BS_LINKS_UNWRAP;
	else
		return -1;
	return 0;
}

/* Write to a temp file beside path and rename it over path. */
static int write_in_place(const char *path, const struct stat *st,
                          const struct bs_clean *c)
{
	char tmp[4096], dcopy[4096], bcopy[4096];
	struct sink s = {-1, 0};
	int dfd, rc = -1;
	const char *dir, *base;

	snprintf(dcopy, sizeof(dcopy), "%s", path);
	snprintf(bcopy, sizeof(bcopy), "%s", path);
	dir = dirname(dcopy);
	base = basename(bcopy);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.bugsweep-XXXXXX", dir,
	                     base) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	s.fd = mkstemp(tmp);
	if (s.fd < 0)
		return -1;
	if (fchmod(s.fd, st->st_mode & 07777) != 0)
		goto out;
	/* keep the owner when we may (root cleaning a user's mail) */
	if (fchown(s.fd, st->st_uid, st->st_gid) != 0 && errno != EPERM)
		goto out;
	if (bs_clean_write(c, sink_write, &s) != 0) {
		errno = s.err;
		goto out;
	}
	if (fsync(s.fd) != 0)
		goto out;
	if (close(s.fd) != 0) {
		s.fd = -1;
		goto out;
	}
	s.fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	tmp[0] = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (s.fd >= 0)
		close(s.fd);
	if (rc && tmp[0]) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	return rc;
}

int cmd_clean(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"policy", required_argument, NULL, 'p'},
	    {"links", required_argument, NULL, 'l'},
	    {"banner", no_argument, NULL, 'b'},
	    {"in-place", required_argument, NULL, 'i'},
	    {"filter", no_argument, NULL, 'F'},
	    {"recipient", required_argument, NULL, 'r'},
	    {"signatures", required_argument, NULL, OPT_SIGNATURES},
	    {"no-builtin-signatures", no_argument, NULL, OPT_NO_BUILTIN},
	    {"psl", required_argument, NULL, OPT_PSL},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *prog = "bugsweep clean", *in_path = NULL, *out_path = NULL;
	const char *inplace = NULL;
	struct bs_clean_options co;
	struct engine_opts eo;
	struct bs_engine *engine = NULL;
	struct bs_clean *c = NULL;
	struct sink out = {STDOUT_FILENO, 0};
	struct stat st;
	char *msg = NULL;
	size_t len = 0;
	bool more = false, filter = false, wrote = false;
	int opt, in_fd = STDIN_FILENO, rc, status = EXIT_TROUBLE;

	memset(&co, 0, sizeof(co));
	memset(&eo, 0, sizeof(eo));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "p:l:i:r:h", longopts, NULL)) !=
	       -1) {
		if (engine_opt(&eo, opt, optarg) == 0)
			continue;
		switch (opt) {
		case 'p':
			if (parse_policy(&co, optarg))
				die_usage(prog, "unknown --policy '%s'",
				          optarg);
			break;
		case 'l':
			if (parse_links(&co, optarg))
				die_usage(prog, "unknown --links '%s'", optarg);
			break;
		case 'b':
			co.banner = true;
			break;
		case 'i':
			inplace = optarg;
			break;
		case 'F':
			filter = true;
			break;
		case 'r':
			co.recipient = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_NOTHING;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (inplace && optind < argc)
		die_usage(prog, "-i takes no other file");
	if (optind < argc)
		in_path = argv[optind++];
	if (optind < argc)
		out_path = argv[optind++];
	if (optind < argc)
		die_usage(prog, "too many arguments");
	if (co.policy == BS_POLICY_PROXY &&
	    !bs_clean_proxy_template_ok(co.proxy_template))
		die_usage(prog, "proxy template must be an http(s) URL with "
		                "one {url} and no quotes, blanks or "
		                "parentheses");
	if (inplace)
		in_path = inplace;
	if (in_path && strcmp(in_path, "-") != 0) {
		in_fd = open(in_path, O_RDONLY);
		if (in_fd < 0 || fstat(in_fd, &st) != 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, in_path,
			        strerror(errno));
			goto out;
		}
	}
	if (mime_global_init()) {
		fprintf(stderr, "%s: cannot initialise GMime\n", prog);
		goto out;
	}
	engine = engine_open(&eo, prog);
	if (engine == NULL)
		goto out;
	rc = read_all(in_fd, bs_engine_limits(engine)->message_bytes, &msg,
	              &len, &more);
	if (rc) {
		fprintf(stderr, "%s: reading %s: %s\n", prog,
		        in_path ? in_path : "stdin",
		        rc == BS_EIO ? strerror(errno) : bs_strerror(rc));
		goto out;
	}
	if (out_path && !inplace) {
		out.fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (out.fd < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, out_path,
			        strerror(errno));
			goto out;
		}
	}
	if (more) {
		/* too big to clean: through as it is, said so */
		if (inplace) {
			fprintf(stderr,
			        "%s: %s: larger than the message "
			        "limit, left as it is\n",
			        prog, inplace);
			goto out;
		}
		wrote = true;
		if (bs_clean_write_skipped(sink_write, &out, msg, len,
		                           "limit:message-bytes") ||
		    copy_rest(in_fd, &out))
			goto write_error;
		status = EXIT_TROUBLE;
		goto out;
	}
	rc = bs_clean(&c, engine, msg, len, &co);
	if (rc == BS_ENOMEM || c == NULL) {
		fprintf(stderr, "%s: out of memory: message left as it is\n",
		        prog);
		if (inplace)
			goto out;
		wrote = true;
		if (bs_clean_write_skipped(sink_write, &out, msg, len,
		                           "out-of-memory"))
			goto write_error;
		status = EXIT_TROUBLE;
		goto out;
	}
	if (bs_clean_skipped(c))
		fprintf(stderr, "%s: %s: left as it is (%s)\n", prog,
		        in_path ? in_path : "stdin", bs_clean_skipped(c));
	if (inplace) {
		if (bs_clean_size(c) != len || bs_clean_changed(c) ||
		    bs_clean_skipped(c)) {
			if (write_in_place(inplace, &st, c) != 0) {
				fprintf(stderr, "%s: %s: %s (left as it was)\n",
				        prog, inplace, strerror(errno));
				goto out;
			}
		}
	} else {
		wrote = true;
		if (bs_clean_write(c, sink_write, &out) != 0)
			goto write_error;
	}
	status = bs_clean_skipped(c)   ? EXIT_TROUBLE
	         : bs_clean_changed(c) ? EXIT_FOUND
	                               : EXIT_NOTHING;
	if (filter)
		status = EXIT_NOTHING;
	goto out;
write_error:
	fprintf(stderr, "%s: writing %s: %s\n", prog,
	        out_path ? out_path : "stdout", strerror(out.err));
	status = filter ? EX_TEMPFAIL : EXIT_TROUBLE;
	wrote = false;
out:
	if (status == EXIT_TROUBLE && filter && !wrote && !inplace)
		status = EX_TEMPFAIL;
	else if (status == EXIT_TROUBLE && filter && wrote)
		status = EXIT_NOTHING;
	if (out.fd != STDOUT_FILENO && out.fd >= 0 && close(out.fd) != 0 &&
	    status != EXIT_TROUBLE)
		status = filter ? EX_TEMPFAIL : EXIT_TROUBLE;
	if (in_fd != STDIN_FILENO && in_fd >= 0)
		close(in_fd);
	bs_clean_free(&c);
	bs_free(msg);
	bs_engine_free(&engine);
	return status;
}
