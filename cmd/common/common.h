/* What the segl commands share: exit codes, messages, passwords, safe output files. No format
 * logic lives here; that belongs in libsign. */
#ifndef SEGL_CMD_COMMON_H
#define SEGL_CMD_COMMON_H

#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in each command's man page. */
enum {
    EXIT_PASSED = 0,       /* segl-verify: every signature TOTAL_PASSED; others: success */
    EXIT_FAILED = 1,       /* segl-verify: a signature TOTAL_FAILED */
    EXIT_INDETERMINATE = 2,/* segl-verify: INDETERMINATE or no signature found */
    EXIT_USAGE = 3,        /* usage error, unreadable or unparsable input, wrong password */
    EXIT_SOFTWARE = 4      /* could not produce the output (signing or writing failed) */
};

/* The first call of every command's main (start.c). */
void cmd_start(void);

/* On a terminal (stderr is a TTY) and unless quiet: one line on stderr before each network
 * request ctx makes, saying what is fetched from where, so that a wait has a reason. */
struct sign_ctx;
void cmd_show_fetches(const char *prog, struct sign_ctx *ctx, int quiet);

/* "prog: what went wrong" or "prog: file: what went wrong" on stderr, one line. */
void cmd_error(const char *prog, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for the last error on a libsign context, with the option that supplies what the
 * library says is missing ("...: give it with --content FILE"). */
struct sign_ctx;
void cmd_lib_error(const char *prog, const char *file, const struct sign_ctx *ctx);

/* A password from --pass-file (first line, without its newline), --pass-env, or a prompt on the
 * terminal when allow_prompt and stdin is a TTY. Returns a malloc'd string (free it with
 * cmd_password_free, which wipes it), or NULL after printing why. */
char *cmd_read_password(const char *prog, const char *pass_file, const char *pass_env,
                        const char *prompt, int allow_prompt);
void cmd_password_free(char *password);

/* An output file that appears complete or not at all: data goes to a temporary file in the
 * target's directory, renamed over the target on commit. A SIGINT/SIGTERM removes it. Several
 * threads may each have one open. */
typedef struct cmd_output {
    char final_path[4096];
    char temp_path[4096];
    FILE *stream;
    int to_stdout;
    int slot;          /* where the signal handler finds temp_path; -1: none */
    int keep_existing; /* set after open: commit refuses to replace a file of final_path */
} cmd_output;

int cmd_output_open(cmd_output *out, const char *prog, const char *path);
/* 0 on success; -2: keep_existing and the file exists; -1: another failure (said). */
int cmd_output_commit(cmd_output *out, const char *prog);
void cmd_output_abort(cmd_output *out);

/* Standard input read once ("-"), for the library to read as a file: in memory (bytes, len) when
 * small, else a regular file open on fd (from offset 0): stdin itself when it is one, or a file
 * without a name (O_TMPFILE in $TMPDIR) that nothing can leave behind. */
typedef struct cmd_stdin {
    unsigned char *bytes; /* NULL when the input is on fd */
    size_t len;
    int fd;               /* -1 when the input is in memory */
    int owned_fd;         /* fd is ours to close */
} cmd_stdin;
/* 0, or -1 with the reason in why. */
int cmd_stdin_read(cmd_stdin *in, char *why, size_t why_len);
void cmd_stdin_free(cmd_stdin *in);

/* 1 when path names a directory (after one line on stderr: "prog: path: is a directory (what)",
 * what saying how to use what is in it); 0 otherwise, "-" included. */
int cmd_refuse_directory(const char *prog, const char *path, const char *what);

/* 1 when a and b name the same existing file. */
int cmd_same_file(const char *a, const char *b);

#endif
