/* Building and freeing the evidence a format hands the validation core (evidence.h). */
#include <stdlib.h>
#include <string.h>
#include "libsign/validation/evidence.h"

void sign_evidence_init(sign_evidence *ev, enum sign_family family)
{
    memset(ev, 0, sizeof *ev);
    ev->family = family;
    ev->claimed_signing_time = (time_t)-1;
    ev->certificates = sk_X509_new_null();
    sign_revocation_data_init(&ev->revocation);
}

void sign_evidence_clear(sign_evidence *ev)
{
    X509_free(ev->signer);
    sk_X509_pop_free(ev->certificates, X509_free);
    free(ev->timestamps);
    sign_revocation_data_clear(&ev->revocation);
    memset(ev, 0, sizeof *ev);
}

void sign_evidence_set_signer(sign_evidence *ev, X509 *signer)
{
    if (signer && !X509_up_ref(signer))
        signer = NULL;
    X509_free(ev->signer);
    ev->signer = signer;
}

void sign_evidence_add_certificates(sign_evidence *ev, STACK_OF(X509) *certs)
{
    for (int i = 0; ev->certificates && i < sk_X509_num(certs); i++) {
        X509 *cert = sk_X509_value(certs, i);
        if (X509_up_ref(cert) && !sk_X509_push(ev->certificates, cert))
            X509_free(cert);
    }
}

static sign_evidence_timestamp *add_entry(sign_evidence *ev, enum sign_timestamp_kind kind)
{
    sign_evidence_timestamp *grown =
        realloc(ev->timestamps, (ev->timestamp_count + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    ev->timestamps = grown;
    sign_evidence_timestamp *entry = &ev->timestamps[ev->timestamp_count++];
    memset(entry, 0, sizeof *entry);
    entry->kind = kind;
    entry->result.gen_time = (time_t)-1;
    return entry;
}

void sign_evidence_add_timestamp(sign_evidence *ev, enum sign_timestamp_kind kind,
                                 const sign_timestamp_result *result, int covers_validation_data)
{
    sign_evidence_timestamp *entry = add_entry(ev, kind);
    if (!entry)
        return;
    entry->result = *result;
    entry->covers_validation_data = covers_validation_data;
}

void sign_evidence_add_timestamp_without_token(sign_evidence *ev, enum sign_timestamp_kind kind,
                                               const char *why)
{
    sign_evidence_timestamp *entry = add_entry(ev, kind);
    if (entry)
        entry->no_token = why;
}

void sign_evidence_add_revocation(sign_evidence *ev, STACK_OF(X509_CRL) *crls,
                                  STACK_OF(OCSP_RESPONSE) *ocsps)
{
    for (int i = 0; i < sk_OCSP_RESPONSE_num(ocsps); i++)
        sign_revocation_data_add(&ev->revocation, sk_OCSP_RESPONSE_value(ocsps, i), NULL);
    for (int i = 0; i < sk_X509_CRL_num(crls); i++)
        sign_revocation_data_add(&ev->revocation, NULL, sk_X509_CRL_value(crls, i));
}
