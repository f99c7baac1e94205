/* libsign: recognise the OCES identity (Danish public certificates) in a certificate subject and
 * its certificate policies. See libsign/oces.h and shared/trust/README.md for the forms.
 *
 * The subject is attacker-controlled until the chain has been validated, and even afterwards it is
 * only as good as the CA's checks, so recognition is deliberately strict: a subject either matches
 * one of the known forms exactly or it is reported as SIGN_OCES_UNKNOWN with the raw texts only.
 * Nothing here allocates beyond OpenSSL's temporary UTF-8 conversions, and there is no global
 * state, so the function is safe to call from several threads on different certificates. */
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/crypto.h>

#include <string.h>

#include <libsign/oces.h>

/* Mirrors the declaration in libsign/internal.h (a compatible redeclaration is harmless), so that
 * the file also compiles on its own and the definition is always checked against a prototype. */
int sign_oces_identify(sign_oces_id *out, const X509 *cert);

/* Certificate-policy arcs, compared on dotted text.
 *  - 1.2.208.169.1.1.1 is the Danish state's OCES arc: OCES2 production uses .{1,2,3,4}.x
 *    (POCES/MOCES/VOCES/FOCES) and OCES3 uses .2.x (employee) / .3.x (organisation).
 *  - 1.3.6.1.4.1.31313.2.4.6 is the OCES2 system-test (pre-production) arc, .{1,2,3,4} as above;
 *    DanID's OpenOcesAPI lists it as the "OcesII_DanidEnvPreprod" policy prefixes.
 * OCES3 has no separate test arc that we could confirm: published OCES3 test certificates (issued by
 * "Den Danske Stat OCES udstedende-CA 1", OU "Test - cti", e.g. Skatteforvaltningen's
 * "SKAT OIO Gateway Test" and "Erhvervssystemet Test (systemcertifikat)") carry the production OID
 * 1.2.208.169.1.1.1.3.7. An OCES3 test certificate therefore cannot be told apart by policy; that
 * needs the issuer / trust anchor, which is the validator's job, not this function's. */
static const char OCES_ARC[] = "1.2.208.169.1.1.1";
static const char OCES2_SYSTEMTEST_ARC[] = "1.3.6.1.4.1.31313.2.4.6";

/* The fixed-size id fields of sign_oces_id are all this big; an id that does not fit is not one we
 * recognise (truncating it would silently produce a different identity). */
#define ID_FIELD_SIZE sizeof(((sign_oces_id *)0)->pid)

/* One subject attribute type as found in the subject: its first value as UTF-8, and how often the
 * type occurred. */
struct subject_attr {
    unsigned char *utf8; /* first value, OPENSSL_malloc'ed by ASN1_STRING_to_UTF8; may be NULL if empty */
    size_t len;
    int count;           /* occurrences of the attribute type in the whole subject */
    int bad;             /* the first value was not convertible to UTF-8 or held a NUL byte */
};

struct subject_attrs {
    struct subject_attr serial, org_id, org, cn;
};

/* What a serialNumber says, before it is cross-checked with the other attributes. Pointers point
 * into the converted serial text. */
struct serial_form {
    enum sign_oces_kind kind;
    enum sign_oces_generation generation;
    const char *id;      /* pid/rid/uid/fid (OCES2) or uuid (OCES3) */
    size_t id_len;
    const char *cvr;     /* 8 digits from "CVR:<cvr>-", or NULL */
};

static int is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int is_ascii_hex(unsigned char c)
{
    return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_ascii_alnum(unsigned char c)
{
    return is_ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int has_prefix(const char *s, size_t n, const char *prefix)
{
    size_t p = strlen(prefix);
    return n >= p && memcmp(s, prefix, p) == 0;
}

/* A CVR number is exactly eight ASCII digits (no sign, no spaces). */
static int is_cvr(const char *s, size_t n)
{
    if (n != 8)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_ascii_digit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* An OCES3 UUID in its canonical 8-4-4-4-12 text form. Both hex cases are accepted because RFC 4122
 * says readers must accept either; MitID/OCES3 issues lowercase. */
static int is_uuid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!is_ascii_hex(c)) {
            return 0;
        }
    }
    return 1;
}

/* An OCES2 PID/RID/UID/FID. Real ones are digits (RID/UID/FID) or digits and dashes
 * (PID:9208-2002-2-...); ASCII letters are tolerated because the specification does not promise
 * digits only, but nothing else: no separators, spaces or controls, so an id can be shown, logged
 * and compared without escaping, and "RID:1-UID:2" style smuggling cannot parse. It must start
 * with an alphanumeric and fit the output field untruncated. */
static int is_oces2_id(const char *s, size_t n)
{
    if (n == 0 || n >= ID_FIELD_SIZE || !is_ascii_alnum((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_ascii_alnum(c) && c != '-')
            return 0;
    }
    return 1;
}

/* Matches the complete serialNumber against the known forms; prefixes are case-sensitive because
 * the CAs issue them in exactly this spelling. Returns 1 and fills *f on a match. */
static int parse_serial(const char *s, size_t n, struct serial_form *f)
{
    memset(f, 0, sizeof *f);

    /* OCES3: UI:DK-<E|O|P>:G:<uuid> (ETSI EN 319 412-1 semantics identifier style). */
    if (has_prefix(s, n, "UI:DK-") && n >= 10 && memcmp(s + 7, ":G:", 3) == 0) {
        enum sign_oces_kind kind;
        switch (s[6]) {
        case 'E': kind = SIGN_OCES_EMPLOYEE; break;
        case 'O': kind = SIGN_OCES_ORGANISATION; break;
        case 'P': kind = SIGN_OCES_PERSON; break;
        default: return 0;
        }
        if (!is_uuid(s + 10, n - 10))
            return 0;
        f->kind = kind;
        f->generation = SIGN_OCES_GEN_3;
        f->id = s + 10;
        f->id_len = n - 10;
        return 1;
    }

    /* OCES2 personal certificate (POCES): PID:<id>. */
    if (has_prefix(s, n, "PID:")) {
        if (!is_oces2_id(s + 4, n - 4))
            return 0;
        f->kind = SIGN_OCES_PERSON;
        f->generation = SIGN_OCES_GEN_2;
        f->id = s + 4;
        f->id_len = n - 4;
        return 1;
    }

    /* OCES2 with a CVR: CVR:<8 digits>-<RID|UID|FID>:<id>; "CVR:" + 8 + "-" + "RID:" = 17. */
    if (has_prefix(s, n, "CVR:")) {
        enum sign_oces_kind kind;
        if (n < 17 || !is_cvr(s + 4, 8) || s[12] != '-')
            return 0;
        if (memcmp(s + 13, "RID:", 4) == 0)
            kind = SIGN_OCES_EMPLOYEE;
        else if (memcmp(s + 13, "UID:", 4) == 0)
            kind = SIGN_OCES_ORGANISATION;
        else if (memcmp(s + 13, "FID:", 4) == 0)
            kind = SIGN_OCES_FUNCTION;
        else
            return 0;
        if (!is_oces2_id(s + 17, n - 17))
            return 0;
        f->kind = kind;
        f->generation = SIGN_OCES_GEN_2;
        f->id = s + 17;
        f->id_len = n - 17;
        f->cvr = s + 4;
        return 1;
    }
    return 0;
}

/* OCES3 organizationIdentifier: NTRDK-<8 digits> (national trade register, Denmark). Returns a
 * pointer to the digits or NULL. */
static const char *cvr_from_org_id(const struct subject_attr *a)
{
    const char *s = (const char *)a->utf8;
    if (a->count != 1 || a->bad || s == NULL)
        return NULL;
    if (!has_prefix(s, a->len, "NTRDK-") || !is_cvr(s + 6, a->len - 6))
        return NULL;
    return s + 6;
}

/* OCES2 O: "<name> // CVR:<8 digits>" with a non-empty name. The last " // CVR:" counts, so a name
 * that itself contains the separator still works; the digits must end the value. */
static const char *cvr_from_org(const struct subject_attr *a)
{
    static const char sep[] = " // CVR:";
    const size_t sep_len = sizeof sep - 1;
    const char *s = (const char *)a->utf8;
    if (a->count != 1 || a->bad || s == NULL || a->len < sep_len + 8 + 1)
        return NULL;
    size_t at = a->len - 8 - sep_len; /* the only place the separator can be if 8 digits follow */
    if (memcmp(s + at, sep, sep_len) != 0 || !is_cvr(s + at + sep_len, 8))
        return NULL;
    return s + at + sep_len;
}

/* Copies a UTF-8 value into a fixed field, always NUL-terminated. When it does not fit it is cut
 * before the last complete character rather than in the middle of one, so the field stays valid
 * UTF-8 for display and for XML/JSON output. */
static void copy_utf8(char *dst, size_t size, const unsigned char *src, size_t len)
{
    if (size == 0)
        return;
    if (src == NULL)
        len = 0;
    if (len >= size) {
        len = size - 1;
        while (len > 0 && (src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len > 0)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

static void copy_ascii(char *dst, size_t size, const char *src, size_t len)
{
    copy_utf8(dst, size, (const unsigned char *)src, len);
}

static struct subject_attr *attr_for_nid(struct subject_attrs *attrs, int nid)
{
    switch (nid) {
    case NID_serialNumber: return &attrs->serial;
    case NID_organizationIdentifier: return &attrs->org_id;
    case NID_organizationName: return &attrs->org;
    case NID_commonName: return &attrs->cn;
    default: return NULL;
    }
}

/* Walks every entry of the subject, whatever RDN it sits in: OCES2 puts serialNumber in a
 * multi-valued RDN together with CN, and the RDN structure carries no meaning for us. Only the
 * first value of each type is converted; later ones are only counted, because a repeated
 * identifying attribute makes the identity ambiguous and is rejected by the caller. */
static void collect_subject(struct subject_attrs *attrs, const X509_NAME *name)
{
    int n = name != NULL ? X509_NAME_entry_count(name) : 0;
    for (int i = 0; i < n; i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        if (e == NULL)
            continue;
        struct subject_attr *a = attr_for_nid(attrs, OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)));
        if (a == NULL)
            continue;
        if (a->count < 2) /* saturate; only 0, 1 and "more" matter */
            a->count++;
        if (a->count > 1)
            continue;

        const ASN1_STRING *data = X509_NAME_ENTRY_get_data(e);
        unsigned char *utf8 = NULL;
        int len = data != NULL ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
        if (len < 0) {
            /* Not a string type, or bytes invalid for their type (e.g. odd-length BMPString). */
            a->bad = 1;
            OPENSSL_free(utf8);
            continue;
        }
        if (len > 0 && memchr(utf8, '\0', (size_t)len) != NULL) {
            /* An embedded NUL would make the C string say something shorter than the certificate
             * does ("PID:1\0..." shown as "PID:1"): treat the value as unusable. */
            a->bad = 1;
            OPENSSL_free(utf8);
            continue;
        }
        a->utf8 = utf8;
        a->len = (size_t)len;
    }
}

static void free_subject(struct subject_attrs *attrs)
{
    OPENSSL_free(attrs->serial.utf8);
    OPENSSL_free(attrs->org_id.utf8);
    OPENSSL_free(attrs->org.utf8);
    OPENSSL_free(attrs->cn.utf8);
}

/* Decides the identity from the collected attributes; fills kind, generation, ids and cvr in *out
 * only when everything matches exactly. */
static void recognise(sign_oces_id *out, const struct subject_attrs *attrs)
{
    const struct subject_attr *serial = &attrs->serial;
    struct serial_form f;
    const char *cvr = NULL;

    /* Any unusable or repeated identifying attribute makes the whole subject ambiguous. CN is
     * only displayed, but a CN with a NUL is still a sign of a forged or broken certificate. */
    if (serial->count != 1 || serial->bad || serial->utf8 == NULL)
        return;
    if (attrs->org_id.count > 1 || attrs->org_id.bad || attrs->org.count > 1 || attrs->org.bad ||
        attrs->cn.bad)
        return;
    if (!parse_serial((const char *)serial->utf8, serial->len, &f))
        return;

    if (f.generation == SIGN_OCES_GEN_3) {
        /* OCES3 puts the CVR only in organizationIdentifier; employee and organisation
         * certificates always belong to a company, so they need it. */
        cvr = cvr_from_org_id(&attrs->org_id);
        if (cvr == NULL && attrs->org_id.count > 0)
            return; /* present but not NTRDK-<8 digits> */
        if (cvr == NULL && f.kind != SIGN_OCES_PERSON)
            return;
    } else {
        /* OCES2: CVR in the serial for RID/UID/FID; O "<name> // CVR:<cvr>" is the fallback (and
         * the only source for a POCES that names an organisation). Two sources that disagree mean
         * the subject is not what it claims to be. */
        const char *org_cvr = cvr_from_org(&attrs->org);
        cvr = f.cvr;
        if (cvr != NULL && org_cvr != NULL && memcmp(cvr, org_cvr, 8) != 0)
            return;
        if (cvr == NULL)
            cvr = org_cvr;
    }

    out->kind = f.kind;
    out->generation = f.generation;
    if (f.generation == SIGN_OCES_GEN_3) {
        copy_ascii(out->uuid, sizeof out->uuid, f.id, f.id_len);
    } else {
        char *dst;
        switch (f.kind) {
        case SIGN_OCES_PERSON: dst = out->pid; break;
        case SIGN_OCES_EMPLOYEE: dst = out->rid; break;
        case SIGN_OCES_ORGANISATION: dst = out->uid; break;
        case SIGN_OCES_FUNCTION: dst = out->fid; break;
        case SIGN_OCES_UNKNOWN:
        default: return; /* parse_serial never yields these with a match */
        }
        copy_ascii(dst, ID_FIELD_SIZE, f.id, f.id_len);
    }
    if (cvr != NULL)
        copy_ascii(out->cvr, sizeof out->cvr, cvr, 8);
}

/* True when the dotted OID equals arc or lies below it; the character after the prefix must end
 * the OID or be a dot, so 1.2.208.169.1.1.10 is not under 1.2.208.169.1.1.1. */
static int oid_under(const char *oid, const char *arc)
{
    size_t n = strlen(arc);
    return strncmp(oid, arc, n) == 0 && (oid[n] == '\0' || oid[n] == '.');
}

static void read_policies(sign_oces_id *out, const X509 *cert)
{
    /* A missing, undecodable or duplicated extension (the latter is invalid per RFC 5280 and makes
     * X509_get_ext_d2i return NULL) simply yields no OCES policy. */
    CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(cert, NID_certificate_policies, NULL, NULL);
    if (pols == NULL)
        return;
    for (int i = 0; i < sk_POLICYINFO_num(pols); i++) {
        const POLICYINFO *pi = sk_POLICYINFO_value(pols, i);
        char txt[128];
        if (pi == NULL || pi->policyid == NULL)
            continue;
        /* OBJ_obj2txt truncates like strlcpy, keeping a clean prefix. The arc test reads at most
         * strlen(arc) + 1 characters, far fewer than the buffer holds, so a truncated text of a
         * very long OID still gives the exact answer. */
        if (OBJ_obj2txt(txt, (int)sizeof txt, pi->policyid, 1) <= 0)
            continue;
        if (oid_under(txt, OCES_ARC)) {
            out->oces_policy = 1;
        } else if (oid_under(txt, OCES2_SYSTEMTEST_ARC)) {
            out->oces_policy = 1;
            out->test = 1;
        }
    }
    CERTIFICATEPOLICIES_free(pols);
}

int sign_oces_identify(sign_oces_id *out, const X509 *cert)
{
    struct subject_attrs attrs;

    if (out == NULL)
        return SIGN_EINVAL;
    memset(out, 0, sizeof *out);
    if (cert == NULL)
        return SIGN_EINVAL;

    memset(&attrs, 0, sizeof attrs);
    collect_subject(&attrs, X509_get_subject_name(cert));

    /* The raw texts are reported whatever the outcome, so a caller can show what an unrecognised
     * certificate says. A repeated attribute reports its first value. */
    if (!attrs.serial.bad)
        copy_utf8(out->serial_number, sizeof out->serial_number, attrs.serial.utf8, attrs.serial.len);
    if (!attrs.cn.bad)
        copy_utf8(out->common_name, sizeof out->common_name, attrs.cn.utf8, attrs.cn.len);
    if (!attrs.org.bad)
        copy_utf8(out->organisation, sizeof out->organisation, attrs.org.utf8, attrs.org.len);

    recognise(out, &attrs);
    free_subject(&attrs);

    read_policies(out, cert);
    return SIGN_OK;
}

SIGN_EXTERN const char *sign_oces_kind_name(enum sign_oces_kind kind)
{
    switch (kind) {
    case SIGN_OCES_PERSON: return "person";
    case SIGN_OCES_EMPLOYEE: return "employee";
    case SIGN_OCES_ORGANISATION: return "organisation";
    case SIGN_OCES_FUNCTION: return "function";
    case SIGN_OCES_UNKNOWN: break;
    }
    return NULL;
}
