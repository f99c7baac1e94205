/* Passwords and PINs: from a file, an environment variable or the terminal; never from argv. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "common.h"

#define PASSWORD_MAX 1024

static void strip_newline(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        s[--len] = '\0';
}

static char *prompt_terminal(const char *prog, const char *prompt)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty) {
        cmd_error(prog, NULL, "cannot open the terminal to ask for the password");
        return NULL;
    }
    struct termios saved, quiet;
    int have_termios = tcgetattr(fileno(tty), &saved) == 0;
    if (have_termios) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    fprintf(tty, "%s", prompt);
    fflush(tty);
    char *password = OPENSSL_secure_zalloc(PASSWORD_MAX);
    if (!password)
        password = calloc(1, PASSWORD_MAX);
    char *got = password ? fgets(password, PASSWORD_MAX, tty) : NULL;
    if (have_termios)
        tcsetattr(fileno(tty), TCSAFLUSH, &saved);
    fputc('\n', tty);
    fclose(tty);
    if (!got) {
        cmd_password_free(password);
        cmd_error(prog, NULL, "no password entered");
        return NULL;
    }
    strip_newline(password);
    return password;
}

char *cmd_read_password(const char *prog, const char *pass_file, const char *pass_env,
                        const char *prompt, int allow_prompt)
{
    if (pass_file) {
        /* "-": the first line of standard input, as for every other file argument */
        int from_stdin = strcmp(pass_file, "-") == 0;
        FILE *f = from_stdin ? stdin : fopen(pass_file, "r");
        if (!f) {
            cmd_error(prog, pass_file, "cannot read password file: %s", strerror(errno));
            return NULL;
        }
        char *password = calloc(1, PASSWORD_MAX);
        if (password && !fgets(password, PASSWORD_MAX, f))
            password[0] = '\0'; /* an empty file is an empty password */
        if (!from_stdin)
            fclose(f);
        if (password)
            strip_newline(password);
        return password;
    }
    if (pass_env) {
        const char *value = getenv(pass_env);
        if (!value) {
            cmd_error(prog, NULL, "environment variable %s is not set", pass_env);
            return NULL;
        }
        return strdup(value);
    }
    if (allow_prompt && isatty(STDIN_FILENO))
        return prompt_terminal(prog, prompt);
    cmd_error(prog, NULL, "a password is needed: use --pass-file FILE or --pass-env VAR");
    return NULL;
}

void cmd_password_free(char *password)
{
    if (!password)
        return;
    OPENSSL_cleanse(password, strlen(password));
    if (CRYPTO_secure_allocated(password))
        OPENSSL_secure_free(password);
    else
        free(password);
}
