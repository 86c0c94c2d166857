/* bugsweep - command dispatch. Each command lives in its own file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
    {"scan", cmd_scan, "find and explain the beacons in mail"},
    {"clean", cmd_clean, "remove what tracks the opening of a message"},
};

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: bugsweep COMMAND [OPTION]... [ARG]...\n\ncommands:\n", f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].what);
	fputs("  version    print the version\n"
	      "\n'bugsweep COMMAND --help' and the manual pages "
	      "bugsweep-COMMAND(1) say more.\n",
	      f);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("bugsweep %s\n", BUGSWEEP_VERSION);
		return EXIT_NOTHING;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_NOTHING;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "bugsweep: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_TROUBLE;
}
