/* file.c - the file:// state backend: atomic replacement, backup, lock file */
#include "state/file/file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>        /* for flock (serialises lock takeovers) */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state/state_internal.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#define LOCK_FILE_MAX ((size_t)64 << 10)
#define WRITE_LOCK_TIMEOUT 2.0    /* seconds a lock-less write waits */
#define BACKOFF_FIRST 0.02
#define BACKOFF_MAX 0.5

/* Internal: the lock file changed under us; look again. */
#define LOCK_RETRY 1

typedef struct file_backend {
	ikc_backend parent;     /* first: an ikc_backend * is a file_backend * */
	char *url;
	char *path;
	char *dir;
	char *lock_path;
	char *lock_tmp;         /* PATH.lock.new.<pid>: built, then linked */
	char *backup_path;
	char *backup_tmp;       /* PATH.backup.tmp.<pid>: linked, then renamed */
	char held[37];          /* id of the lock this handle holds, or "" */
	long held_pid;          /* process that took it */
	/*
	 * The stored file this handle last read or wrote and validated: its
	 * identity (device, inode, size, change times) and its lineage and
	 * serial.  While the file on disk still has this identity, a write
	 * need not read and parse it again to compare versions.
	 */
	int known;
	struct stat known_stat;
	char known_lineage[37];
	uint64_t known_serial;
} file_backend;

/* What the stored file holds, as far as compare-and-swap cares. */
typedef struct stored_meta {
	int exists;
	struct stat sb;         /* identity of the file read (when exists) */
	char lineage[37];
	uint64_t serial;
} stored_meta;

static int ensure_dir(file_backend *fb)
{
	return ikc_fs_mkdirs(fb->dir, 0700);
}

/* Reads an open file from its start into `out` (at most `max` bytes). */
static int read_fd(ikc_buf *out, int fd, size_t max, const char *path)
{
	char chunk[4096];
	off_t off = 0;

	for (;;) {
		ssize_t n = pread(fd, chunk, sizeof(chunk), off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ikc_error_set_os(IKC_ERR_OS, "cannot read %s", path);
		}
		if (n == 0)
			break;
		off += n;
		if ((size_t)off > max)
			return ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
				"%s is larger than %zu bytes", path, max);
		if (ikc_buf_put(out, chunk, (size_t)n) < 0)
			return IKC_ERROR;
	}
	return ikc_buf_put(out, "", 0);
}

/* Decodes the lock file behind an open descriptor. */
static int lock_read_fd(ikc_lock_info *out, int fd, const char *path)
{
	ikc_buf raw = IKC_BUF_INIT(LOCK_FILE_MAX);
	int error;

	memset(out, 0, sizeof(*out));
	error = read_fd(&raw, fd, LOCK_FILE_MAX, path);
	if (error == 0)
		error = ikc_lock__decode(out, raw.ptr, raw.len, "its content");
	if (error < 0 && error != IKC_ERROR) {
		/* The message buffer is the source: copy it before re-setting. */
		char *why = strdup(ikc_error_last());

		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"lock file %s is unreadable (%s); if no ikc run is "
			"active, delete it", path, why ? why : "invalid");
		free(why);
	}
	ikc_buf_dispose(&raw);
	return error;
}

/* Who holds the lock now: 0, IKC_ENOTFOUND, IKC_EINVALID or IKC_ERROR. */
static int lock_read(file_backend *fb, ikc_lock_info *out)
{
	int fd, error;

	memset(out, 0, sizeof(*out));
	fd = open(fb->lock_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
				"the state at %s is not locked", fb->path);
		return ikc_error_set_os(IKC_ERR_OS, "cannot open %s", fb->lock_path);
	}
	error = lock_read_fd(out, fd, fb->lock_path);
	close(fd);
	return error;
}

/* 1 if the holder was a process on this host that no longer runs. */
static int holder_is_dead(const ikc_lock_info *holder)
{
	char host[256];

	if (gethostname(host, sizeof(host)) < 0)
		return 0;
	host[sizeof(host) - 1] = '\0';
	if (!holder->host || strcmp(holder->host, host) != 0 || holder->pid <= 0 ||
	    holder->pid == (long)getpid())
		return 0;
	return kill((pid_t)holder->pid, 0) < 0 && errno == ESRCH;
}

/* Writes the lock info, complete and synced, to fb->lock_tmp. */
static int write_lock_tmp(file_backend *fb, const ikc_lock_info *info)
{
	ikc_buf text = IKC_BUF_INIT(LOCK_FILE_MAX);
	int fd = -1, rc, error;

	error = ikc_lock__encode(&text, info);
	if (error < 0)
		goto done;
	/* Named after the current process: a forked child must not share it. */
	free(fb->lock_tmp);
	fb->lock_tmp = ikc_asprintf("%s.new.%ld", fb->lock_path, (long)getpid());
	if (!fb->lock_tmp) {
		error = ikc_error_oom();
		goto done;
	}
	(void)unlink(fb->lock_tmp);    /* a leftover of a killed run with our pid */
	fd = open(fb->lock_tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		error = ikc_error_set_os(IKC_ERR_OS, "cannot create %s", fb->lock_tmp);
		goto done;
	}
	rc = ikc_fs_write_all(fd, text.ptr, text.len);
	if (rc == 0)
		rc = fsync(fd);
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0) {
		error = ikc_error_set_os(IKC_ERR_OS, "cannot write %s", fb->lock_tmp);
		(void)unlink(fb->lock_tmp);
	}
done:
	ikc_buf_dispose(&text);
	return error;
}

/*
 * Creates the lock file exclusively with its content already in place:
 * link() of a finished temporary fails with EEXIST like O_CREAT|O_EXCL, but
 * nobody can see a half-written lock.  File systems without hard links get
 * O_CREAT|O_EXCL.  0, IKC_EEXISTS or IKC_ERROR.
 */
static int create_lock(file_backend *fb, const ikc_lock_info *info)
{
	ikc_buf text = IKC_BUF_INIT(LOCK_FILE_MAX);
	int fd, rc, error;

	error = write_lock_tmp(fb, info);
	if (error < 0)
		return error;
	rc = link(fb->lock_tmp, fb->lock_path);
	if (rc == 0 || errno == EEXIST) {
		int exists = rc < 0;

		(void)unlink(fb->lock_tmp);
		if (exists)
			return IKC_EEXISTS;
		return ikc_fs_fsync_dir(fb->dir);
	}
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP &&
	    errno != ENOSYS) {
		error = ikc_error_set_os(IKC_ERR_OS, "cannot create %s", fb->lock_path);
		(void)unlink(fb->lock_tmp);
		return error;
	}
	(void)unlink(fb->lock_tmp);
	fd = open(fb->lock_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return IKC_EEXISTS;
		return ikc_error_set_os(IKC_ERR_OS, "cannot create %s", fb->lock_path);
	}
	error = ikc_lock__encode(&text, info);
	rc = error < 0 ? -1 : ikc_fs_write_all(fd, text.ptr, text.len);
	if (rc == 0)
		rc = fsync(fd);
	if (close(fd) < 0)
		rc = -1;
	ikc_buf_dispose(&text);
	if (rc < 0) {
		if (error == 0)
			error = ikc_error_set_os(IKC_ERR_OS, "cannot write %s",
						 fb->lock_path);
		(void)unlink(fb->lock_path);
		return error;
	}
	return ikc_fs_fsync_dir(fb->dir);
}

/*
 * Opens the current lock file and holds flock() on it, so that takeovers and
 * releases of one lock file happen one at a time.  LOCK_RETRY when it was
 * replaced or removed meanwhile; IKC_ENOTFOUND when there is none.
 */
static int open_locked(file_backend *fb, int *fd_out)
{
	struct stat a, b;
	int fd;

	*fd_out = -1;
	fd = open(fb->lock_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
				"the state at %s is not locked", fb->path);
		return ikc_error_set_os(IKC_ERR_OS, "cannot open %s", fb->lock_path);
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return ikc_error_set_os(IKC_ERR_OS, "cannot lock %s",
						fb->lock_path);
		}
	}
	if (fstat(fd, &a) < 0 || stat(fb->lock_path, &b) < 0 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		close(fd);
		return LOCK_RETRY;
	}
	*fd_out = fd;
	return 0;
}

/* Removes the temporary files a dead process `pid` of this host left behind. */
static void remove_leftovers(file_backend *fb, long pid)
{
	char *names[3];
	size_t i;

	names[0] = ikc_asprintf("%s.tmp.%ld", fb->path, pid);   /* ikc_fs_write_atomic */
	names[1] = ikc_asprintf("%s.tmp.%ld", fb->backup_path, pid);
	names[2] = ikc_asprintf("%s.new.%ld", fb->lock_path, pid);
	for (i = 0; i < 3; i++) {
		if (names[i])
			(void)unlink(names[i]);
		free(names[i]);
	}
}

/* Replaces the dead holder's lock (still `holder`) with ours. */
static int take_over(file_backend *fb, const ikc_lock_info *info,
		     const ikc_lock_info *holder)
{
	ikc_lock_info cur;
	ikc_buf who = IKC_BUF_INIT(4096);
	int fd, error;

	error = open_locked(fb, &fd);
	if (error == IKC_ENOTFOUND)
		return LOCK_RETRY;
	if (error != 0)
		return error;
	error = lock_read_fd(&cur, fd, fb->lock_path);
	if (error < 0 || strcmp(cur.id, holder->id) != 0 || !holder_is_dead(&cur)) {
		/* Someone else got there first: look again. */
		error = LOCK_RETRY;
		goto done;
	}
	error = write_lock_tmp(fb, info);
	if (error < 0)
		goto done;
	if (rename(fb->lock_tmp, fb->lock_path) < 0) {
		error = ikc_error_set_os(IKC_ERR_OS, "cannot replace %s", fb->lock_path);
		(void)unlink(fb->lock_tmp);
		goto done;
	}
	error = ikc_fs_fsync_dir(fb->dir);
	if (error < 0)
		goto done;
	remove_leftovers(fb, cur.pid);
	(void)ikc_lock_info_describe(&who, &cur);
	ikc_log(IKC_LOG_WARN, "took over the state lock of %s: that process no "
		"longer runs on this host", who.ptr ? who.ptr : cur.id);
done:
	ikc_buf_dispose(&who);
	ikc_lock_info_dispose(&cur);
	close(fd);
	return error;
}

/*
 * One attempt: 0 (ours), IKC_ELOCKED (holder filled when readable, message
 * set only for an unreadable lock), or another error.
 */
static int acquire_once(file_backend *fb, const ikc_lock_info *info,
			ikc_lock_info *holder)
{
	int attempt, error;

	memset(holder, 0, sizeof(*holder));
	for (attempt = 0; attempt < 20; attempt++) {
		error = create_lock(fb, info);
		if (error != IKC_EEXISTS)
			return error;
		error = lock_read(fb, holder);
		if (error == IKC_ENOTFOUND)
			continue;                /* released meanwhile */
		if (error == IKC_EINVALID)
			return IKC_ELOCKED;      /* the message says why */
		if (error < 0)
			return error;
		if (!holder_is_dead(holder))
			return IKC_ELOCKED;
		error = take_over(fb, info, holder);
		ikc_lock_info_dispose(holder);
		if (error != LOCK_RETRY)
			return error;
	}
	return ikc_error_set_code(IKC_ELOCKED, IKC_ERR_STATE,
		"the lock %s keeps changing hands; try again", fb->lock_path);
}

/* Sleeps `seconds`; IKC_EINTERRUPTED when a signal handler ran. */
static int nap(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
		return ikc_error_set_code(IKC_EINTERRUPTED, IKC_ERR_STATE,
			"interrupted while waiting for the state lock");
	return 0;
}

static int fb_lock(ikc_backend *be, const ikc_lock_info *info, double timeout)
{
	file_backend *fb = (file_backend *)be;
	ikc_lock_info holder;
	double start = ikc_time_monotonic(), delay = BACKOFF_FIRST;
	int error;

	if (!info || strlen(info->id) != 36)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "a state lock needs a lock id");
	error = ensure_dir(fb);
	if (error < 0)
		return error;
	for (;;) {
		double waited, jitter;
		unsigned char r = 128;

		error = acquire_once(fb, info, &holder);
		if (error == 0) {
			memcpy(fb->held, info->id, sizeof(fb->held));
			fb->held_pid = (long)getpid();
			return 0;
		}
		if (error != IKC_ELOCKED)
			return error;
		if (holder.id[0] && !strcmp(holder.id, info->id) &&
		    holder.pid == (long)getpid()) {
			/* Taken with this very id by this process already. */
			ikc_lock_info_dispose(&holder);
			memcpy(fb->held, info->id, sizeof(fb->held));
			fb->held_pid = (long)getpid();
			return 0;
		}
		waited = ikc_time_monotonic() - start;
		if (waited >= timeout) {
			if (holder.id[0])
				error = ikc_lock__refuse(&holder,
							 timeout > 0 ? waited : 0);
			ikc_lock_info_dispose(&holder);
			return error;
		}
		ikc_lock_info_dispose(&holder);
		/* Spread the waiters out so they do not poll in step. */
		(void)ikc_random_bytes(&r, 1);
		jitter = delay * (0.5 + (double)r / 255.0);
		if (jitter > timeout - waited)
			jitter = timeout - waited;
		error = nap(jitter);
		if (error < 0)
			return error;
		delay = delay * 2 > BACKOFF_MAX ? BACKOFF_MAX : delay * 2;
	}
}

/* Removes the lock if it is held with `lock_id`. */
static int release(file_backend *fb, const char *lock_id)
{
	ikc_lock_info cur;
	ikc_buf who = IKC_BUF_INIT(4096);
	int fd = -1, error, attempt;

	if (!lock_id || !*lock_id)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "no lock id given");
	for (attempt = 0; attempt < 20; attempt++) {
		error = open_locked(fb, &fd);
		if (error != LOCK_RETRY)
			break;
	}
	if (error == LOCK_RETRY)
		return ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"the lock %s keeps changing hands; try again", fb->lock_path);
	if (error < 0)
		return error;
	error = lock_read_fd(&cur, fd, fb->lock_path);
	if (error < 0)
		goto done;
	if (strcmp(cur.id, lock_id) != 0) {
		(void)ikc_lock_info_describe(&who, &cur);
		error = ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"lock id %s does not hold the state lock; it is held by %s",
			lock_id, who.ptr ? who.ptr : cur.id);
		goto done;
	}
	if (unlink(fb->lock_path) < 0) {
		error = ikc_error_set_os(IKC_ERR_OS, "cannot remove %s", fb->lock_path);
		goto done;
	}
	error = ikc_fs_fsync_dir(fb->dir);
done:
	ikc_buf_dispose(&who);
	ikc_lock_info_dispose(&cur);
	close(fd);
	return error;
}

static int fb_unlock(ikc_backend *be, const char *lock_id)
{
	file_backend *fb = (file_backend *)be;
	int error = release(fb, lock_id);

	if ((error == 0 || error == IKC_ENOTFOUND) && lock_id &&
	    !strcmp(fb->held, lock_id))
		fb->held[0] = '\0';
	return error;
}

static int fb_force_unlock(ikc_backend *be, const char *lock_id)
{
	return fb_unlock(be, lock_id);
}

static int fb_lock_holder(ikc_backend *be, ikc_lock_info *out)
{
	return lock_read((file_backend *)be, out);
}

/* The serial in decimal: the version token. */
static char *serial_text(uint64_t serial)
{
	return ikc_asprintf("%" PRIu64, serial);
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void remember(file_backend *fb, const stored_meta *m)
{
	fb->known = m->exists;
	if (!m->exists)
		return;
	fb->known_stat = m->sb;
	memcpy(fb->known_lineage, m->lineage, sizeof(fb->known_lineage));
	fb->known_serial = m->serial;
}

/*
 * Reads the stored file into `out` (appended) and validates it; `what`
 * names it in messages.  meta->exists is 0 (and 0 returned) when there is
 * no file.  Remembers what it read when valid, forgets otherwise.
 */
static int read_stored(file_backend *fb, ikc_buf *out, stored_meta *meta,
		       const char *what)
{
	ikc_state *st = NULL;
	size_t start = out->len;
	int fd, error;

	memset(meta, 0, sizeof(*meta));
	fb->known = 0;
	fd = open(fb->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ikc_error_set_os(IKC_ERR_OS, "cannot open %s", fb->path);
	}
	if (fstat(fd, &meta->sb) < 0) {
		error = ikc_error_set_os(IKC_ERR_OS, "cannot read %s", fb->path);
		close(fd);
		return error;
	}
	error = read_fd(out, fd, IKC_STATE_MAX, fb->path);
	close(fd);
	if (error < 0)
		return error;
	error = ikc_state_parse(&st, out->ptr + start, out->len - start, what);
	if (error < 0)
		return error;
	meta->exists = 1;
	snprintf(meta->lineage, sizeof(meta->lineage), "%s", ikc_state_lineage(st));
	meta->serial = ikc_state_serial(st);
	ikc_state_free(st);
	remember(fb, meta);
	return 0;
}

static int fb_read(ikc_backend *be, ikc_buf *out, char **version_out)
{
	file_backend *fb = (file_backend *)be;
	stored_meta meta;
	char *what = NULL;
	int error;

	*version_out = NULL;
	what = ikc_asprintf("state file %s", fb->path);
	if (!what)
		return ikc_error_oom();
	error = read_stored(fb, out, &meta, what);
	free(what);
	if (error < 0)
		return error;
	if (!meta.exists)
		return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_STATE,
					  "no state is stored at %s yet", fb->path);
	*version_out = serial_text(meta.serial);
	return *version_out ? 0 : ikc_error_oom();
}

/* Checks that the lock this handle took is still ours. */
static int check_held(file_backend *fb)
{
	ikc_lock_info cur;
	int error = lock_read(fb, &cur);

	if (error == 0 && !strcmp(cur.id, fb->held)) {
		ikc_lock_info_dispose(&cur);
		return 0;
	}
	ikc_lock_info_dispose(&cur);
	if (error < 0 && error != IKC_ENOTFOUND && error != IKC_EINVALID)
		return error;
	return ikc_error_set_code(IKC_ELOCKED, IKC_ERR_STATE,
		"the state lock of this run (id %s) was released or taken over; "
		"not writing %s", fb->held, fb->path);
}

/*
 * What is stored now: the remembered lineage and serial while the file is
 * still the one this handle last read or wrote, otherwise read and parsed
 * (a file that is not a valid ikc state is refused: never overwritten).
 */
static int stored_now(file_backend *fb, stored_meta *meta)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	int error;

	memset(meta, 0, sizeof(*meta));
	if (fb->known) {
		if (stat(fb->path, &meta->sb) == 0 &&
		    same_file(&meta->sb, &fb->known_stat)) {
			meta->exists = 1;
			memcpy(meta->lineage, fb->known_lineage, sizeof(meta->lineage));
			meta->serial = fb->known_serial;
			return 0;
		}
		fb->known = 0;
	}
	error = read_stored(fb, &raw, meta, NULL);
	ikc_buf_dispose(&raw);
	if (error == IKC_EINVALID) {
		char *why = strdup(ikc_error_last());

		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"existing state file %s is not a usable ikc state (%s); "
			"not overwriting it", fb->path, why ? why : "invalid");
		free(why);
	}
	return error;
}

/* Compares what is stored with what the caller read; 0 if it may go. */
static int compare_stored(file_backend *fb, const stored_meta *cur,
			  const char *lineage, uint64_t serial,
			  const char *expected)
{
	char *stored = NULL;
	int error = 0;

	if (!cur->exists) {
		if (expected)
			return ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
				"state changed since it was read (serial %s, now "
				"removed from %s)", expected, fb->path);
		return 0;
	}
	stored = serial_text(cur->serial);
	if (!stored) {
		error = ikc_error_oom();
	} else if (!expected) {
		error = ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
			"a state is already stored at %s (serial %s); load it "
			"instead of starting a new one", fb->path, stored);
	} else if (strcmp(cur->lineage, lineage) != 0) {
		error = ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_STATE,
			"the state at %s has lineage %s, not %s: it is another "
			"state; not overwriting it", fb->path, cur->lineage, lineage);
	} else if (strcmp(stored, expected) != 0) {
		error = ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
			"state changed since it was read (serial %s, now %s)",
			expected, stored);
	} else if (serial <= cur->serial) {
		error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
			"the new state's serial %" PRIu64 " must be greater than "
			"the stored serial %s", serial, stored);
	}
	free(stored);
	return error;
}

/*
 * Makes PATH.backup the file that is stored now (`cur`): a hard link to it
 * under a temporary name renamed over the backup, so no bytes are copied;
 * a copy where the file system has no hard links.  IKC_ESTALE when the file
 * was replaced since it was checked.
 */
static int make_backup(file_backend *fb, const stored_meta *cur)
{
	ikc_buf raw = IKC_BUF_INIT(IKC_STATE_MAX);
	struct stat sb;
	int error = 0;

	free(fb->backup_tmp);
	fb->backup_tmp = ikc_asprintf("%s.tmp.%ld", fb->backup_path, (long)getpid());
	if (!fb->backup_tmp)
		return ikc_error_oom();
	(void)unlink(fb->backup_tmp);    /* a leftover of a killed run with our pid */
	if (link(fb->path, fb->backup_tmp) == 0) {
		if (lstat(fb->backup_tmp, &sb) < 0 || sb.st_ino != cur->sb.st_ino ||
		    sb.st_dev != cur->sb.st_dev) {
			(void)unlink(fb->backup_tmp);
			fb->known = 0;
			return ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
				"%s was replaced while it was being saved; "
				"load it again", fb->path);
		}
		if (rename(fb->backup_tmp, fb->backup_path) < 0) {
			error = ikc_error_set_os(IKC_ERR_OS, "cannot replace %s",
						 fb->backup_path);
			(void)unlink(fb->backup_tmp);
		}
		return error;  /* the folder is synced after the state's rename */
	}
	if (errno == ENOENT) {
		fb->known = 0;
		return ikc_error_set_code(IKC_ESTALE, IKC_ERR_STATE,
			"%s was removed while it was being saved", fb->path);
	}
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP &&
	    errno != ENOSYS && errno != EMLINK && errno != EXDEV)
		return ikc_error_set_os(IKC_ERR_OS, "cannot create %s", fb->backup_tmp);
	error = ikc_fs_read_file(&raw, fb->path, IKC_STATE_MAX);
	if (error == 0)
		error = ikc_fs_write_atomic(fb->backup_path, raw.ptr, raw.len, 0600);
	ikc_buf_dispose(&raw);
	return error;
}

/*
 * The write: `data` is a valid state document with this lineage and serial
 * (checked by the caller).
 */
static int write_doc(file_backend *fb, const char *data, size_t len,
		     const char *lineage, uint64_t serial,
		     const char *expected_version, char **new_version_out)
{
	ikc_lock_info self;
	stored_meta cur, now;
	int error, transient = 0;

	*new_version_out = NULL;
	memset(&self, 0, sizeof(self));
	memset(&now, 0, sizeof(now));
	error = ensure_dir(fb);
	if (error < 0)
		goto done;
	if (fb->held[0] && fb->held_pid == (long)getpid()) {
		error = check_held(fb);
	} else {
		/* No lock held: take one for this write so the check is atomic. */
		error = ikc_lock_info_self(&self, "ikc (state write)");
		if (error == 0)
			error = fb_lock(&fb->parent, &self, WRITE_LOCK_TIMEOUT);
		transient = error == 0;
	}
	if (error < 0)
		goto done;
	error = stored_now(fb, &cur);
	if (error == 0)
		error = compare_stored(fb, &cur, lineage, serial, expected_version);
	if (error == 0 && cur.exists)
		error = make_backup(fb, &cur);
	if (error < 0)
		goto done;
	fb->known = 0;
	error = ikc_fs_write_atomic(fb->path, data, len, 0600);
	if (error < 0)
		goto done;
	/* Remember what was just written (we hold the lock: nobody else writes). */
	if (stat(fb->path, &now.sb) == 0 && (size_t)now.sb.st_size == len) {
		now.exists = 1;
		snprintf(now.lineage, sizeof(now.lineage), "%s", lineage);
		now.serial = serial;
		remember(fb, &now);
	}
	*new_version_out = serial_text(serial);
	if (!*new_version_out)
		error = ikc_error_oom();
done:
	if (transient) {
		if (error < 0)
			(void)release(fb, self.id);  /* keep the first message */
		else
			error = release(fb, self.id);
		fb->held[0] = '\0';
	}
	ikc_lock_info_dispose(&self);
	return error;
}

static int fb_write(ikc_backend *be, const char *data, size_t len,
		    const char *expected_version, char **new_version_out)
{
	ikc_state *next = NULL;
	int error;

	*new_version_out = NULL;
	error = ikc_state_parse(&next, data, len, "the state to store");
	if (error < 0)
		return error;
	error = write_doc((file_backend *)be, data, len, ikc_state_lineage(next),
			  ikc_state_serial(next), expected_version,
			  new_version_out);
	ikc_state_free(next);
	return error;
}

int ikc_file_backend__write_state(ikc_backend *be, const char *data,
				  size_t len, const char *lineage,
				  uint64_t serial, const char *expected_version,
				  char **new_version_out)
{
	if (be->write != fb_write)
		return be->write(be, data, len, expected_version, new_version_out);
	return write_doc((file_backend *)be, data, len, lineage, serial,
			 expected_version, new_version_out);
}

static void fb_free(ikc_backend *be)
{
	file_backend *fb = (file_backend *)be;

	if (!fb)
		return;
	if (fb->held[0] && fb->held_pid == (long)getpid())
		(void)release(fb, fb->held);
	free(fb->url);
	free(fb->path);
	free(fb->dir);
	free(fb->lock_path);
	free(fb->lock_tmp);
	free(fb->backup_path);
	free(fb->backup_tmp);
	free(fb);
}

int ikc_file_backend_open(ikc_backend **out, const char *path)
{
	file_backend *fb;

	*out = NULL;
	if (!path || !*path)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_STATE,
					  "the state file path is empty");
	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return ikc_error_oom();
	fb->path = strdup(path);
	fb->url = ikc_asprintf("file://%s", path);
	fb->dir = ikc_fs_dirname(path);
	fb->lock_path = ikc_asprintf("%s.lock", path);
	fb->backup_path = ikc_asprintf("%s.backup", path);
	if (!fb->path || !fb->url || !fb->dir || !fb->lock_path ||
	    !fb->backup_path) {
		fb_free(&fb->parent);
		return ikc_error_oom();
	}
	fb->parent.version = 1;
	fb->parent.url = fb->url;
	fb->parent.read = fb_read;
	fb->parent.write = fb_write;
	fb->parent.lock = fb_lock;
	fb->parent.unlock = fb_unlock;
	fb->parent.force_unlock = fb_force_unlock;
	fb->parent.lock_holder = fb_lock_holder;
	fb->parent.free = fb_free;
	*out = &fb->parent;
	return 0;
}
