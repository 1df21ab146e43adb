/* run.c - provider environment, progress lines and Ctrl-C for commands that call APIs */
#include "cli/run.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack/yamljson.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

/* ---- Ctrl-C state (handling below) ---- */

static volatile sig_atomic_t sig_count;
static int wake_fd[2] = { -1, -1 };
/* guards sig_run and sig_session: ikc_run_close clears them before the run
 * and its session go away, so a late Ctrl-C touches neither */
static pthread_mutex_t sig_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ikc_run *sig_run;
static struct ikc_session *sig_session;

/* ---- progress: one line per resource when something new is worth saying ---- */

#define MAX_TRACKED 256

static pthread_mutex_t progress_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char address[256];
	double first, last;
} tracked[MAX_TRACKED];
static size_t ntracked;

static void on_progress(void *ctx, const char *address, const char *text)
{
	double now = ikc_time_monotonic();
	size_t i;
	int print = 0;
	char elapsed[32];

	(void)ctx;
	pthread_mutex_lock(&progress_mu);
	for (i = 0; i < ntracked; i++)
		if (!strcmp(tracked[i].address, address))
			break;
	if (i == ntracked && ntracked < MAX_TRACKED) {
		snprintf(tracked[i].address, sizeof(tracked[i].address), "%s", address);
		tracked[i].first = now;
		tracked[i].last = 0;
		ntracked++;
	}
	if (i < MAX_TRACKED && (tracked[i].last == 0 || now - tracked[i].last >= 10)) {
		tracked[i].last = now;
		print = 1;
		ikc_duration_format(elapsed, now - tracked[i].first);
	}
	pthread_mutex_unlock(&progress_mu);
	if (print) {
		printf("%s: %s %s\n", address, text, elapsed);
		fflush(stdout);
	}
}

static void on_done(void *ctx, const char *address, const char *what, double secs)
{
	char elapsed[32];

	(void)ctx;
	ikc_duration_format(elapsed, secs);
	printf("%s: %s after %s\n", address, what, elapsed);
	fflush(stdout);
}

/* ---- environment ---- */

static int stack_needs_google(const ikc_stack *st)
{
	size_t i;

	for (i = 0; i < st->nresources; i++)
		if (st->resources[i].provider == IKC_PROVIDER_GKE ||
		    st->resources[i].cluster)
			return 1;
	return 0;
}

/* A duration from the environment ("90m", "2h", "0.05"), or `dflt`. */
static int env_duration(double *out, const char *name, double dflt)
{
	const char *v = getenv(name);

	*out = dflt;
	if (!v || !*v)
		return 0;
	if (ikc_duration_parse(out, v) < 0 || *out <= 0)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_CLI,
			"%s=\"%s\" is not a duration (e.g. 90m, 2h, 30s)", name, v);
	return 0;
}

int ikc_run_open(struct ikc_run *r, struct ikc_session *s, struct ikc_cli *cli)
{
	ikc_http_options ho = IKC_HTTP_OPTIONS_INIT;
	int rc;

	memset(r, 0, sizeof(*r));
	ho.parallelism = cli->parallelism;
	if (ikc_http_client_new(&r->http, &ho) < 0)
		return ikc_cli_fail();
	if (stack_needs_google(s->stack) ||
	    (s->state && ikc_state_count(s->state) > 0 && !s->stack->kubeconfig)) {
		rc = ikc_google_creds_from_env(&r->google);
		if (rc < 0)
			return ikc_cli_fail();
	}
	if (s->stack->kubeconfig) {
		ikc_buf raw = IKC_BUF_INIT(IKC_STACK_FILE_MAX);

		rc = ikc_fs_read_file(&raw, s->stack->kubeconfig, IKC_STACK_FILE_MAX);
		if (rc == 0)
			rc = ikc_yaml_to_json(&r->kubeconfig, raw.ptr, raw.len,
					      s->stack->kubeconfig);
		ikc_buf_dispose(&raw);
		if (rc < 0)
			return ikc_cli_fail();
	}
	r->env.http = r->http;
	r->env.google = r->google;
	r->env.stack = s->stack;
	r->env.kubeconfig = r->kubeconfig;
	r->env.kube_context = s->stack->kube_context;
	r->env.parallelism = cli->parallelism;
	if (env_duration(&r->env.gke_cluster_deadline, "IKC_CLUSTER_TIMEOUT", 90 * 60) ||
	    env_duration(&r->env.gke_nodepool_deadline, "IKC_NODEPOOL_TIMEOUT", 2 * 3600) ||
	    env_duration(&r->env.kube_ready_deadline, "IKC_READY_TIMEOUT", 10 * 60) ||
	    env_duration(&r->env.poll_interval, "IKC_POLL_INTERVAL", 2))
		return ikc_cli_fail();
	r->env.progress = on_progress;
	r->walk.parallelism = cli->parallelism;
	r->walk.interrupted = &r->interrupted;
	r->walk.done = on_done;
	return 0;
}

void ikc_run_close(struct ikc_run *r)
{
	pthread_mutex_lock(&sig_mu);
	if (sig_run == r) {
		sig_run = NULL;
		sig_session = NULL;
	}
	pthread_mutex_unlock(&sig_mu);
	ikc_provider_env_dispose(&r->env);
	json_object_put(r->live);
	json_object_put(r->kubeconfig);
	ikc_google_creds_free(r->google);
	ikc_http_client_free(r->http);
	memset(r, 0, sizeof(*r));
}

/* ---- Ctrl-C ---- */


static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	sig_count++;
	if (wake_fd[1] >= 0)
		(void)!write(wake_fd[1], "!", 1);
	errno = saved;
}

static void *signal_watcher(void *arg)
{
	char c;

	(void)arg;
	for (;;) {
		ssize_t n = read(wake_fd[0], &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		pthread_mutex_lock(&sig_mu);
		if (!sig_run) {
			/* the run is over; the process is on its way out */
			pthread_mutex_unlock(&sig_mu);
			continue;
		}
		if (sig_count == 1) {
			fprintf(stderr, "\nikc: interrupted: starting nothing new; letting calls "
				"in flight finish (Ctrl-C again to stop at once)\n");
			sig_run->interrupted = 1;
			ikc_http_client_interrupt(sig_run->http);
		} else {
			/* the state is saved after every change; release the lock and go */
			fprintf(stderr, "\nikc: stopped; the state holds every finished change "
				"and the journal what was in flight\n");
			if (sig_session->locked && sig_session->backend)
				(void)sig_session->backend->unlock(sig_session->backend,
								   sig_session->lock.id);
			_exit(IKC_EXIT_INTERRUPTED);
		}
		pthread_mutex_unlock(&sig_mu);
	}
}

void ikc_run_signals(struct ikc_run *r, struct ikc_session *s)
{
	struct sigaction sa;
	pthread_t th;

	if (pipe(wake_fd) < 0)
		return;
	pthread_mutex_lock(&sig_mu);
	sig_run = r;
	sig_session = s;
	pthread_mutex_unlock(&sig_mu);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (pthread_create(&th, NULL, signal_watcher, NULL) == 0)
		pthread_detach(th);
}

/* ---- plan ---- */

int ikc_run_plan(ikc_plan **out, struct ikc_run *r, struct ikc_session *s,
		 struct ikc_cli *cli, int destroy, int save_adoptions)
{
	ikc_diags diags = IKC_DIAGS_INIT;
	ikc_plan_input in;

	*out = NULL;
	if (!s->state && ikc_state_new(&s->state, s->stack->name) < 0)
		return ikc_cli_fail();
	if (cli->refresh) {
		if (ikc_walk_refresh(&r->live, &r->env, s->stack, s->state, &r->walk) < 0)
			return ikc_cli_fail();
		if (!destroy &&
		    ikc_walk_check_ownership(&r->env, s->stack,
					     save_adoptions ? s->backend : NULL,
					     s->state, r->live) < 0)
			return ikc_cli_fail();
	}
	memset(&in, 0, sizeof(in));
	in.stack = s->stack;
	in.prior = s->state;
	in.live = cli->refresh ? r->live : NULL;
	in.targets = cli->targets;
	in.ntargets = cli->ntargets;
	in.destroy = destroy;
	if (ikc_plan_build(out, &diags, &in) < 0) {
		ikc_diags_sort(&diags);
		if (diags.count)
			ikc_cli_print_diags(&diags);
		else
			ikc_cli_fail();
		ikc_diags_dispose(&diags);
		return IKC_EXIT_ERROR;
	}
	/* warnings (say, Secret values not compared without refresh) */
	ikc_diags_sort(&diags);
	ikc_cli_print_diags(&diags);
	ikc_diags_dispose(&diags);
	return 0;
}

/* ---- apply ---- */

void ikc_run_print_outputs(const ikc_state *st)
{
	json_object *outs = ikc_state_outputs(st);

	if (!outs || json_object_object_length(outs) == 0)
		return;
	printf("\nOutputs:\n");
	json_object_object_foreach(outs, k, v)
		printf("  %s = %s\n", k, json_object_to_json_string_ext(v,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

int ikc_run_apply(struct ikc_run *r, struct ikc_session *s, const ikc_plan *plan)
{
	const char *what = plan->destroy ? "Destroy" : "Apply";
	ikc_walk_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	if (ikc_session_record_source(s) < 0)
		return ikc_cli_fail();
	rc = ikc_walk_apply(&res, plan, &r->env, s->stack, s->backend, s->state,
			    r->live, &r->walk);
	if (rc == IKC_EINTERRUPTED || (rc < 0 && r->interrupted)) {
		ikc_cli_error("%s", ikc_error_last());
		printf("\nInterrupted: %zu added, %zu changed, %zu replaced, %zu destroyed; "
		       "the state is saved and the lock released.\n",
		       res.added, res.changed, res.replaced, res.destroyed);
		return IKC_EXIT_INTERRUPTED;
	}
	if (rc < 0) {
		if (res.failed == 0)   /* the walk logged each failed change */
			ikc_cli_fail();
		printf("\n%s failed: %zu added, %zu changed, %zu replaced, %zu destroyed, "
		       "%zu failed, %zu not started.\n", what, res.added, res.changed,
		       res.replaced, res.destroyed, res.failed, res.skipped);
		return IKC_EXIT_ERROR;
	}
	printf("\n%s complete: %zu added, %zu changed, %zu replaced, %zu destroyed.\n",
	       what, res.added, res.changed, res.replaced, res.destroyed);
	if (!plan->destroy)
		ikc_run_print_outputs(s->state);
	return IKC_EXIT_OK;
}
