/* libxml2 and xmlsec1 set up once per process, for XAdES and trusted lists alike. */
#include <pthread.h>
#include <libxml/parser.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>
#include <libsign/common.h>
#include "libsign/xml/xml.h"

/* ---------------------------------------------------------------- one-time set-up */

static int init_status = -1;

/* xmlsec keeps library-wide state (the registered transform and key data classes) that
 * xmlSecInit, xmlSecCryptoAppInit and xmlSecCryptoInit fill, and none of them may run twice or
 * concurrently; libxml2 wants xmlInitParser before threads use it. pthread_once runs them exactly
 * once, whichever thread (of several validating with one shared const sign_ctx) comes first.
 * After that, everything used here works on per-call objects (documents, contexts). */
static void silent_xmlsec_errors(const char *file, int line, const char *func,
                                 const char *object, const char *subject, int reason,
                                 const char *msg)
{
    /* The library never prints (STYLE.md); reasons reach the report through return values. */
    (void)file, (void)line, (void)func, (void)object, (void)subject, (void)reason, (void)msg;
}

static void global_init_once(void)
{
    xmlInitParser();
    if (xmlSecInit() < 0)
        return;
    if (xmlSecCheckVersion() != 1)
        return;
    if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
        return;
    xmlSecErrorsSetCallback(silent_xmlsec_errors);
    init_status = 0;
}

int sign_xml_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, global_init_once);
    return init_status == 0 ? SIGN_OK : SIGN_ECRYPTO;
}

