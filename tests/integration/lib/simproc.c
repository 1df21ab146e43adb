/* simproc.c - test helper: run a real ikc-sim in a temporary folder and stop it */
#include "simproc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64

static const char *sim_binary(char *buf, size_t n)
{
	const char *bin = getenv("IKC_SIM_BIN");
	const char *build = getenv("IKC_BUILD_DIR");

	if (bin && *bin)
		return bin;
	snprintf(buf, n, "%s/sim/ikc-sim", build && *build ? build : "build");
	return buf;
}

/* Splits s on spaces into argv (single quotes group); returns count. */
static int split_args(char *s, char **argv, int max)
{
	int n = 0;

	while (*s && n < max) {
		char *out;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		argv[n++] = out = s;
		while (*s && *s != ' ') {
			if (*s == '\'') {
				s++;
				while (*s && *s != '\'')
					*out++ = *s++;
				if (*s)
					s++;
			} else {
				*out++ = *s++;
			}
		}
		if (*s)
			s++;
		*out = '\0';
	}
	return n;
}

static int read_port(const char *dir)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int port = 0;

	snprintf(path, sizeof(path), "%s/ready", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &port) != 1)
		port = 0;
	fclose(f);
	return port;
}

int simproc_start_in(struct simproc *p, const char *dir, const char *extra_args)
{
	char binbuf[PATH_MAX], *copy = NULL, *argv[MAX_ARGS + 8];
	char logpath[PATH_MAX + 16], readypath[PATH_MAX + 16];
	const char *bin = sim_binary(binbuf, sizeof(binbuf));
	int argc = 0, i, status;
	pid_t pid;

	p->pid = -1;
	p->port = 0;
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	snprintf(logpath, sizeof(logpath), "%s/sim.log", dir);
	snprintf(readypath, sizeof(readypath), "%s/ready", dir);
	(void)unlink(readypath);
	copy = strdup(extra_args ? extra_args : "");
	if (!copy)
		return -1;
	argv[argc++] = (char *)bin;
	argv[argc++] = "serve";
	argv[argc++] = "--dir";
	argv[argc++] = p->dir;
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argc += split_args(copy, argv + argc, MAX_ARGS);
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0) {
		free(copy);
		return -1;
	}
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
			close(fd);
		}
		execv(bin, argv);
		fprintf(stderr, "simproc: cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	free(copy);
	p->pid = pid;
	/* ASan builds start slowly; wait up to 60 s for the ready file. */
	for (i = 0; i < 6000; i++) {
		if (access(readypath, F_OK) == 0) {
			p->port = read_port(dir);
			if (p->port > 0)
				break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "simproc: ikc-sim exited early (see %s)\n",
				logpath);
			p->pid = -1;
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	if (p->port <= 0) {
		fprintf(stderr, "simproc: ikc-sim did not become ready\n");
		simproc_terminate(p);
		return -1;
	}
	snprintf(p->url, sizeof(p->url), "https://127.0.0.1:%d/", p->port);
	snprintf(p->ca, sizeof(p->ca), "%s/ca.pem", dir);
	snprintf(p->credentials, sizeof(p->credentials), "%s/credentials.json",
		 dir);
	return 0;
}

int simproc_start(struct simproc *p, const char *extra_args)
{
	char tmpl[] = "/tmp/ikc-sim-test-XXXXXX";

	memset(p, 0, sizeof(*p));
	if (!mkdtemp(tmpl)) {
		perror("simproc: mkdtemp");
		return -1;
	}
	if (simproc_start_in(p, tmpl, extra_args) < 0) {
		fprintf(stderr, "simproc: log kept in %s/sim.log\n", tmpl);
		return -1;
	}
	p->own_dir = 1;
	return 0;
}

int simproc_terminate(struct simproc *p)
{
	int status = 0, i;

	if (p->pid <= 0)
		return -1;
	if (kill(p->pid, SIGTERM) < 0)
		return -1;
	for (i = 0; i < 3000; i++) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);

		if (r == p->pid) {
			p->pid = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	(void)kill(p->pid, SIGKILL);
	(void)waitpid(p->pid, &status, 0);
	p->pid = -1;
	return -1;
}

/* Removes the files the sim and the tests left in `dir`, then `dir`. */
static void remove_tree(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	for (e = readdir(d); e; e = readdir(d)) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	closedir(d);
	(void)rmdir(dir);
}

void simproc_stop(struct simproc *p)
{
	(void)simproc_terminate(p);
	if (p->own_dir && p->dir[0])
		remove_tree(p->dir);
	p->own_dir = 0;
}
