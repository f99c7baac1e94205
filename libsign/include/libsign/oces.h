/* libsign: OCES identity (Danish public certificates) read from a certificate subject.
 * See ../shared/trust/README.md for the forms recognised. Unknown forms are reported as they are. */
#ifndef LIBSIGN_OCES_H
#define LIBSIGN_OCES_H

#include <libsign/common.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sign_oces_kind {
    SIGN_OCES_UNKNOWN = 0, /* not a recognised OCES subject form */
    SIGN_OCES_PERSON,
    SIGN_OCES_EMPLOYEE,
    SIGN_OCES_ORGANISATION,
    SIGN_OCES_FUNCTION
};

enum sign_oces_generation { SIGN_OCES_GEN_NONE = 0, SIGN_OCES_GEN_2 = 2, SIGN_OCES_GEN_3 = 3 };

/* Plain data; every string is NUL-terminated and empty ("") when absent. */
typedef struct sign_oces_id {
    enum sign_oces_kind kind;
    enum sign_oces_generation generation;
    char serial_number[128]; /* subject serialNumber exactly as in the certificate */
    char common_name[256];
    char organisation[256];  /* subject O */
    char uuid[64];           /* OCES3 UI:DK-?:G:<uuid> */
    char pid[64];            /* OCES2 PID:<n> */
    char rid[64];            /* OCES2 CVR:<cvr>-RID:<n> */
    char uid[64];            /* OCES2 CVR:<cvr>-UID:<n> */
    char fid[64];            /* OCES2 CVR:<cvr>-FID:<n> */
    char cvr[16];            /* 8 digits, from serialNumber, organizationIdentifier NTRDK-<cvr> or O "// CVR:" */
    int test;                /* 1 when a certificate policy is an OCES system-test policy */
    int oces_policy;         /* 1 when a certificate policy is an OCES policy (production or test) */
} sign_oces_id;

SIGN_EXTERN const char *sign_oces_kind_name(enum sign_oces_kind kind); /* "person", ...; NULL for unknown */

#ifdef __cplusplus
}
#endif

#endif
