#ifndef IKC_TESTS_STATE_ETCD_PROC_H
#define IKC_TESTS_STATE_ETCD_PROC_H

/*
 * Real etcd processes for the etcd backend tests: each on free loopback
 * ports with its data in a fresh temporary folder, killed and removed at the
 * end.  A cluster of n members is started with one --initial-cluster.
 * The binary is $IKC_ETCD (default: etcd on the PATH).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../state/tmpdir.h"

#define ETCD_PROC_MAX 5

struct etcd_member {
	pid_t pid;
	int client_port;
	int peer_port;
	char name[16];
	char dir[512];
};

struct etcd_cluster {
	int n;
	struct etcd_member m[ETCD_PROC_MAX];
	char endpoints[256];          /* "127.0.0.1:P1,127.0.0.1:P2,..." */
	/* TLS clients: a folder holding server.pem, server-key.pem and
	 * ca.pem (for the health check); "" for plain http. */
	char tls_dir[512];
};

/*
 * Runs argv[0] (found on the PATH) with argv, its stdout captured into
 * out[outlen] (NUL-terminated, cut when longer; out may be NULL) and its
 * stderr dropped.  Returns the exit status, or -1 when it could not run.
 */
static inline int etcd_run(const char *const *argv, char *out, size_t outlen)
{
	int fds[2], status = -1;
	size_t got = 0;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[1], 1);
		if (null >= 0)
			dup2(null, 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && got + 1 < outlen) {
			size_t take = (size_t)n < outlen - 1 - got ? (size_t)n
								   : outlen - 1 - got;

			memcpy(out + got, chunk, take);
			got += take;
		}
	}
	close(fds[0]);
	if (out && outlen)
		out[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A port nobody listens on now (the kernel's pick for port 0). */
static inline int etcd_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static inline void etcd_sleep(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* 1 when GET /health on the port answers {"health":"true"}. */
static inline int etcd_healthy(int port)
{
	struct sockaddr_in a;
	char req[128], resp[2048];
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok = 0;
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		snprintf(req, sizeof(req), "GET /health HTTP/1.0\r\nHost: "
			 "127.0.0.1:%d\r\n\r\n", port);
		if (write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
			while (got < sizeof(resp) - 1 &&
			       (n = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
				got += (size_t)n;
			resp[got] = '\0';
			ok = strstr(resp, "\"health\":\"true\"") != NULL;
		}
	}
	close(fd);
	return ok;
}

/* Starts member i of c (ports and dir already chosen). 0 or -1. */
static inline int etcd_member_spawn(struct etcd_cluster *c, int i,
				    const char *state)
{
	struct etcd_member *m = &c->m[i];
	char initial[1024] = "", curl[64], purl[64], log[600], dd[600];
	char cert[600], key[600];
	const char *argv[32];
	int a = 0;
	const char *bin = getenv("IKC_ETCD");
	int k;

	for (k = 0; k < c->n; k++) {
		char one[128];

		snprintf(one, sizeof(one), "%s%s=http://127.0.0.1:%d", k ? "," : "",
			 c->m[k].name, c->m[k].peer_port);
		strncat(initial, one, sizeof(initial) - strlen(initial) - 1);
	}
	snprintf(curl, sizeof(curl), "%s://127.0.0.1:%d",
		 c->tls_dir[0] ? "https" : "http", m->client_port);
	snprintf(purl, sizeof(purl), "http://127.0.0.1:%d", m->peer_port);
	snprintf(log, sizeof(log), "%s/etcd.log", m->dir);
	snprintf(dd, sizeof(dd), "%s/data", m->dir);
	m->pid = fork();
	if (m->pid < 0)
		return -1;
	if (m->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		snprintf(cert, sizeof(cert), "%s/server.pem", c->tls_dir);
		snprintf(key, sizeof(key), "%s/server-key.pem", c->tls_dir);
		argv[a++] = "etcd";
		argv[a++] = "--name";
		argv[a++] = m->name;
		argv[a++] = "--data-dir";
		argv[a++] = dd;
		argv[a++] = "--listen-client-urls";
		argv[a++] = curl;
		argv[a++] = "--advertise-client-urls";
		argv[a++] = curl;
		argv[a++] = "--listen-peer-urls";
		argv[a++] = purl;
		argv[a++] = "--initial-advertise-peer-urls";
		argv[a++] = purl;
		argv[a++] = "--initial-cluster";
		argv[a++] = initial;
		argv[a++] = "--initial-cluster-state";
		argv[a++] = state;
		argv[a++] = "--initial-cluster-token";
		argv[a++] = "ikc-test";
		if (c->tls_dir[0]) {
			argv[a++] = "--cert-file";
			argv[a++] = cert;
			argv[a++] = "--key-file";
			argv[a++] = key;
		}
		argv[a] = NULL;
		execvp(bin && *bin ? bin : "etcd", (char *const *)argv);
		_exit(127);
	}
	return 0;
}

/* Waits until member i answers /health (up to `seconds`). 0 or -1. */
static inline int etcd_member_wait(struct etcd_cluster *c, int i, double seconds)
{
	double waited = 0;

	while (waited < seconds) {
		int status;

		if (waitpid(c->m[i].pid, &status, WNOHANG) == c->m[i].pid) {
			fprintf(stderr, "etcd %s exited early (see %s/etcd.log)\n",
				c->m[i].name, c->m[i].dir);
			c->m[i].pid = 0;
			return -1;
		}
		if (!c->tls_dir[0] && etcd_healthy(c->m[i].client_port))
			return 0;
		if (c->tls_dir[0]) {
			char ep[64], ca[600];
			const char *argv[] = { "etcdctl", ep, ca, "endpoint",
					       "health", NULL };

			snprintf(ep, sizeof(ep), "--endpoints=https://127.0.0.1:%d",
				 c->m[i].client_port);
			snprintf(ca, sizeof(ca), "--cacert=%s/ca.pem", c->tls_dir);
			if (etcd_run(argv, NULL, 0) == 0)
				return 0;
		}
		etcd_sleep(0.1);
		waited += 0.1;
	}
	fprintf(stderr, "etcd %s did not become healthy\n", c->m[i].name);
	return -1;
}

/* Stops member i (SIGKILL: as if the machine died) and reaps it. */
static inline void etcd_member_kill(struct etcd_cluster *c, int i)
{
	if (c->m[i].pid > 0) {
		kill(c->m[i].pid, SIGKILL);
		(void)waitpid(c->m[i].pid, NULL, 0);
		c->m[i].pid = 0;
	}
}

/*
 * Starts n members and waits for all of them; with `tls_dir` (NULL: plain
 * http) clients talk TLS with the certificates in it.  0 or -1 (nothing
 * left running).
 */
static inline int etcd_cluster_start_tls(struct etcd_cluster *c, int n,
					 const char *tls_dir)
{
	int i;

	memset(c, 0, sizeof(*c));
	if (tls_dir)
		snprintf(c->tls_dir, sizeof(c->tls_dir), "%s", tls_dir);
	if (n < 1 || n > ETCD_PROC_MAX)
		return -1;
	c->n = n;
	for (i = 0; i < n; i++) {
		struct etcd_member *m = &c->m[i];
		char one[64];

		snprintf(m->name, sizeof(m->name), "m%d", i);
		m->client_port = etcd_free_port();
		m->peer_port = etcd_free_port();
		if (m->client_port < 0 || m->peer_port < 0 ||
		    m->client_port == m->peer_port ||
		    tmpdir_make(m->dir, sizeof(m->dir)) < 0)
			goto fail;
		snprintf(one, sizeof(one), "%s127.0.0.1:%d", i ? "," : "",
			 m->client_port);
		strncat(c->endpoints, one,
			sizeof(c->endpoints) - strlen(c->endpoints) - 1);
	}
	for (i = 0; i < n; i++)
		if (etcd_member_spawn(c, i, "new") < 0)
			goto fail;
	for (i = 0; i < n; i++)
		if (etcd_member_wait(c, i, 30) < 0)
			goto fail;
	return 0;
fail:
	for (i = 0; i < n; i++)
		etcd_member_kill(c, i);
	return -1;
}

/* Starts n plain-http members (see etcd_cluster_start_tls). */
static inline int etcd_cluster_start(struct etcd_cluster *c, int n)
{
	return etcd_cluster_start_tls(c, n, NULL);
}

/* Kills every member and removes their folders. */
static inline void etcd_cluster_stop(struct etcd_cluster *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		etcd_member_kill(c, i);
		if (c->m[i].dir[0])
			tmpdir_remove(c->m[i].dir);
	}
	c->n = 0;
}

#endif /* IKC_TESTS_STATE_ETCD_PROC_H */
