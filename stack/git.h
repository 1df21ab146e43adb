#ifndef IKC_STACK_GIT_H
#define IKC_STACK_GIT_H

/*
 * git.h - the stack file read from a git revision (--git REPO[#REF]) with
 * libgit2, without a checkout.  git_* types stay inside stack/git.c.
 */

#include "stack/stack.h"
#include "util/diag.h"

/**
 * Loads the stack file `path` (a path inside the repository) from the tree
 * of REF in REPO, where `repo_ref` is "REPO" or "REPO#REF" (REF defaults to
 * HEAD; a branch, tag, remote branch or commit id).  REPO is a local
 * repository path (bare or with a work tree), or a file://, https:// or
 * http:// URL: a URL is fetched into a cache repository under
 * `cache_dir`/git/ (created when missing) and REF is then looked up among
 * the fetched branches and tags.
 *
 * A user:password@ part of a URL is used to fetch, but never shown: it is
 * left out of messages and of the stack's file name, and the password is
 * registered for redaction.
 *
 * The stack gets git_commit (40 hex digits) and git_ref (REF as given, or
 * "HEAD").  Its `file` reads "REPO#REF:PATH" in messages; relative paths in
 * it start at the folder of PATH in the repository's work tree for a local
 * non-bare repository, else at the current directory.
 *
 * Errors: IKC_ENOTFOUND (message names the repository, the ref or the path
 * that does not exist), IKC_EINVALID with diags (the file itself is
 * invalid), IKC_ERROR (libgit2's message).
 */
int ikc_stack_load_git(ikc_stack **out, ikc_diags *diags, const char *repo_ref,
		       const char *path, const char *cache_dir,
		       const ikc_load_options *opts);

#endif /* IKC_STACK_GIT_H */
