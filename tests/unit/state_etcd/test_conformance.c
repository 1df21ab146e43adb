/* test_conformance.c - the backend conformance suite run on the etcd:// backend against a real etcd */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../state/conformance.h"
#include "etcd_proc.h"

struct etcd_store {
	struct etcd_cluster *c;
	char url[400];
	int n;
};

/* Each test gets its own key prefix: an empty store. */
static int etcd_reset(void *ctx)
{
	struct etcd_store *s = ctx;

	s->n++;
	snprintf(s->url, sizeof(s->url), "etcd://%s/conformance/t%d",
		 s->c->endpoints, s->n);
	return 0;
}

static int etcd_open(ikc_backend **out, void *ctx)
{
	struct etcd_store *s = ctx;

	return ikc_backend_open(out, s->url, NULL);
}

int main(void)
{
	struct etcd_cluster cluster;
	struct etcd_store s = { &cluster, "", 0 };
	struct ikc_conformance c = { "state.etcd.conformance", etcd_reset,
				     etcd_open, &s };
	int failed;

	if (etcd_cluster_start(&cluster, 1) < 0) {
		fprintf(stderr, "cannot start etcd\n");
		return 1;
	}
	failed = ikc_conformance_run(&c);
	etcd_cluster_stop(&cluster);
	return failed;
}
