/* main.c - ikc-sim command line: serve --dir DIR; files in DIR, signals, ticker, persistence */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/core.h"
#include "sim/discovery.h"
#include "sim/faults.h"
#include "sim/pki.h"
#include "sim/server.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#define TICK_NS (50L * 1000 * 1000)
#define PERSIST_EVERY 0.5     /* real seconds between world.json writes */
#define WORLD_MAX ((size_t)512 << 20)

struct sim_config sim_cfg;

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: ikc-sim serve --dir DIR [--port N] [--speed F] "
	      "[--faults SPEC] [--seed N]\n"
	      "  Serves a local GKE + Kubernetes API over TLS on 127.0.0.1.\n"
	      "  Writes ca.pem, credentials.json, env and ready into DIR and\n"
	      "  keeps its world in DIR/world.json across restarts.\n", f);
}

static char *path_in(const char *name)
{
	return ikc_asprintf("%s/%s", sim_cfg.dir, name);
}

static int write_file(const char *name, const char *text, mode_t mode)
{
	char *p = path_in(name);
	int error;

	if (!p)
		return ikc_error_oom();
	error = ikc_fs_write_atomic(p, text, strlen(text), mode);
	free(p);
	return error;
}

int sim_persist(void)
{
	json_object *doc = sim_world_save();
	const char *text;
	char *p = NULL;
	int error = IKC_ERROR;

	if (!doc)
		return ikc_error_oom();
	json_object_object_add(doc, "version", json_object_new_int(1));
	json_object_object_add(doc, "base_url",
			       json_object_new_string(sim_cfg.base_url));
	json_object_object_add(doc, "port", json_object_new_int(sim_cfg.port));
	json_object_object_add(doc, "clock",
			       json_object_new_double(sim_clock_now()));
	json_object_object_add(doc, "ca_key", json_object_new_string(sim_cfg.ca_key));
	json_object_object_add(doc, "ca_cert",
			       json_object_new_string(sim_cfg.ca_cert));
	json_object_object_add(doc, "sa_key", json_object_new_string(sim_cfg.sa_key));
	json_object_object_add(doc, "sa_key_id",
			       json_object_new_string(sim_cfg.sa_key_id));
	json_object_object_add(doc, "sa_email",
			       json_object_new_string(sim_cfg.sa_email));
	json_object_object_add(doc, "project",
			       json_object_new_string(sim_cfg.project));
	json_object_object_add(doc, "tokens", sim_tokens_save());
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	p = path_in("world.json");
	if (text && p)
		error = ikc_fs_write_atomic(p, text, strlen(text), 0600);
	free(p);
	json_object_put(doc);
	return error;
}

static char *dup_or_null(json_object *o, const char *key)
{
	const char *s = ikc_json_str(o, key);

	return s ? strdup(s) : NULL;
}

/* Reads DIR/world.json if there is one; *out owned or NULL. */
static int load_saved(json_object **out)
{
	ikc_buf b = IKC_BUF_INIT(WORLD_MAX);
	char *p = path_in("world.json");
	int error;

	*out = NULL;
	if (!p)
		return ikc_error_oom();
	error = ikc_fs_read_file(&b, p, WORLD_MAX);
	free(p);
	if (error == IKC_ENOTFOUND)
		return 0;
	if (error == 0)
		error = ikc_json_parse(out, b.ptr ? b.ptr : "", b.len, "world.json");
	ikc_buf_dispose(&b);
	return error;
}

static int make_identity(json_object *saved)
{
	char hex[41];

	if (saved) {
		sim_cfg.ca_key = dup_or_null(saved, "ca_key");
		sim_cfg.ca_cert = dup_or_null(saved, "ca_cert");
		sim_cfg.sa_key = dup_or_null(saved, "sa_key");
		sim_cfg.sa_key_id = dup_or_null(saved, "sa_key_id");
		sim_cfg.sa_email = dup_or_null(saved, "sa_email");
		sim_cfg.project = dup_or_null(saved, "project");
		if (!sim_cfg.ca_key || !sim_cfg.ca_cert || !sim_cfg.sa_key ||
		    !sim_cfg.sa_key_id || !sim_cfg.sa_email || !sim_cfg.project)
			return ikc_error_set(IKC_ERR_SIM, "world.json: identity "
					     "fields are missing");
		return 0;
	}
	if (sim_pki_make_ca(&sim_cfg.ca_key, &sim_cfg.ca_cert, "ikc-sim CA") < 0 ||
	    sim_pki_make_rsa(&sim_cfg.sa_key) < 0 || sim_random_hex(hex, 20) < 0)
		return IKC_ERROR;
	sim_cfg.sa_key_id = strdup(hex);
	sim_cfg.project = strdup("ikc-sim");
	sim_cfg.sa_email = strdup("ikc-deployer@ikc-sim.iam.gserviceaccount.com");
	if (!sim_cfg.sa_key_id || !sim_cfg.project || !sim_cfg.sa_email)
		return ikc_error_oom();
	return 0;
}

static int write_credentials(void)
{
	json_object *o = json_object_new_object();
	char client_id[32];
	unsigned long long h = ikc_str_hash64(sim_cfg.sa_key_id,
					       strlen(sim_cfg.sa_key_id));
	char *x509;
	int error;

	if (!o)
		return ikc_error_oom();
	snprintf(client_id, sizeof(client_id), "1%020llu", h);
	x509 = ikc_asprintf("https://www.googleapis.com/robot/v1/metadata/x509/"
			    "ikc-deployer%%40%s.iam.gserviceaccount.com",
			    sim_cfg.project);
	json_object_object_add(o, "type", json_object_new_string("service_account"));
	json_object_object_add(o, "project_id", json_object_new_string(sim_cfg.project));
	json_object_object_add(o, "private_key_id",
			       json_object_new_string(sim_cfg.sa_key_id));
	json_object_object_add(o, "private_key", json_object_new_string(sim_cfg.sa_key));
	json_object_object_add(o, "client_email",
			       json_object_new_string(sim_cfg.sa_email));
	json_object_object_add(o, "client_id", json_object_new_string(client_id));
	json_object_object_add(o, "auth_uri", json_object_new_string(
				       "https://accounts.google.com/o/oauth2/auth"));
	json_object_object_add(o, "token_uri",
			       json_object_new_string(sim_cfg.token_url));
	json_object_object_add(o, "auth_provider_x509_cert_url", json_object_new_string(
				       "https://www.googleapis.com/oauth2/v1/certs"));
	json_object_object_add(o, "client_x509_cert_url",
			       json_object_new_string(x509 ? x509 : ""));
	json_object_object_add(o, "universe_domain",
			       json_object_new_string("googleapis.com"));
	free(x509);
	error = write_file("credentials.json",
			   json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE),
			   0600);
	json_object_put(o);
	return error;
}

static int write_env(void)
{
	char *env = ikc_asprintf(
		"export GOOGLE_APPLICATION_CREDENTIALS=%s/credentials.json\n"
		"export IKC_CONTAINER_ENDPOINT=%s/\n"
		"export IKC_CA_BUNDLE=%s/ca.pem\n"
		"export SIM_PORT=%d\n"
		"export SIM_DIR=%s\n",
		sim_cfg.dir, sim_cfg.base_url, sim_cfg.dir, sim_cfg.port,
		sim_cfg.dir);
	int error;

	if (!env)
		return ikc_error_oom();
	error = write_file("env", env, 0644);
	free(env);
	return error;
}

static void main_count(void *ctx, const sim_request *req)
{
	(void)ctx;
	if (ikc_str_startswith(req->path, "/_sim/")) {
		return;
	} else if (strcmp(req->path, "/token") == 0) {
		sim_calls_add("POST /token");
	} else if (ikc_str_startswith(req->path, "/v1/")) {
		sim_gke_count(req);
	} else {
		char *key = ikc_asprintf("%s (unknown)", req->method);

		if (key)
			sim_calls_add(key);
		free(key);
	}
}

static void main_serve(void *ctx, const sim_request *req, sim_response *resp)
{
	(void)ctx;
	if (ikc_str_startswith(req->path, "/_sim/")) {
		sim_admin_handle(req, resp);
	} else if (strcmp(req->path, "/token") == 0) {
		sim_oauth_token(req, resp);
	} else if (ikc_str_startswith(req->path, "/v1/")) {
		sim_gke_handle(req, resp);
	} else if (sim_discovery_handle(req, resp)) {
		return;
	} else {
		sim_respond_text(resp, 404, NULL,
				 "{\"error\":{\"code\":404,\"message\":\"The "
				 "requested URL was not found on this server.\","
				 "\"status\":\"NOT_FOUND\"}}");
	}
}

static void free_config(void)
{
	free(sim_cfg.dir);
	free(sim_cfg.base_url);
	free(sim_cfg.token_url);
	free(sim_cfg.ca_key);
	free(sim_cfg.ca_cert);
	free(sim_cfg.sa_key);
	free(sim_cfg.sa_key_id);
	free(sim_cfg.sa_email);
	free(sim_cfg.project);
	memset(&sim_cfg, 0, sizeof(sim_cfg));
}

static int parse_num(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end ? -1 : 0;
}

static int serve(int argc, char **argv)
{
	const char *dir = NULL, *faults = NULL;
	double speed = 1, port_d = 0, seed_d = 1, last_persist = 0;
	json_object *saved = NULL;
	sim_endpoint *ep = NULL;
	char *srv_key = NULL, *srv_cert = NULL, *ready = NULL, real[PATH_MAX];
	struct sigaction sa;
	int i, port, error = IKC_ERROR;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "ikc-sim: %s needs a value\n", a);
			return 2;
		}
		if (strcmp(a, "--dir") == 0)
			dir = v;
		else if (strcmp(a, "--faults") == 0)
			faults = v;
		else if (strcmp(a, "--port") == 0 && parse_num(v, &port_d) == 0 &&
			 port_d >= 0 && port_d < 65536)
			;
		else if (strcmp(a, "--speed") == 0 && parse_num(v, &speed) == 0 &&
			 speed > 0)
			;
		else if (strcmp(a, "--seed") == 0 && parse_num(v, &seed_d) == 0)
			;
		else {
			fprintf(stderr, "ikc-sim: bad option %s %s\n", a, v);
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (!dir) {
		usage(stderr);
		return 2;
	}
	ikc_log_init_from_env();
	if (ikc_fs_mkdirs(dir, 0700) < 0 || !realpath(dir, real)) {
		fprintf(stderr, "ikc-sim: cannot use folder %s\n", dir);
		return 1;
	}
	sim_cfg.dir = strdup(real);
	ready = path_in("ready");
	if (!sim_cfg.dir || !ready)
		goto done;
	(void)unlink(ready);
	sim_faults_seed((uint64_t)seed_d);
	if (faults && sim_faults_add(faults) < 0)
		goto done;
	if (load_saved(&saved) < 0 || make_identity(saved) < 0)
		goto done;
	sim_clock_init(speed, saved ? json_object_get_double(
					      ikc_json_path(saved, "clock")) : 0);
	if (sim_pki_make_server(&srv_key, &srv_cert, sim_cfg.ca_key,
				sim_cfg.ca_cert, "ikc-sim") < 0)
		goto done;
	port = (int)port_d;
	if (port == 0 && saved)
		port = json_object_get_int(ikc_json_path(saved, "port"));
	if (sim_endpoint_bind(&ep, port, port_d == 0, srv_key, srv_cert,
			      SIM_EP_POOL, main_serve, main_count, NULL) < 0)
		goto done;
	sim_cfg.port = sim_endpoint_port(ep);
	sim_cfg.base_url = ikc_asprintf("https://127.0.0.1:%d", sim_cfg.port);
	sim_cfg.token_url = ikc_asprintf("%s/token", sim_cfg.base_url);
	if (!sim_cfg.base_url || !sim_cfg.token_url)
		goto done;
	if (saved) {
		sim_tokens_load(ikc_json_path(saved, "tokens"));
		if (sim_world_load(saved) < 0)
			goto done;
	}
	json_object_put(saved);
	saved = NULL;
	/* Serve only now that the settings every handler reads are final. */
	if (sim_endpoint_run(ep) < 0)
		goto done;
	if (write_file("ca.pem", sim_cfg.ca_cert, 0644) < 0 ||
	    write_credentials() < 0 || write_env() < 0 || sim_persist() < 0)
		goto done;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	{
		char text[16];

		snprintf(text, sizeof(text), "%d\n", sim_cfg.port);
		if (write_file("ready", text, 0644) < 0)
			goto done;
	}
	fprintf(stderr, "ikc-sim: serving on %s (dir %s, speed %g)\n",
		sim_cfg.base_url, sim_cfg.dir, sim_clock_speed());
	while (!g_stop) {
		nanosleep(&(struct timespec){ 0, TICK_NS }, NULL);
		sim_world_tick();
		if (ikc_time_monotonic() - last_persist >= PERSIST_EVERY &&
		    sim_world_take_dirty()) {
			if (sim_persist() < 0)
				fprintf(stderr, "ikc-sim: %s\n", ikc_error_last());
			last_persist = ikc_time_monotonic();
		}
	}
	sim_endpoint_stop(ep);
	ep = NULL;
	error = sim_persist();
	(void)unlink(ready);
	fprintf(stderr, "ikc-sim: stopped\n");
done:
	if (error < 0)
		fprintf(stderr, "ikc-sim: %s\n", ikc_error_last());
	sim_endpoint_stop(ep);
	sim_world_shutdown();
	sim_faults_clear();
	sim_calls_clear();
	sim_tokens_clear();
	json_object_put(saved);
	free(srv_key);
	free(srv_cert);
	free(ready);
	free_config();
	return error < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("ikc-sim %s\n", IKC_VERSION);
		return 0;
	}
	usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
