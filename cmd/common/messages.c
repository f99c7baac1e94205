/* One-line error messages on stderr. */
#include <stdarg.h>
#include <stdio.h>
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
    case SIGN_NEEDED_NOTHING: break;
    }
    return NULL;
}

void cmd_lib_error(const char *prog, const char *file, const sign_ctx *ctx)
{
    const char *what_to_do = remedy(sign_ctx_err_needed(ctx));
    if (what_to_do)
        cmd_error(prog, file, "%s: %s", sign_ctx_errmsg(ctx), what_to_do);
    else
        cmd_error(prog, file, "%s", sign_ctx_errmsg(ctx));
}
