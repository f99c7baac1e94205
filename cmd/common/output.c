/* Output files that are complete or absent: write to a temporary file beside the target, then
 * rename. A signal handler removes the temporary file if the command is interrupted. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

/* The temporary files a command has open (one per signing thread); the signal handler only
 * reads this table, and a slot is claimed under a lock. */
#define PENDING_SLOTS 64
static char pending_temp[PENDING_SLOTS][4096];
static volatile sig_atomic_t pending_set[PENDING_SLOTS];
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;

static void remove_pending(int signo)
{
    for (int i = 0; i < PENDING_SLOTS; i++)
        if (pending_set[i])
            unlink(pending_temp[i]);
    signal(signo, SIG_DFL);
    raise(signo);
}

static int claim_slot(const char *temp_path)
{
    pthread_mutex_lock(&pending_lock);
    int slot = -1;
    for (int i = 0; i < PENDING_SLOTS && slot < 0; i++)
        if (!pending_set[i]) {
            memcpy(pending_temp[i], temp_path, sizeof pending_temp[i]);
            pending_set[i] = 1;
            slot = i;
        }
    pthread_mutex_unlock(&pending_lock);
    return slot;
}

static void release_slot(int slot)
{
    if (slot >= 0)
        pending_set[slot] = 0;
}

static void install_handlers_once(void);

static void install_handlers(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_handlers_once);
}

static void install_handlers_once(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = remove_pending;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGPIPE, &action, NULL);
    /* A hang-up the command was started ignoring stays ignored: `nohup segl-sign ... &` must
     * outlive its terminal. (SIGINT is not treated so: a shell starts background jobs with it
     * ignored, and a kill -INT must still remove the temporary file.) */
    struct sigaction inherited;
    if (sigaction(SIGHUP, NULL, &inherited) != 0 || inherited.sa_handler != SIG_IGN)
        sigaction(SIGHUP, &action, NULL);
}

int cmd_output_open(cmd_output *out, const char *prog, const char *path)
{
    memset(out, 0, sizeof *out);
    out->slot = -1;
    if (strcmp(path, "-") == 0) {
        out->to_stdout = 1;
        out->stream = stdout;
        return 0;
    }
    if (snprintf(out->final_path, sizeof out->final_path, "%s", path) >=
        (int)sizeof out->final_path) {
        cmd_error(prog, path, "path too long");
        return -1;
    }
    char dir_buf[4096];
    snprintf(dir_buf, sizeof dir_buf, "%s", path);
    const char *dir = dirname(dir_buf);
    if (snprintf(out->temp_path, sizeof out->temp_path, "%s/.segl-tmp-XXXXXX", dir) >=
        (int)sizeof out->temp_path) {
        cmd_error(prog, path, "path too long");
        return -1;
    }
    install_handlers();
    int fd = mkstemp(out->temp_path);
    if (fd < 0) {
        cmd_error(prog, path, "cannot create output: %s", strerror(errno));
        return -1;
    }
    /* mkstemp makes 0600; a signature is as public as a file the user would create: 0666 & ~umask. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    out->slot = claim_slot(out->temp_path);
    out->stream = fdopen(fd, "wb");
    if (!out->stream) {
        close(fd);
        cmd_output_abort(out);
        cmd_error(prog, path, "cannot create output: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int cmd_output_commit(cmd_output *out, const char *prog)
{
    if (out->to_stdout)
        return fflush(stdout) == 0 ? 0 : -1;
    int failed = fflush(out->stream) != 0 || fsync(fileno(out->stream)) != 0;
    failed |= fclose(out->stream) != 0;
    out->stream = NULL;
    if (!failed && out->keep_existing) {
        /* link() fails with EEXIST when the name is taken, even by a file made a moment ago:
         * no window between looking and writing. A file system without hard links gets the
         * look, then the rename. */
        struct stat st;
        if (link(out->temp_path, out->final_path) == 0) {
            unlink(out->temp_path);
            release_slot(out->slot);
            return 0;
        }
        if (errno == EEXIST || lstat(out->final_path, &st) == 0) {
            cmd_error(prog, out->final_path, "already exists and is not replaced (remove it, or "
                                             "name the output with -o)");
            cmd_output_abort(out);
            return -2;
        }
    }
    if (failed || rename(out->temp_path, out->final_path) != 0) {
        cmd_error(prog, out->final_path, "cannot write output: %s", strerror(errno));
        cmd_output_abort(out);
        return -1;
    }
    release_slot(out->slot);
    return 0;
}

void cmd_output_abort(cmd_output *out)
{
    if (out->to_stdout)
        return;
    if (out->stream)
        fclose(out->stream);
    out->stream = NULL;
    if (out->temp_path[0])
        unlink(out->temp_path);
    release_slot(out->slot);
}

int cmd_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cmd_refuse_directory(const char *prog, const char *path, const char *what)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    cmd_error(prog, path, "is a directory (%s)", what);
    return 1;
}
