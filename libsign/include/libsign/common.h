/* libsign: shared definitions (export macro, status codes). */
#ifndef LIBSIGN_COMMON_H
#define LIBSIGN_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SIGN_BUILDING_LIBRARY)
#define SIGN_EXTERN __attribute__((visibility("default")))
#else
#define SIGN_EXTERN
#endif

/* Every libsign function that can fail returns 0 or one of these (negative). The detail is kept on
 * the context (sign_ctx_errmsg) or, for validation, on the report (sign_report_error). */
enum sign_status {
    SIGN_OK = 0,
    SIGN_EINVAL = -1,   /* bad argument or option */
    SIGN_ENOMEM = -2,
    SIGN_EIO = -3,      /* a file could not be read or written */
    SIGN_EPARSE = -4,   /* input is not what it claims to be (unparsable, truncated, empty) */
    SIGN_EPASS = -5,    /* wrong password or PIN */
    SIGN_EKEY = -6,     /* key and certificate do not match, unsupported key */
    SIGN_ECRYPTO = -7,  /* a cryptographic operation failed */
    SIGN_EUNSUPPORTED = -8, /* format or feature not (yet) supported */
    SIGN_EWRITE = -9        /* the output could not be written */
};

#ifdef __cplusplus
}
#endif

#endif
