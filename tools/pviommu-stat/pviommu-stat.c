// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu-stat: what pviommu does for each VMM, like vmstat: one line per
 * context (per guest vIOMMU), every interval, with the rates of the last
 * interval (the first report: since the context was opened) and the
 * current mappings, pinned pages, shadows, devices and queued faults.
 *
 * Usage: pviommu-stat [-i seconds] [-n reports] [-d debugfs directory]
 * Reads /sys/kernel/debug/pviommu/<pid>-<n>/{owner,stats}: run as root.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CTX		256

static const char * const rate_keys[] = {
	"maps", "unmaps", "syncs", "walks", "faults",
};

static const char * const level_keys[] = {
	"mappings", "pinned_pages", "shadows", "devices", "fault_queue",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_RATES	ARRAY_SIZE(rate_keys)
#define NR_LEVELS	ARRAY_SIZE(level_keys)

struct ctx {
	char name[64];
	char comm[64];
	int pid;
	unsigned long long rate[NR_RATES];
	unsigned long long level[NR_LEVELS];
	int seen;
};

static struct ctx prev[MAX_CTX];
static int nr_prev;

static int read_ctx(const char *dir, const char *name, struct ctx *c)
{
	char path[512], key[64];
	unsigned long long val;
	unsigned int i;
	FILE *f;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s/owner", dir, name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "pid %d comm %63s", &c->pid, c->comm) != 2) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s/stats", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %llu", key, &val) == 2) {
		for (i = 0; i < NR_RATES; i++)
			if (!strcmp(key, rate_keys[i]))
				c->rate[i] = val;
		for (i = 0; i < NR_LEVELS; i++)
			if (!strcmp(key, level_keys[i]))
				c->level[i] = val;
	}
	fclose(f);
	return 0;
}

static struct ctx *find_prev(const char *name)
{
	int i;

	for (i = 0; i < nr_prev; i++)
		if (!strcmp(prev[i].name, name))
			return &prev[i];
	return NULL;
}

/* One report; returns how many contexts it showed, or -1. */
static int report(const char *dir, double interval)
{
	static struct ctx cur[MAX_CTX];
	struct dirent *de;
	unsigned int i;
	int n = 0, k;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "pviommu-stat: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) && n < MAX_CTX) {
		if (!strchr(de->d_name, '-') || de->d_name[0] == '.')
			continue;
		if (!read_ctx(dir, de->d_name, &cur[n]))
			n++;
	}
	closedir(d);

	printf("%-10s %7s %-15s", "context", "pid", "comm");
	for (i = 0; i < NR_RATES; i++)
		printf(" %9s/s", rate_keys[i]);
	for (i = 0; i < NR_LEVELS; i++)
		printf(" %12s", level_keys[i]);
	printf("\n");
	for (k = 0; k < n; k++) {
		struct ctx *p = find_prev(cur[k].name);

		printf("%-10s %7d %-15s", cur[k].name, cur[k].pid,
		       cur[k].comm);
		for (i = 0; i < NR_RATES; i++) {
			unsigned long long d = cur[k].rate[i] -
					       (p ? p->rate[i] : 0);

			printf(" %11.0f", p ? d / interval : (double)d);
		}
		for (i = 0; i < NR_LEVELS; i++)
			printf(" %12llu", cur[k].level[i]);
		printf("\n");
	}
	memcpy(prev, cur, sizeof(cur[0]) * n);
	nr_prev = n;
	fflush(stdout);
	return n;
}

int main(int argc, char **argv)
{
	const char *dir = "/sys/kernel/debug/pviommu";
	double interval = 1;
	long count = -1;
	int opt;

	while ((opt = getopt(argc, argv, "i:n:d:")) != -1) {
		switch (opt) {
		case 'i':
			interval = atof(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-i seconds] [-n reports] [-d dir]\n",
				argv[0]);
			return 2;
		}
	}
	if (interval <= 0) {
		fprintf(stderr, "pviommu-stat: the interval must be positive\n");
		return 2;
	}
	while (count < 0 || count-- > 0) {
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
		};

		if (report(dir, interval) < 0)
			return 1;
		if (count)
			nanosleep(&ts, NULL);
	}
	return 0;
}
