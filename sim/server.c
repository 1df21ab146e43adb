/* server.c - ikc-sim's HTTPS endpoints on libmicrohttpd: bodies, faults, responses, streams */
#include "sim/server.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim/faults.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/str.h"

#define BODY_MAX ((size_t)16 << 20)
#define POOL_THREADS 4

struct sim_endpoint {
	struct MHD_Daemon *daemon;
	int fd;                 /* listening socket until the daemon owns it */
	int port;
	int mode;
	atomic_int stopping;     /* read by stream threads */
	sim_serve_fn fn;
	sim_count_fn count;
	void *ctx;
	char *key_pem;
	char *cert_pem;
};

struct conn_state {
	ikc_buf body;
	int too_big;
};

struct stream_state {
	sim_endpoint *ep;
	sim_stream_fn fn;
	void *ctx;
	void (*free_fn)(void *ctx);
};

void sim_response_dispose(sim_response *resp)
{
	if (!resp)
		return;
	free(resp->content_type);
	free(resp->body);
	free(resp->extra_header_name);
	free(resp->extra_header_value);
	if (resp->stream_free && resp->stream_ctx)
		resp->stream_free(resp->stream_ctx);
	memset(resp, 0, sizeof(*resp));
}

void sim_respond_text(sim_response *resp, int status, const char *ctype,
		      const char *text)
{
	free(resp->body);
	free(resp->content_type);
	resp->status = status;
	resp->content_type = ctype ? strdup(ctype) : NULL;
	resp->body = strdup(text ? text : "");
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	if (!resp->body)
		resp->status = 500;
}

void sim_respond_json(sim_response *resp, int status, json_object *body)
{
	const char *text;

	if (!body) {
		sim_respond_text(resp, 500, NULL, "{}");
		return;
	}
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	sim_respond_text(resp, text ? status : 500, NULL, text ? text : "{}");
	json_object_put(body);
}

void sim_respond_header(sim_response *resp, const char *name,
			const char *value)
{
	free(resp->extra_header_name);
	free(resp->extra_header_value);
	resp->extra_header_name = strdup(name);
	resp->extra_header_value = strdup(value);
}

static const char *req_query(const sim_request *req, const char *key)
{
	return MHD_lookup_connection_value(req->impl, MHD_GET_ARGUMENT_KIND,
					   key);
}

static const char *req_header(const sim_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->impl, MHD_HEADER_KIND, name);
}

const char *sim_request_bearer(const sim_request *req)
{
	const char *auth = req->header(req, "Authorization");

	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return *auth ? auth : NULL;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_state *st = cls;
	int waited;

	(void)pos;
	/* Wait here (this connection has its own thread) rather than spin. */
	for (waited = 0; waited < 50; waited++) {
		ssize_t n;

		if (atomic_load(&st->ep->stopping))
			return MHD_CONTENT_READER_END_OF_STREAM;
		n = st->fn(st->ctx, buf, max);
		if (n > 0)
			return n;
		if (n < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	return 0;
}

static void stream_free(void *cls)
{
	struct stream_state *st = cls;

	if (st->free_fn && st->ctx)
		st->free_fn(st->ctx);
	free(st);
}

/* A fault's answer in the dialect of the endpoint. */
static void fault_response(sim_endpoint *ep, const sim_fault *f,
			   sim_response *resp)
{
	const char *status = f->status == 429 ? "RESOURCE_EXHAUSTED"
			     : f->status == 503 ? "UNAVAILABLE"
			     : f->status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
	const char *reason = f->status == 429 ? "rateLimitExceeded"
			     : f->status >= 500 ? "backendError" : "badRequest";
	char *text;

	if (ep->mode == SIM_EP_POOL)
		text = ikc_asprintf(
			"{\"error\":{\"code\":%d,\"message\":\"Injected fault "
			"(ikc-sim).\",\"errors\":[{\"message\":\"Injected fault "
			"(ikc-sim).\",\"domain\":\"global\",\"reason\":\"%s\"}],"
			"\"status\":\"%s\"}}", f->status, reason, status);
	else
		text = ikc_asprintf(
			"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":"
			"{},\"status\":\"Failure\",\"message\":\"injected fault "
			"(ikc-sim)\",\"reason\":\"%s\",\"code\":%d}",
			f->status == 429 ? "TooManyRequests"
			: f->status == 503 ? "ServiceUnavailable"
			: "InternalError", f->status);
	sim_respond_text(resp, f->status, NULL, text ? text : "{}");
	free(text);
	if (f->retry_after > 0) {
		char v[16];

		snprintf(v, sizeof(v), "%d", f->retry_after);
		sim_respond_header(resp, "Retry-After", v);
	}
}

static enum MHD_Result queue(struct MHD_Connection *conn, sim_endpoint *ep,
			     sim_response *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->stream) {
		struct stream_state *st = calloc(1, sizeof(*st));

		if (!st) {
			sim_response_dispose(resp);
			return MHD_NO;
		}
		st->ep = ep;
		st->fn = resp->stream;
		st->ctx = resp->stream_ctx;
		st->free_fn = resp->stream_free;
		resp->stream_ctx = NULL;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
						      stream_read, st,
						      stream_free);
		if (!r) {
			stream_free(st);
			sim_response_dispose(resp);
			return MHD_NO;
		}
	} else {
		r = MHD_create_response_from_buffer(resp->body_len,
						    resp->body ? resp->body : "",
						    resp->body ? MHD_RESPMEM_MUST_FREE
							       : MHD_RESPMEM_PERSISTENT);
		if (!r) {
			sim_response_dispose(resp);
			return MHD_NO;
		}
		resp->body = NULL;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				      resp->content_type ? resp->content_type
							 : "application/json");
	if (resp->extra_header_name && resp->extra_header_value)
		(void)MHD_add_response_header(r, resp->extra_header_name,
					      resp->extra_header_value);
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	sim_response_dispose(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	sim_endpoint *ep = cls;
	struct conn_state *cs = *con_cls;
	sim_request req;
	sim_response resp;
	sim_fault fault;
	int slow_ms = 0;

	(void)version;
	if (!cs) {
		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		cs->body.max = BODY_MAX;
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!cs->too_big && ikc_buf_put(&cs->body, upload, *upload_size) < 0)
			cs->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&resp, 0, sizeof(resp));
	if (cs->too_big) {
		sim_respond_text(&resp, 413, NULL,
				 "{\"error\":{\"code\":413,\"message\":"
				 "\"Request body too large.\"}}");
		return queue(conn, ep, &resp);
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.body = cs->body.ptr;
	req.body_len = cs->body.len;
	req.query = req_query;
	req.header = req_header;
	req.impl = conn;
	if (ep->count)
		ep->count(ep->ctx, &req);
	if (!ikc_str_startswith(url, "/_sim/")) {
		char *route = ikc_asprintf("%s %s", method, url);

		if (!route)
			return MHD_NO;
		sim_faults_request(route, &fault, &slow_ms);
		free(route);
		if (slow_ms > 0)
			nanosleep(&(struct timespec){ slow_ms / 1000,
						      (slow_ms % 1000) * 1000000L },
				  NULL);
		if (fault.kind == SIM_FAULT_DROP)
			return MHD_NO;
		if (fault.kind == SIM_FAULT_STATUS) {
			fault_response(ep, &fault, &resp);
			return queue(conn, ep, &resp);
		}
	}
	resp.status = 500;
	ep->fn(ep->ctx, &req, &resp);
	if (ikc_log_enabled(IKC_LOG_DEBUG))
		ikc_log(IKC_LOG_DEBUG, "ikc-sim: :%d %s %s -> %d", ep->port, method,
			url, resp.status);
	return queue(conn, ep, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!cs)
		return;
	ikc_buf_dispose(&cs->body);
	free(cs);
	*con_cls = NULL;
}

/* libmicrohttpd's complaints (a client that hung up, a TLS handshake with the
 * wrong CA) are routine in tests; they show with IKC_LOG=debug. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	if (!ikc_log_enabled(IKC_LOG_DEBUG))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	ikc_log(IKC_LOG_DEBUG, "ikc-sim: libmicrohttpd: %s", line);
}

/* A non-blocking socket listening on 127.0.0.1:port; -1 when it is taken. */
static int listen_on(int port, int *bound)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int on = 1;

	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, 512) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
		close(fd);
		return -1;
	}
	*bound = ntohs(addr.sin_port);
	return fd;
}

static struct MHD_Daemon *start_daemon(sim_endpoint *ep)
{
	unsigned int flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_ERROR_LOG;

	if (ep->mode == SIM_EP_POOL)
		return MHD_start_daemon(flags | MHD_USE_EPOLL, 0, NULL, NULL,
					on_request, ep,
					MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
					MHD_OPTION_LISTEN_SOCKET, ep->fd,
					MHD_OPTION_HTTPS_MEM_KEY, ep->key_pem,
					MHD_OPTION_HTTPS_MEM_CERT, ep->cert_pem,
					MHD_OPTION_THREAD_POOL_SIZE,
					(unsigned int)POOL_THREADS,
					MHD_OPTION_CONNECTION_TIMEOUT,
					(unsigned int)120,
					MHD_OPTION_NOTIFY_COMPLETED, on_completed,
					ep, MHD_OPTION_END);
	return MHD_start_daemon(flags | MHD_USE_THREAD_PER_CONNECTION |
				MHD_USE_POLL, 0, NULL, NULL, on_request, ep,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_LISTEN_SOCKET, ep->fd,
				MHD_OPTION_HTTPS_MEM_KEY, ep->key_pem,
				MHD_OPTION_HTTPS_MEM_CERT, ep->cert_pem,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)600,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, ep,
				MHD_OPTION_END);
}

int sim_endpoint_bind(sim_endpoint **out, int port, int fallback,
		      const char *key_pem, const char *cert_pem, int mode,
		      sim_serve_fn fn, sim_count_fn count, void *ctx)
{
	sim_endpoint *ep;

	*out = NULL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return ikc_error_oom();
	ep->fd = -1;
	ep->mode = mode;
	ep->fn = fn;
	ep->count = count;
	ep->ctx = ctx;
	ep->key_pem = strdup(key_pem);
	ep->cert_pem = strdup(cert_pem);
	if (!ep->key_pem || !ep->cert_pem) {
		sim_endpoint_stop(ep);
		return ikc_error_oom();
	}
	ep->fd = listen_on(port, &ep->port);
	if (ep->fd < 0 && port != 0 && fallback)
		ep->fd = listen_on(0, &ep->port);
	if (ep->fd < 0) {
		sim_endpoint_stop(ep);
		return ikc_error_set_os(IKC_ERR_SIM,
					"cannot listen on 127.0.0.1:%d", port);
	}
	*out = ep;
	return 0;
}

int sim_endpoint_run(sim_endpoint *ep)
{
	ep->daemon = start_daemon(ep);
	if (!ep->daemon)
		return ikc_error_set(IKC_ERR_SIM, "cannot serve on 127.0.0.1:%d",
				     ep->port);
	ep->fd = -1;   /* the daemon closes it */
	return 0;
}

int sim_endpoint_start(sim_endpoint **out, int port, int fallback,
		       const char *key_pem, const char *cert_pem, int mode,
		       sim_serve_fn fn, sim_count_fn count, void *ctx)
{
	int error = sim_endpoint_bind(out, port, fallback, key_pem, cert_pem,
				      mode, fn, count, ctx);

	if (error == 0) {
		error = sim_endpoint_run(*out);
		if (error < 0) {
			sim_endpoint_stop(*out);
			*out = NULL;
		}
	}
	return error;
}

int sim_endpoint_port(const sim_endpoint *ep)
{
	return ep->port;
}

void sim_endpoint_stop(sim_endpoint *ep)
{
	if (!ep)
		return;
	atomic_store(&ep->stopping, 1);
	if (ep->daemon)
		MHD_stop_daemon(ep->daemon);
	if (ep->fd >= 0)
		close(ep->fd);
	free(ep->key_pem);
	free(ep->cert_pem);
	free(ep);
}
