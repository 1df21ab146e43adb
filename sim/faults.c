/* faults.c - ikc-sim fault injection: rule grammar, deterministic draws, matching */

/*
 * Grammar (for --faults and POST /_sim/faults {"spec": "..."}):
 *
 *   SPEC  := RULE ( "," RULE )*
 *   RULE  := KIND ( ":" PARAM )*
 *   KIND  := an HTTP status 400..599 (e.g. 500, 503, 429)
 *          | "drop"     close the connection without answering
 *          | "slow"     delay the answer by ms= milliseconds (default 500)
 *          | "opfail"   the next matching GKE operation ends in error
 *   PARAM := "rate=" F          fire with probability F (0..1) per matching call
 *          | "nth=" N           fire on the Nth matching call only (1-based)
 *          | "times=" N         fire at most N times in all
 *          | "retry-after=" S   with 429/503: send Retry-After: S
 *          | "ms=" N            with slow: the delay
 *          | "route=" PATTERN   only calls whose "METHOD /path" matches PATTERN;
 *                               must come last (it takes the rest of the rule,
 *                               so it may hold ':'); '*' matches anything and a
 *                               pattern without '*' matches as a prefix.
 *
 * A rule with neither rate= nor nth= fires on every matching call.  Draws use
 * a private splitmix64 generator seeded by --seed, so one sequence of calls
 * meets the same faults on every run.  Faults never touch /_sim/.  For opfail
 * the route is that of the mutating call (e.g. "POST /v1/projects/p/locations/
 * l/clusters").  Examples:
 *   503:rate=0.1,429:rate=0.05:retry-after=1,drop:nth=3,slow:rate=0.1:ms=500
 *   opfail:nth=2:route=POST /v1/projects/p/locations/l/clusters/c/nodePools
 */
#include "sim/faults.h"

#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "util/str.h"

#define KIND_OPFAIL 100

struct rule {
	int kind;           /* sim_fault_kind or KIND_OPFAIL */
	int status;
	double rate;        /* < 0: not a rate rule */
	long nth;           /* 0: not an nth rule */
	long times;         /* 0: unlimited */
	int retry_after;
	int ms;
	char *route;        /* NULL: every route; else an fnmatch pattern */
	char *text;         /* the rule as given */
	long seen;          /* matching calls */
	long fired;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct rule *g_rules;
static size_t g_count;
static uint64_t g_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_u64(void)
{
	uint64_t z;

	g_state += 0x9e3779b97f4a7c15ULL;
	z = g_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_faults_seed(uint64_t seed)
{
	pthread_mutex_lock(&g_mu);
	g_state = seed;
	pthread_mutex_unlock(&g_mu);
}

static void rule_dispose(struct rule *r)
{
	free(r->route);
	free(r->text);
}

void sim_faults_clear(void)
{
	size_t i;

	pthread_mutex_lock(&g_mu);
	for (i = 0; i < g_count; i++)
		rule_dispose(&g_rules[i]);
	free(g_rules);
	g_rules = NULL;
	g_count = 0;
	pthread_mutex_unlock(&g_mu);
}

static int parse_long(long *out, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Parses one rule from text (not NUL-terminated at `len`). */
static int parse_rule(struct rule *r, const char *text, size_t len)
{
	char *copy = NULL, *p, *colon;
	long v;
	int error = IKC_EINVALID;

	memset(r, 0, sizeof(*r));
	r->rate = -1;
	r->ms = 500;
	copy = malloc(len + 1);
	if (!copy)
		return ikc_error_oom();
	memcpy(copy, text, len);
	copy[len] = '\0';
	r->text = strdup(copy);
	if (!r->text) {
		free(copy);
		return ikc_error_oom();
	}
	p = copy;
	colon = strchr(p, ':');
	if (colon)
		*colon = '\0';
	if (strcmp(p, "drop") == 0)
		r->kind = SIM_FAULT_DROP;
	else if (strcmp(p, "slow") == 0)
		r->kind = SIM_FAULT_SLOW;
	else if (strcmp(p, "opfail") == 0)
		r->kind = KIND_OPFAIL;
	else if (parse_long(&v, p, 400, 599) == 0) {
		r->kind = SIM_FAULT_STATUS;
		r->status = (int)v;
	} else {
		ikc_error_set_code(IKC_EINVALID, IKC_ERR_SIM,
				   "fault rule '%s': unknown kind '%s'", r->text, p);
		goto done;
	}
	p = colon ? colon + 1 : NULL;
	while (p) {
		char *val;

		if (ikc_str_startswith(p, "route=")) {
			r->route = strchr(p, '*') ? strdup(p + 6)
						  : ikc_asprintf("%s*", p + 6);
			if (!r->route) {
				error = ikc_error_oom();
				goto done;
			}
			break;
		}
		colon = strchr(p, ':');
		if (colon)
			*colon = '\0';
		val = strchr(p, '=');
		if (!val) {
			ikc_error_set_code(IKC_EINVALID, IKC_ERR_SIM,
					   "fault rule '%s': '%s' is not NAME=VALUE",
					   r->text, p);
			goto done;
		}
		*val++ = '\0';
		if (strcmp(p, "rate") == 0) {
			char *end;

			errno = 0;
			r->rate = strtod(val, &end);
			if (errno || end == val || *end || r->rate < 0 ||
			    r->rate > 1)
				goto badval;
		} else if (strcmp(p, "nth") == 0) {
			if (parse_long(&r->nth, val, 1, 1000000000))
				goto badval;
		} else if (strcmp(p, "times") == 0) {
			if (parse_long(&r->times, val, 1, 1000000000))
				goto badval;
		} else if (strcmp(p, "retry-after") == 0) {
			if (parse_long(&v, val, 0, 86400))
				goto badval;
			r->retry_after = (int)v;
		} else if (strcmp(p, "ms") == 0) {
			if (parse_long(&v, val, 0, 600000))
				goto badval;
			r->ms = (int)v;
		} else {
			ikc_error_set_code(IKC_EINVALID, IKC_ERR_SIM,
					   "fault rule '%s': unknown parameter '%s'",
					   r->text, p);
			goto done;
		}
		p = colon ? colon + 1 : NULL;
	}
	error = 0;
	goto done;
badval:
	ikc_error_set_code(IKC_EINVALID, IKC_ERR_SIM,
			   "fault rule '%s': bad value for '%s'", r->text, p);
done:
	free(copy);
	if (error < 0)
		rule_dispose(r);
	return error;
}

int sim_faults_add(const char *spec)
{
	struct rule *rules = NULL, *grown;
	size_t n = 0, i;
	const char *p = spec;
	int error = 0;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		/* A route pattern may not hold ','; a rule ends at the next one. */
		while (len > 0 && p[0] == ' ') {
			p++;
			len--;
		}
		if (len > 0) {
			grown = realloc(rules, (n + 1) * sizeof(*rules));
			if (!grown) {
				error = ikc_error_oom();
				goto done;
			}
			rules = grown;
			error = parse_rule(&rules[n], p, len);
			if (error < 0)
				goto done;
			n++;
		}
		p = end ? end + 1 : NULL;
	}
	pthread_mutex_lock(&g_mu);
	grown = realloc(g_rules, (g_count + n + 1) * sizeof(*g_rules));
	if (!grown) {
		pthread_mutex_unlock(&g_mu);
		error = ikc_error_oom();
		goto done;
	}
	g_rules = grown;
	memcpy(g_rules + g_count, rules, n * sizeof(*rules));
	g_count += n;
	pthread_mutex_unlock(&g_mu);
	n = 0;
done:
	for (i = 0; i < n; i++)
		rule_dispose(&rules[i]);
	free(rules);
	return error;
}

/* Under g_mu: 1 if rule r fires for this call (and counts it). */
static int rule_fires(struct rule *r, const char *route)
{
	int fire;

	if (r->route && fnmatch(r->route, route, 0) != 0)
		return 0;
	r->seen++;
	if (r->times > 0 && r->fired >= r->times)
		return 0;
	if (r->nth > 0)
		fire = r->seen == r->nth;
	else if (r->rate >= 0)
		fire = (double)(next_u64() >> 11) / 9007199254740992.0 < r->rate;
	else
		fire = 1;
	if (fire)
		r->fired++;
	return fire;
}

void sim_faults_request(const char *route, sim_fault *out, int *slow_ms)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	*slow_ms = 0;
	pthread_mutex_lock(&g_mu);
	for (i = 0; i < g_count; i++) {
		struct rule *r = &g_rules[i];

		if (r->kind == KIND_OPFAIL)
			continue;
		if (r->kind == SIM_FAULT_SLOW) {
			if (*slow_ms == 0 && rule_fires(r, route))
				*slow_ms = r->ms;
			continue;
		}
		if (out->kind != SIM_FAULT_NONE)
			continue;
		if (!rule_fires(r, route))
			continue;
		out->kind = r->kind;
		out->status = r->status;
		out->retry_after = r->retry_after;
	}
	pthread_mutex_unlock(&g_mu);
}

int sim_faults_opfail(const char *route)
{
	size_t i;
	int fire = 0;

	pthread_mutex_lock(&g_mu);
	for (i = 0; i < g_count && !fire; i++)
		if (g_rules[i].kind == KIND_OPFAIL)
			fire = rule_fires(&g_rules[i], route);
	pthread_mutex_unlock(&g_mu);
	return fire;
}

json_object *sim_faults_describe(void)
{
	json_object *list = json_object_new_array();
	size_t i;

	if (!list)
		return NULL;
	pthread_mutex_lock(&g_mu);
	for (i = 0; i < g_count; i++) {
		json_object *o = json_object_new_object();

		if (!o)
			break;
		json_object_object_add(o, "rule",
				       json_object_new_string(g_rules[i].text));
		json_object_object_add(o, "matched",
				       json_object_new_int64(g_rules[i].seen));
		json_object_object_add(o, "fired",
				       json_object_new_int64(g_rules[i].fired));
		json_object_array_add(list, o);
	}
	pthread_mutex_unlock(&g_mu);
	return list;
}
