/*
 * Allocation failure across a whole scan: make the Nth allocation fail,
 * for every N the scan of a realistic message makes, once and sticky. The
 * scan must return an error or a report, never crash, and leak nothing
 * (LeakSanitizer checks at exit in the ASan build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bugsweep/bugsweep.h"
#include "mime/mime.h"
#include "util/alloc.h"

static const char *msg_path;
static char *msg;
static size_t msg_len;

static int read_message(void)
{
	FILE *f = fopen(msg_path, "rb");
	long n;

	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	msg = bs_malloc((size_t)n);
	if (msg == NULL || fread(msg, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	msg_len = (size_t)n;
	fclose(f);
	return 0;
}

static void walk(int sticky)
{
	struct bs_engine_config cfg;
	struct bs_engine *e = NULL;
	struct bs_scan_options opt = {0};
	struct bs_report *r = NULL;
	unsigned long n, total;
	size_t reports = 0, errors = 0;

	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	assert_int_equal(bs_engine_new(&e, &cfg, NULL), 0);

	/* How many allocations does one scan make? */
	bs_alloc_fail_at(0, 0);
	assert_int_equal(bs_scan(&r, e, msg, msg_len, &opt), 0);
	total = bs_alloc_count();
	assert_true(bs_report_tracks_open(r));
	bs_report_free(&r);
	assert_true(total > 50);

	for (n = 1; n <= total + 1; n++) {
		int rc;
		bs_alloc_fail_at(n, sticky);
		rc = bs_scan(&r, e, msg, msg_len, &opt);
		bs_alloc_fail_at(0, 0);
		if (rc == 0) {
			assert_non_null(r);
			reports++;
			bs_report_free(&r);
		} else {
			assert_null(r);
			assert_int_equal(rc, BS_ENOMEM);
			errors++;
		}
	}
	print_message("FIGURE scan-alloc-failure%s: %lu allocations walked, "
	              "%zu reports, %zu errors\n",
	              sticky ? "-sticky" : "", total, reports, errors);
	bs_engine_free(&e);
}

static void fail_once(void **state)
{
	(void)state;
	walk(0);
}

static void fail_from_then_on(void **state)
{
	(void)state;
	walk(1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fail_once),
	    cmocka_unit_test(fail_from_then_on),
	};
	int rc;

	if (argc < 2)
		return 2;
	msg_path = argv[1];
	if (read_message() || mime_global_init())
		return 2;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	bs_free(msg);
	mime_global_shutdown();
	return rc;
}
