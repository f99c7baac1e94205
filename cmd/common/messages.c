/* One-line error messages on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libsign/sign.h>
#include "common.h"
#include "i18n.h"

void cmd_error(const char *prog, const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (file)
        fprintf(stderr, "%s: %s: ", prog, file);
    else
        fprintf(stderr, "%s: ", prog);
    /* Every format given here is a message in po/segl.pot (xgettext --keyword=cmd_error:3). */
    vfprintf(stderr, gettext(fmt), ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The commands' words for what libsign says is missing (its messages name no option). */
static const char *remedy(enum sign_needed needed)
{
    switch (needed) {
    case SIGN_NEEDED_CONTENT: return _("give it with --content FILE");
    case SIGN_NEEDED_TSA: return _("give one with --tsa URL");
    case SIGN_NEEDED_CERTIFICATE: return _("give it with --cert FILE");
    case SIGN_NEEDED_INNER_CADES: return _("sign it with --inner cades");
    case SIGN_NEEDED_INNER_XADES: return _("sign it with --inner xades");
    case SIGN_NEEDED_PIN: return _("remove it and give the PIN with --pass-file FILE");
    case SIGN_NEEDED_NOTHING: break;
    }
    return NULL;
}

void cmd_lib_error(const char *prog, const char *file, const sign_ctx *ctx)
{
    const char *what_to_do = remedy(sign_ctx_err_needed(ctx));
    /* The library names the file it could not read ("x.p7s: ..."): named once, not twice. */
    const char *message = sign_ctx_errmsg(ctx);
    size_t file_len = file ? strlen(file) : 0;
    if (file && strncmp(message, file, file_len) == 0 && message[file_len] == ':')
        file = NULL;
    if (what_to_do)
        cmd_error(prog, file, "%s: %s", sign_ctx_errmsg(ctx), what_to_do);
    else
        cmd_error(prog, file, "%s", sign_ctx_errmsg(ctx));
}

static void print_fetch(void *arg, const char *what, const char *url)
{
    const char *prog = arg;
    if (!what)
        fprintf(stderr, "%s: fetching %s\n", prog, url);
    else if (strcmp(what, "OCSP") == 0)
        fprintf(stderr, "%s: asking %s for a certificate's status (OCSP)\n", prog, url);
    else
        fprintf(stderr, "%s: asking %s for a %s\n", prog, url, what);
}

void cmd_show_fetches(const char *prog, sign_ctx *ctx, int quiet)
{
    if (!quiet && isatty(STDERR_FILENO))
        sign_ctx_set_fetch_notify(ctx, print_fetch, (void *)prog);
}
