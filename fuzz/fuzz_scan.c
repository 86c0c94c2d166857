/*
 * fuzz_scan.c - a whole message through bs_scan (MIME, HTML, CSS, URLs,
 * judgement) with one engine made once, as a front end shares it.
 *
 * Input: the message. Every string of the report is read, so that a
 * pointer into freed memory shows up under ASan.
 */
#include <stdint.h>
#include <string.h>

#include "bugsweep/bugsweep.h"
#include "fuzz.h"

static void touch(const char *s)
{
	if (s != NULL)
		(void)strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bs_engine *engine;
	struct bs_report *r = NULL;
	size_t i, j, n;

	if (engine == NULL) {
		struct bs_engine_config cfg;
		char err[BS_ERRMSG_LEN];

		memset(&cfg, 0, sizeof(cfg));
		if (bs_engine_new(&engine, &cfg, err) != 0) {
			fprintf(stderr, "engine: %s\n", err);
			abort();
		}
	}
	if (bs_scan(&r, engine, (const char *)data, size, NULL) != 0) {
		FUZZ_CHECK(r == NULL);
		return 0;
	}
	FUZZ_CHECK(r != NULL);
	touch(bs_report_message_id(r));
	touch(bs_report_date(r));
	touch(bs_report_from(r));
	touch(bs_report_subject(r));
	n = bs_report_to_count(r);
	for (i = 0; i < n; i++)
		touch(bs_report_to(r, i));
	(void)bs_report_tracks_open(r);
	n = bs_report_beacon_count(r);
	for (i = 0; i < n; i++) {
		const struct bs_beacon *b = bs_report_beacon(r, i);
		const char *names[5];

		FUZZ_CHECK(b != NULL && b->url != NULL);
		touch(b->url);
		touch(b->request);
		touch(b->vector);
		touch(b->vendor);
		touch(b->host);
		touch(b->site);
		touch(b->recipient_leak);
		touch(bs_label_name(b->label));
		FUZZ_CHECK(b->nreasons <= BS_MAX_REASONS);
		for (j = 0; j < b->nreasons; j++)
			touch(b->reasons[j]);
		FUZZ_CHECK(bs_learn_names(b->learns, names) <= 5);
	}
	FUZZ_CHECK(bs_report_links_tracked(r) <= bs_report_links_total(r));
	n = bs_report_receipt_count(r);
	for (i = 0; i < n; i++)
		touch(bs_report_receipt(r, i));
	FUZZ_CHECK(bs_report_problems(r) != NULL);
	bs_report_free(&r);
	FUZZ_CHECK(r == NULL);
	return 0;
}
