/* Trusted lists (ETSI TS 119 612) as read from their XML: shared by tl.c (loading, trust anchors,
 * qualification) and tl_parse.c (signature check and parsing). Not installed. */
#ifndef LIBSIGN_TL_LIST_H
#define LIBSIGN_TL_LIST_H

#include <time.h>
#include <openssl/x509.h>
#include "internal.h"

#define TL_NS "http://uri.etsi.org/02231/v2#"
#define TL_SVCTYPE "http://uri.etsi.org/TrstSvc/Svctype/"
#define TL_SVCSTATUS "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"

/* What a service status means for qualification (TS 119 612 5.5.4 and annex J: the statuses
 * before 2016-07-01, undersupervision, accredited and the like, count as granted). */
enum tl_status {
    TL_STATUS_OTHER = 0,   /* withdrawn, deprecated, ceased, revoked, unknown */
    TL_STATUS_GRANTED,
    TL_STATUS_NATIONAL     /* recognisedatnationallevel */
};

/* One status of a service from StatusStartingTime on: the current ServiceInformation or one
 * ServiceHistoryInstance (each carries its own type and status). */
struct tl_state {
    char type[128];        /* ServiceTypeIdentifier */
    char status_uri[128];  /* ServiceStatus */
    enum tl_status status;
    time_t start;
};

struct tl_ski {
    unsigned char value[64];
    size_t len;
};

struct tl_service {
    char name[256];
    STACK_OF(X509) *certs;  /* DigitalId/X509Certificate, of the current and historic entries */
    struct tl_ski *skis;    /* DigitalId/X509SKI */
    size_t ski_count;
    struct tl_state *states;
    size_t state_count;
};

/* OtherTSLPointer of a list of the lists: where a trusted list is and who signs it. */
struct tl_pointer {
    char location[1024];
    int xml;                /* MimeType application/vnd.etsi.tsl+xml (not the PDF form) */
    int is_lotl;            /* points to a list of the lists (the LOTL's pointer to itself) */
    STACK_OF(X509) *certs;
};

struct tl_list {
    char source[1024];      /* file or URL it was loaded from */
    char territory[8];      /* SchemeTerritory: "DK", "EU" */
    int is_lotl;            /* TSLType .../EUlistofthelists */
    time_t issued, next_update;
    struct tl_service *services;
    size_t service_count;
    struct tl_pointer *pointers;
    size_t pointer_count;
};

/* Check the enveloped signature of the trusted list in bytes against pinned (the certificate in
 * its KeyInfo must be one of them) and read it into list (zeroed by the caller). Returns
 * SIGN_OK, SIGN_EPARSE (not a trusted list, malformed) or SIGN_ECRYPTO (signature), with why. */
int sign_tl_parse(struct tl_list *list, const unsigned char *bytes, size_t len,
                  STACK_OF(X509) *pinned, char *why, size_t why_len);
void sign_tl_list_clear(struct tl_list *list);

#endif
