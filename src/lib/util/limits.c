#include "bugsweep/limits.h"

#include <string.h>

/*
 * The defaults are explained one by one in docs/LIMITS.md. They are set so
 * that real mail (the largest newsletters seen are ~1 MB of HTML, nesting
 * rarely passes 60) never meets them, while an attack stays linear and
 * within a few hundred MB.
 */
static const struct bs_limits defaults = {
    .message_bytes = 64u << 20,
    .mime_depth = 32,
    .mime_parts = 10000,
    .headers = 10000,
    .header_bytes = 1u << 20,
    .mailbox_depth = 64,

    .html_bytes = 32u << 20,
    .html_depth = 512,
    .html_elements = 1000000,
    .html_attrs = 256,
    .html_attr_bytes = 1u << 20,
    .html_token_bytes = 4u << 20,
    .html_formatting = 64,
    .html_cond_depth = 8,

    .css_bytes = 8u << 20,
    .css_rules = 100000,
    .css_depth = 64,
    .css_selectors = 200000,
    .css_declarations = 500000,
    .css_match_steps = 20000000,

    .url_bytes = 64u << 10,
    .srcset_candidates = 256,
    .url_tokens = 1024,

    .references = 100000,
};

void bs_limits_default(struct bs_limits *out)
{
	*out = defaults;
}

#define FILL(f)                                                                \
	do {                                                                   \
		if (lim->f == 0)                                               \
			lim->f = defaults.f;                                   \
	} while (0)

void bs_limits_normalise(struct bs_limits *lim)
{
	FILL(message_bytes);
	FILL(mime_depth);
	FILL(mime_parts);
	FILL(headers);
	FILL(header_bytes);
	FILL(mailbox_depth);
	FILL(html_bytes);
	FILL(html_depth);
	FILL(html_elements);
	FILL(html_attrs);
	FILL(html_attr_bytes);
	FILL(html_token_bytes);
	FILL(html_formatting);
	FILL(html_cond_depth);
	FILL(css_bytes);
	FILL(css_rules);
	FILL(css_depth);
	FILL(css_selectors);
	FILL(css_declarations);
	FILL(css_match_steps);
	FILL(url_bytes);
	FILL(srcset_candidates);
	FILL(url_tokens);
	FILL(references);
}
