/* git.c - the stack file read from a git revision with libgit2 (local repository or fetched URL) */
#include "stack/git.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

/* The last libgit2 message, or a fallback. */
static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static int is_url(const char *repo)
{
	return strstr(repo, "://") != NULL;
}

/* Trusts IKC_CA_BUNDLE for https fetches too (as the HTTP client does). */
static void trust_ca_bundle(void)
{
	const char *ca = getenv("IKC_CA_BUNDLE");

	if (ca && *ca)
		(void)git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ca, NULL);
}

/*
 * Fetches `url` into a bare cache repository under cache_dir/git/, every
 * branch as refs/remotes/origin/NAME and every tag.  *head_out (owned, may
 * stay NULL) gets the remote's default branch as a local ref name.
 */
static int fetch_url(git_repository **out, char **head_out, const char *url,
		     const char *shown, const char *cache_dir)
{
	static char spec_heads[] = "+refs/heads/*:refs/remotes/origin/*";
	static char spec_tags[] = "+refs/tags/*:refs/tags/*";
	char *specs[] = { spec_heads, spec_tags };
	git_strarray refspecs = { specs, 2 };
	git_fetch_options fo;
	git_remote_create_options ro;
	git_remote *remote = NULL;
	git_buf def = { NULL, 0, 0 };
	char *dir = NULL;
	int error = 0;

	*out = NULL;
	*head_out = NULL;
	if (git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION) < 0)
		return ikc_error_set(IKC_ERR_GIT, "libgit2: %s", git_msg());
	dir = ikc_asprintf("%s/git/%016llx", cache_dir,
			   ikc_str_hash64(url, strlen(url)));
	if (!dir)
		return ikc_error_oom();
	if (git_repository_open_bare(out, dir) < 0) {
		if (ikc_fs_mkdirs(dir, 0700) < 0) {
			error = ikc_error_wrap(IKC_ERROR, "git cache %s: ", dir);
			goto cleanup;
		}
		if (git_repository_init(out, dir, 1) < 0) {
			error = ikc_error_set(IKC_ERR_GIT, "git cache %s: %s", dir, git_msg());
			goto cleanup;
		}
	}
	trust_ca_bundle();
	/*
	 * An in-memory remote; url.*.insteadOf is not consulted (libgit2 1.5
	 * leaks a pcre2 match for every config entry that lookup does not match).
	 */
	if (git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION) < 0) {
		error = ikc_error_set(IKC_ERR_GIT, "libgit2: %s", git_msg());
		goto cleanup;
	}
	ro.repository = *out;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(&remote, url, &ro) < 0) {
		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_GIT,
					   "git repository %s: %s", shown, git_msg());
		goto cleanup;
	}
	fo.prune = GIT_FETCH_PRUNE;
	if (git_remote_fetch(remote, &refspecs, &fo, NULL) < 0) {
		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_GIT,
					   "cannot fetch git repository %s: %s", shown, git_msg());
		goto cleanup;
	}
	if (git_remote_default_branch(&def, remote) == 0 && def.ptr &&
	    ikc_str_startswith(def.ptr, "refs/heads/")) {
		*head_out = ikc_asprintf("refs/remotes/origin/%s",
					 def.ptr + strlen("refs/heads/"));
		if (!*head_out)
			error = ikc_error_oom();
	}
cleanup:
	git_buf_dispose(&def);
	git_remote_free(remote);
	if (error) {
		git_repository_free(*out);
		*out = NULL;
	}
	free(dir);
	return error;
}

/*
 * The URL as shown in messages and recorded in plans and the state: without
 * its user:password@ part (a token there is registered for redaction too).
 */
static char *public_url(const char *url)
{
	const char *host = strstr(url, "://"), *at, *slash, *colon;
	char *secret;

	if (!host)
		return strdup(url);
	host += 3;
	slash = strchr(host, '/');
	at = memchr(host, '@', slash ? (size_t)(slash - host) : strlen(host));
	if (!at)
		return strdup(url);
	colon = memchr(host, ':', (size_t)(at - host));
	if (colon) {
		secret = ikc_asprintf("%.*s", (int)(at - colon - 1), colon + 1);
		if (secret)
			ikc_redact_register(secret);
		free(secret);
	}
	return ikc_asprintf("%.*s%s", (int)(host - url), url, at + 1);
}

/* Resolves REF to a commit; in a fetched cache, branch and tag names too. */
static int resolve_commit(git_commit **out, git_repository *repo, const char *ref,
			  const char *fetched_head, const char *repo_name)
{
	git_object *obj = NULL;
	char *name = NULL;
	int found = -1;

	*out = NULL;
	if (fetched_head && !strcmp(ref, "HEAD")) {
		found = git_revparse_single(&obj, repo, fetched_head);
	} else if (fetched_head || is_url(repo_name)) {
		name = ikc_asprintf("refs/remotes/origin/%s", ref);
		if (!name)
			return ikc_error_oom();
		found = git_revparse_single(&obj, repo, name);
		if (found < 0) {
			free(name);
			name = ikc_asprintf("refs/tags/%s", ref);
			if (!name)
				return ikc_error_oom();
			found = git_revparse_single(&obj, repo, name);
		}
		free(name);
	}
	if (found < 0)
		found = git_revparse_single(&obj, repo, ref);
	if (found < 0)
		return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_GIT,
					  "git repository %s has no ref \"%s\" "
					  "(a branch, tag or commit)", repo_name, ref);
	found = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (found < 0)
		return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_GIT,
					  "ref \"%s\" of git repository %s is not a commit",
					  ref, repo_name);
	return 0;
}

/* The blob at `path` in the commit's tree, appended to `out`. */
static int read_blob(ikc_buf *out, git_repository *repo, git_commit *commit,
		     const char *path, const char *repo_name, const char *ref,
		     const char *hex)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int error = 0;

	if (git_commit_tree(&tree, commit) < 0) {
		error = ikc_error_set(IKC_ERR_GIT, "git repository %s: %s", repo_name,
				      git_msg());
		goto cleanup;
	}
	if (git_tree_entry_bypath(&entry, tree, path) < 0) {
		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_GIT,
					   "git repository %s has no file \"%s\" at %s "
					   "(commit %.12s)", repo_name, path, ref, hex);
		goto cleanup;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_GIT,
					   "\"%s\" at %s of git repository %s is not a file",
					   path, ref, repo_name);
		goto cleanup;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0) {
		error = ikc_error_set(IKC_ERR_GIT, "git repository %s: %s", repo_name,
				      git_msg());
		goto cleanup;
	}
	if ((size_t)git_blob_rawsize(blob) > IKC_STACK_FILE_MAX) {
		error = ikc_error_set_code(IKC_ELIMIT, IKC_ERR_GIT,
					   "%s at %s is larger than the limit of %zu bytes",
					   path, ref, (size_t)IKC_STACK_FILE_MAX);
		goto cleanup;
	}
	error = ikc_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
cleanup:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	return error;
}

/* Where relative paths start: the file's folder in a local work tree, else ".". */
static char *base_dir(git_repository *repo, int fetched, const char *path)
{
	const char *wd = fetched ? NULL : git_repository_workdir(repo);
	const char *slash = strrchr(path, '/');

	if (!wd)
		return strdup(".");
	if (!slash)
		return strdup(wd);
	return ikc_asprintf("%s%.*s", wd, (int)(slash - path), path);
}

int ikc_stack_load_git(ikc_stack **out, ikc_diags *diags, const char *repo_ref,
		       const char *path, const char *cache_dir,
		       const ikc_load_options *opts)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	ikc_buf data = IKC_BUF_INIT(IKC_STACK_FILE_MAX + 1);
	char *repo_name = NULL, *fetched_head = NULL, *dir = NULL, *display = NULL;
	char *shown = NULL;
	const char *hash, *ref = "HEAD";
	char hex[GIT_OID_HEXSZ + 1];
	int error = 0;

	*out = NULL;
	if (git_libgit2_init() < 0)
		return ikc_error_set(IKC_ERR_GIT, "libgit2: %s", git_msg());
	repo_name = strdup(repo_ref);
	if (!repo_name) {
		error = ikc_error_oom();
		goto cleanup;
	}
	hash = strrchr(repo_ref, '#');
	if (hash) {
		repo_name[hash - repo_ref] = '\0';
		if (hash[1])
			ref = hash + 1;
	}
	if (!*repo_name) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_GIT,
					   "--git needs a repository: REPO[#REF]");
		goto cleanup;
	}
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/' || !*path) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_GIT,
					   "with --git, -f names a file inside the repository, "
					   "not \"%s\"", path);
		goto cleanup;
	}
	shown = public_url(repo_name);
	if (!shown) {
		error = ikc_error_oom();
		goto cleanup;
	}
	if (is_url(repo_name)) {
		error = fetch_url(&repo, &fetched_head, repo_name, shown, cache_dir);
		if (error)
			goto cleanup;
	} else if (git_repository_open_ext(&repo, repo_name,
					   GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		error = ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_GIT,
					   "no git repository at %s: %s", repo_name, git_msg());
		goto cleanup;
	}
	error = resolve_commit(&commit, repo, ref, fetched_head, shown);
	if (error)
		goto cleanup;
	(void)git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	error = read_blob(&data, repo, commit, path, shown, ref, hex);
	if (error)
		goto cleanup;
	dir = base_dir(repo, is_url(repo_name), path);
	display = ikc_asprintf("%s#%s:%s", shown, ref, path);
	if (!dir || !display) {
		error = ikc_error_oom();
		goto cleanup;
	}
	error = ikc_stack_load_buffer(out, diags, display, dir,
				      data.ptr ? data.ptr : "", data.len, opts);
	if (error)
		goto cleanup;
	(*out)->git_commit = strdup(hex);
	(*out)->git_ref = strdup(ref);
	if (!(*out)->git_commit || !(*out)->git_ref) {
		ikc_stack_free(*out);
		*out = NULL;
		error = ikc_error_oom();
	}
cleanup:
	ikc_buf_dispose(&data);
	git_commit_free(commit);
	git_repository_free(repo);
	free(repo_name);
	free(shown);
	free(fetched_head);
	free(dir);
	free(display);
	/*
	 * No git_libgit2_shutdown(): it tears down OpenSSL state that libcurl
	 * goes on using in this process (per-thread random generators then
	 * leak).  libgit2's globals stay reachable until exit.
	 */
	return error;
}
