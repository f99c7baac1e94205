/* What every command does first, before any library call. */
#include <openssl/crypto.h>
#include "common.h"
#include "i18n.h"

void cmd_start(void)
{
    /* OpenSSL frees its tables at exit unless told not to; a command that ends frees all its
     * memory anyway, and that clean-up costs about 2 ms of a 15 ms start-up (a script that runs
     * a command per file pays it every time). Only the first initialisation can say so. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    cmd_i18n_start();
}
