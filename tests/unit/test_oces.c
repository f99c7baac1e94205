/* Unit tests for OCES identity recognition (libsign/oces.c).
 *
 * Certificates are built in memory with the OpenSSL API, signed with a throw-away Ed25519 key and,
 * unless a test needs a shape OpenSSL's parser would refuse, sent through DER and parsed back, so
 * the code under test sees what it would see in a real signature. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <libsign/oces.h>

/* Internal API under test (declared in libsign/internal.h; repeated here so the test also builds
 * on its own). */
int sign_oces_identify(sign_oces_id *out, const X509 *cert);

#define UUID_E "3f1b9c2e-8d4a-4b6f-9e21-0c7d5a8e4f10"
#define UUID_O "ba2fa92e-6d23-4ef2-8139-8ee90a297cbe"
#define UUID_P "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

#define POL_OCES3_EMPLOYEE "1.2.208.169.1.1.1.2.7"
#define POL_OCES3_ORG "1.2.208.169.1.1.1.3.7"
#define POL_OCES2_MOCES "1.2.208.169.1.1.1.2.5"
#define POL_OCES2_TEST_MOCES "1.3.6.1.4.1.31313.2.4.6.2.3"
#define POL_ETSI_NCP "0.4.0.2042.1.1"

/* ---- certificate construction helpers ------------------------------------------------------ */

static X509 *new_cert(void)
{
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    return x;
}

static X509_NAME *subject(X509 *x)
{
    X509_NAME *n = X509_get_subject_name(x);
    assert_non_null(n);
    return n;
}

/* Appends an attribute as a new RDN (set = 0) or to the previous RDN (set = -1, making a
 * multi-valued RDN such as "CN=... + serialNumber=..."). OpenSSL chooses the string type. */
static void add_text(X509 *x, int nid, const char *value, int set)
{
    assert_int_equal(X509_NAME_add_entry_by_NID(subject(x), nid, MBSTRING_UTF8,
                                                (const unsigned char *)value, -1, -1, set),
                     1);
}

/* Appends an attribute with an explicit ASN.1 string type and raw bytes. A non-MBSTRING type
 * bypasses OpenSSL's per-attribute length limits and character checks, which is how hostile or
 * sloppy certificates look (over-long values, UTF8String serials, embedded NULs). */
static void add_raw(X509 *x, int nid, int type, const void *bytes, int len, int set)
{
    assert_int_equal(X509_NAME_add_entry_by_NID(subject(x), nid, type, (const unsigned char *)bytes,
                                                len, -1, set),
                     1);
}

/* Adds a certificatePolicies extension with the policy OIDs in "oid, oid, ..." (no qualifiers),
 * built directly so any OID text, however long, can be used. */
static void add_policies(X509 *x, const char *oids)
{
    CERTIFICATEPOLICIES *pols = CERTIFICATEPOLICIES_new();
    char buf[1024];
    char *save = NULL;

    assert_non_null(pols);
    assert_true(strlen(oids) < sizeof buf);
    strcpy(buf, oids);
    for (char *tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
        POLICYINFO *pi = POLICYINFO_new();
        assert_non_null(pi);
        ASN1_OBJECT_free(pi->policyid);
        pi->policyid = OBJ_txt2obj(tok, 1);
        assert_non_null(pi->policyid);
        assert_true(sk_POLICYINFO_push(pols, pi) > 0);
    }
    assert_int_equal(X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT), 1);
    CERTIFICATEPOLICIES_free(pols);
}

/* Replaces the value of the subject's last entry with raw bytes of the given string type, without
 * the re-decoding X509_NAME_add_entry does, to get values OpenSSL's parser would refuse. The
 * certificate must then be used in memory, without a DER round trip. */
static void corrupt_last_entry(X509 *x, int type, const void *bytes, int len)
{
    X509_NAME *n = subject(x);
    X509_NAME_ENTRY *e = X509_NAME_get_entry(n, X509_NAME_entry_count(n) - 1);
    assert_non_null(e);
    assert_int_equal(X509_NAME_ENTRY_set_data(e, type, (const unsigned char *)bytes, len), 1);
}

/* Gives the certificate the remaining fields, signs it and returns it re-parsed from DER; the
 * argument is consumed. */
static X509 *finish(X509 *x)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509_NAME *issuer = X509_NAME_new();
    unsigned char *der = NULL;
    const unsigned char *p;
    X509 *parsed;
    int len;

    assert_non_null(key);
    assert_non_null(issuer);
    assert_int_equal(X509_NAME_add_entry_by_NID(issuer, NID_commonName, MBSTRING_UTF8,
                                                (const unsigned char *)"Test CA", -1, -1, 0),
                     1);
    assert_int_equal(X509_set_issuer_name(x, issuer), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_true(X509_sign(x, key, NULL) > 0);

    len = i2d_X509(x, &der);
    assert_true(len > 0);
    p = der;
    parsed = d2i_X509(NULL, &p, len);
    assert_non_null(parsed);

    OPENSSL_free(der);
    X509_NAME_free(issuer);
    EVP_PKEY_free(key);
    X509_free(x);
    return parsed;
}

/* Identifies the certificate and frees it. */
static void identify(X509 *x, sign_oces_id *id)
{
    assert_int_equal(sign_oces_identify(id, x), 0);
    X509_free(x);
}

/* A certificate whose subject consists of just one serialNumber (as a UTF8String, so any bytes
 * can be tried) and a CN. */
static void identify_serial_only(const char *serial, sign_oces_id *id)
{
    X509 *x = new_cert();
    add_text(x, NID_commonName, "Some Name", 0);
    add_raw(x, NID_serialNumber, V_ASN1_UTF8STRING, serial, (int)strlen(serial), -1);
    identify(finish(x), id);
}

static void assert_no_identity(const sign_oces_id *id)
{
    assert_int_equal(id->kind, SIGN_OCES_UNKNOWN);
    assert_int_equal(id->generation, SIGN_OCES_GEN_NONE);
    assert_string_equal(id->uuid, "");
    assert_string_equal(id->pid, "");
    assert_string_equal(id->rid, "");
    assert_string_equal(id->uid, "");
    assert_string_equal(id->fid, "");
    assert_string_equal(id->cvr, "");
}

/* ---- OCES3 ----------------------------------------------------------------------------------- */

static void test_oces3_employee_with_ntrdk_cvr_is_recognised(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_countryName, "DK", 0);
    add_text(x, NID_organizationIdentifier, "NTRDK-12345678", 0);
    add_text(x, NID_organizationName, "Testfirma A/S", 0);
    add_text(x, NID_serialNumber, "UI:DK-E:G:" UUID_E, 0);
    add_text(x, NID_commonName, "Anne Hansen", 0);
    add_policies(x, POL_ETSI_NCP ", " POL_OCES3_EMPLOYEE);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_EMPLOYEE);
    assert_int_equal(id.generation, SIGN_OCES_GEN_3);
    assert_string_equal(id.uuid, UUID_E);
    assert_string_equal(id.cvr, "12345678");
    assert_string_equal(id.serial_number, "UI:DK-E:G:" UUID_E);
    assert_string_equal(id.common_name, "Anne Hansen");
    assert_string_equal(id.organisation, "Testfirma A/S");
    assert_string_equal(id.pid, "");
    assert_string_equal(id.rid, "");
    assert_int_equal(id.oces_policy, 1);
    assert_int_equal(id.test, 0);
}

static void test_oces3_organisation_with_ntrdk_cvr_is_recognised(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_countryName, "DK", 0);
    add_text(x, NID_organizationIdentifier, "NTRDK-19552101", 0);
    add_text(x, NID_organizationName, "Skatteforvaltningen", 0);
    add_text(x, NID_serialNumber, "UI:DK-O:G:" UUID_O, 0);
    add_text(x, NID_commonName, "SKAT OIO Gateway Test", 0);
    add_policies(x, POL_ETSI_NCP ", " POL_OCES3_ORG);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_ORGANISATION);
    assert_int_equal(id.generation, SIGN_OCES_GEN_3);
    assert_string_equal(id.uuid, UUID_O);
    assert_string_equal(id.cvr, "19552101");
    assert_string_equal(id.uid, "");
    assert_int_equal(id.oces_policy, 1);
}

static void test_oces3_person_is_recognised_without_cvr(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_countryName, "DK", 0);
    add_text(x, NID_serialNumber, "UI:DK-P:G:" UUID_P, 0);
    add_text(x, NID_commonName, "Jens Jensen", 0);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_PERSON);
    assert_int_equal(id.generation, SIGN_OCES_GEN_3);
    assert_string_equal(id.uuid, UUID_P);
    assert_string_equal(id.cvr, "");
}

static void test_oces3_uuid_in_uppercase_hex_is_accepted_and_kept_as_written(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationIdentifier, "NTRDK-12345678", 0);
    add_text(x, NID_serialNumber, "UI:DK-E:G:3F1B9C2E-8D4A-4B6F-9E21-0C7D5A8E4F10", 0);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_EMPLOYEE);
    assert_string_equal(id.uuid, "3F1B9C2E-8D4A-4B6F-9E21-0C7D5A8E4F10");
}

static void test_oces3_employee_without_organization_identifier_is_unknown(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationName, "Testfirma A/S // CVR:12345678", 0);
    add_text(x, NID_serialNumber, "UI:DK-E:G:" UUID_E, 0);
    identify(finish(x), &id);

    /* OCES3 takes the CVR only from organizationIdentifier, never from an OCES2-style O. */
    assert_no_identity(&id);
    assert_string_equal(id.serial_number, "UI:DK-E:G:" UUID_E);
}

static void test_oces3_malformed_organization_identifier_is_unknown(void **state)
{
    (void)state;
    static const char *const bad[] = {"NTRDK-1234567", "NTRDK-123456789", "NTRDK-1234567a",
                                      "ntrdk-12345678", "VATDK-12345678", "NTRDK12345678",
                                      "NTRDK-12345678 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sign_oces_id id;
        X509 *x = new_cert();
        add_text(x, NID_organizationIdentifier, bad[i], 0);
        add_text(x, NID_serialNumber, "UI:DK-O:G:" UUID_O, 0);
        identify(finish(x), &id);
        assert_no_identity(&id);
    }
}

static void test_oces3_person_with_malformed_organization_identifier_is_unknown(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationIdentifier, "NTRDK-1", 0);
    add_text(x, NID_serialNumber, "UI:DK-P:G:" UUID_P, 0);
    identify(finish(x), &id);
    assert_no_identity(&id);
}

static void test_repeated_organization_identifier_is_unknown(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationIdentifier, "NTRDK-12345678", 0);
    add_text(x, NID_organizationIdentifier, "NTRDK-87654321", 0);
    add_text(x, NID_serialNumber, "UI:DK-E:G:" UUID_E, 0);
    identify(finish(x), &id);
    assert_no_identity(&id);
}

/* ---- OCES2 ----------------------------------------------------------------------------------- */

static void test_oces2_person_in_multivalued_rdn_is_recognised(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_countryName, "DK", 0);
    add_text(x, NID_organizationName, "Ingen organisatorisk tilknytning", 0);
    add_text(x, NID_commonName, "Bjørn Helvig Christensen", 0);
    add_text(x, NID_serialNumber, "PID:9208-2002-2-871917342843", -1);
    x = finish(x);

    /* The DER round trip kept CN and serialNumber in one RDN. */
    {
        const X509_NAME *n = X509_get_subject_name(x);
        int cn = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
        int sn = X509_NAME_get_index_by_NID(n, NID_serialNumber, -1);
        assert_true(cn >= 0 && sn >= 0);
        assert_int_equal(X509_NAME_ENTRY_set(X509_NAME_get_entry(n, cn)),
                         X509_NAME_ENTRY_set(X509_NAME_get_entry(n, sn)));
    }
    identify(x, &id);

    assert_int_equal(id.kind, SIGN_OCES_PERSON);
    assert_int_equal(id.generation, SIGN_OCES_GEN_2);
    assert_string_equal(id.pid, "9208-2002-2-871917342843");
    assert_string_equal(id.cvr, "");
    assert_string_equal(id.common_name, "Bjørn Helvig Christensen");
    assert_string_equal(id.organisation, "Ingen organisatorisk tilknytning");
}

static void test_oces2_employee_in_multivalued_rdn_is_recognised(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_countryName, "DK", 0);
    add_text(x, NID_organizationName, "Testfirma A/S // CVR:25767535", 0);
    add_text(x, NID_commonName, "Karen Sørensen", 0);
    add_text(x, NID_serialNumber, "CVR:25767535-RID:1118061020234", -1);
    add_policies(x, POL_OCES2_MOCES);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_EMPLOYEE);
    assert_int_equal(id.generation, SIGN_OCES_GEN_2);
    assert_string_equal(id.rid, "1118061020234");
    assert_string_equal(id.cvr, "25767535");
    assert_string_equal(id.serial_number, "CVR:25767535-RID:1118061020234");
    assert_string_equal(id.organisation, "Testfirma A/S // CVR:25767535");
    assert_string_equal(id.pid, "");
    assert_string_equal(id.uuid, "");
    assert_int_equal(id.oces_policy, 1);
    assert_int_equal(id.test, 0);
}

static void test_oces2_organisation_in_multivalued_rdn_is_recognised(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationName, "Testfirma A/S // CVR:30808460", 0);
    add_text(x, NID_commonName, "Testfirma VOCES", 0);
    add_text(x, NID_serialNumber, "CVR:30808460-UID:1255530616711", -1);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_ORGANISATION);
    assert_int_equal(id.generation, SIGN_OCES_GEN_2);
    assert_string_equal(id.uid, "1255530616711");
    assert_string_equal(id.cvr, "30808460");
    assert_string_equal(id.rid, "");
}

static void test_oces2_function_in_multivalued_rdn_is_recognised(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationName, "Testfirma A/S // CVR:30808460", 0);
    add_text(x, NID_commonName, "Testfirma FOCES", 0);
    add_text(x, NID_serialNumber, "CVR:30808460-FID:1263281782319", -1);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_FUNCTION);
    assert_int_equal(id.generation, SIGN_OCES_GEN_2);
    assert_string_equal(id.fid, "1263281782319");
    assert_string_equal(id.cvr, "30808460");
}

static void test_oces2_serial_in_its_own_rdn_is_recognised(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_serialNumber, "CVR:30808460-RID:42", 0);
    add_text(x, NID_commonName, "Peter Olsen", 0);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_EMPLOYEE);
    assert_string_equal(id.rid, "42");
    assert_string_equal(id.cvr, "30808460");
}

static void test_oces2_person_takes_cvr_from_organisation_suffix(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationName, "Firma // Afdeling // CVR:12345678", 0);
    add_text(x, NID_commonName, "Ole Olsen", 0);
    add_text(x, NID_serialNumber, "PID:9208-2002-2-123456789012", -1);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_PERSON);
    assert_string_equal(id.pid, "9208-2002-2-123456789012");
    assert_string_equal(id.cvr, "12345678");
}

static void test_oces2_malformed_organisation_suffix_gives_no_cvr(void **state)
{
    (void)state;
    static const char *const orgs[] = {"Firma // CVR:1234567", "Firma // CVR:123456789",
                                       "Firma // CVR:12345678 ", "Firma //CVR:12345678",
                                       " // CVR:12345678", "// CVR:12345678", "Firma // cvr:12345678"};
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
        sign_oces_id id;
        X509 *x = new_cert();
        add_text(x, NID_organizationName, orgs[i], 0);
        add_text(x, NID_serialNumber, "PID:1234", 0);
        identify(finish(x), &id);

        /* The person is still recognised; O is just not a CVR source. */
        assert_int_equal(id.kind, SIGN_OCES_PERSON);
        assert_string_equal(id.cvr, "");
        assert_string_equal(id.organisation, orgs[i]);
    }
}

static void test_oces2_cvr_conflict_between_serial_and_organisation_is_unknown(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationName, "Testfirma A/S // CVR:11111111", 0);
    add_text(x, NID_commonName, "Karen Sørensen", 0);
    add_text(x, NID_serialNumber, "CVR:22222222-RID:1", -1);
    identify(finish(x), &id);

    assert_no_identity(&id);
    assert_string_equal(id.serial_number, "CVR:22222222-RID:1");
    assert_string_equal(id.organisation, "Testfirma A/S // CVR:11111111");
}

static void test_oces2_id_must_fit_its_field(void **state)
{
    (void)state;
    char serial[4 + 64 + 1];
    sign_oces_id id;

    memcpy(serial, "PID:", 4);
    memset(serial + 4, '7', 63);
    serial[4 + 63] = '\0';
    identify_serial_only(serial, &id);
    assert_int_equal(id.kind, SIGN_OCES_PERSON);
    assert_int_equal(strlen(id.pid), 63);

    serial[4 + 63] = '7';
    serial[4 + 64] = '\0';
    identify_serial_only(serial, &id);
    assert_no_identity(&id);
    assert_string_equal(id.serial_number, serial);
}

/* ---- unknown and hostile subjects ------------------------------------------------------------ */

static void test_unknown_serial_forms_are_unknown_and_kept_verbatim(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "",
        "PID:",
        "PID",
        "pid:1234",
        " PID:1234",
        "PID:1234 ",
        "PID:12 34",
        "PID:1234;x",
        "PID:-1234",
        "PID:12\xc3\xb8",              /* non-ASCII id */
        "CVR:1234-RID:1",
        "CVR:123456789-RID:1",
        "CVR:1234567a-RID:1",
        "CVR:12345678-RID:",
        "CVR:12345678-RID",
        "CVR:12345678RID:1",
        "CVR:12345678-XID:1",
        "CVR:12345678-rid:1",
        "cvr:12345678-RID:1",
        "CVR:12345678-RID:1-UID:2",
        "CVR:12345678-RID:1 ",
        "CVR:12345678",
        "UI:DK-X:G:" UUID_E,
        "UI:DK-E:X:" UUID_E,
        "UI:DK-e:G:" UUID_E,
        "ui:dk-e:g:" UUID_E,
        "UI:DK-E:G:",
        "UI:DK-E:G:" UUID_E "x",
        "UI:DK-E:G:" UUID_E " ",
        "UI:DK-E:G:3f1b9c2e-8d4a-4b6f-9e21-0c7d5a8e4f1",   /* one hex digit short */
        "UI:DK-E:G:3f1b9c2e8d4a-4b6f-9e21-0c7d5a8e4f10-",  /* dash misplaced */
        "UI:DK-E:G:3f1b9c2g-8d4a-4b6f-9e21-0c7d5a8e4f10",  /* not hex */
        "UI:DK-E:G:{3f1b9c2e-8d4a-4b6f-9e21-0c7d5a8e4f}",
        "UI:DK-",
        "UI:DK-E",
        "UI:DK-E:G",
        "UI:SE-E:G:" UUID_E,
        "1234567890",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        sign_oces_id id;
        identify_serial_only(forms[i], &id);
        assert_no_identity(&id);
        assert_string_equal(id.serial_number, forms[i]);
        assert_string_equal(id.common_name, "Some Name");
    }
}

static void test_repeated_serial_number_is_unknown_and_first_value_is_kept(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_commonName, "Ole Olsen", 0);
    add_text(x, NID_serialNumber, "PID:1111", -1);
    add_text(x, NID_serialNumber, "PID:2222", 0);
    identify(finish(x), &id);

    assert_no_identity(&id);
    assert_string_equal(id.serial_number, "PID:1111");
}

static void test_embedded_nul_in_serial_is_unknown_and_not_copied(void **state)
{
    (void)state;
    static const char serial[] = "PID:1234\0CVR:12345678-RID:1";
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_commonName, "Ole Olsen", 0);
    add_raw(x, NID_serialNumber, V_ASN1_UTF8STRING, serial, (int)sizeof serial - 1, -1);
    identify(finish(x), &id);

    assert_no_identity(&id);
    assert_string_equal(id.serial_number, "");
    assert_string_equal(id.common_name, "Ole Olsen");
}

static void test_embedded_nul_in_common_name_makes_identity_unknown(void **state)
{
    (void)state;
    static const char cn[] = "Ole Olsen\0evil";
    sign_oces_id id;
    X509 *x = new_cert();
    add_raw(x, NID_commonName, V_ASN1_UTF8STRING, cn, (int)sizeof cn - 1, 0);
    add_text(x, NID_serialNumber, "PID:1234", -1);
    identify(finish(x), &id);

    assert_no_identity(&id);
    assert_string_equal(id.common_name, "");
    assert_string_equal(id.serial_number, "PID:1234");
}

static void test_undecodable_serial_string_is_unknown(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_commonName, "Ole Olsen", 0);
    add_text(x, NID_serialNumber, "PID:1234", -1);
    /* An odd-length BMPString cannot be converted to UTF-8. */
    corrupt_last_entry(x, V_ASN1_BMPSTRING, "\0P\0", 3);
    identify(x, &id);

    assert_no_identity(&id);
    assert_string_equal(id.serial_number, "");
    assert_string_equal(id.common_name, "Ole Olsen");
}

static void test_invalid_utf8_in_serial_is_unknown(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_serialNumber, "PID:1234", 0);
    corrupt_last_entry(x, V_ASN1_UTF8STRING, "PID:12\xc3", 7); /* truncated 2-byte sequence */
    identify(x, &id);

    assert_no_identity(&id);
    assert_string_equal(id.serial_number, "");
}

static void test_invalid_utf8_in_organisation_is_unknown_and_not_copied(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_serialNumber, "PID:1234", 0);
    add_text(x, NID_organizationName, "Firma", 0);
    corrupt_last_entry(x, V_ASN1_UTF8STRING, "Firma \xff // CVR:12345678", 24);
    identify(x, &id);

    assert_no_identity(&id);
    assert_string_equal(id.organisation, "");
    assert_string_equal(id.serial_number, "PID:1234");
}

static void test_very_long_serial_is_truncated_without_overflow(void **state)
{
    (void)state;
    char serial[1000];
    sign_oces_id id;
    X509 *x = new_cert();

    memcpy(serial, "PID:", 4);
    memset(serial + 4, '9', sizeof serial - 5);
    serial[sizeof serial - 1] = '\0';
    add_text(x, NID_commonName, "Ole Olsen", 0);
    add_raw(x, NID_serialNumber, V_ASN1_UTF8STRING, serial, -1, -1);
    add_text(x, NID_organizationName, "Ingen organisatorisk tilknytning", 0);
    identify(finish(x), &id);

    assert_no_identity(&id);
    assert_int_equal(strlen(id.serial_number), sizeof id.serial_number - 1);
    assert_memory_equal(id.serial_number, serial, sizeof id.serial_number - 1);
    /* The neighbouring fields are intact. */
    assert_string_equal(id.common_name, "Ole Olsen");
    assert_string_equal(id.organisation, "Ingen organisatorisk tilknytning");
}

static void test_non_ascii_common_name_is_kept_as_utf8(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_commonName, "Søren Ærø Åberg", 0);
    add_text(x, NID_serialNumber, "PID:1234", -1);
    add_text(x, NID_organizationName, "Blåbær ApS // CVR:12345678", 0);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_PERSON);
    /* Byte-exact UTF-8 spelled out, so the check does not depend on the source encoding. */
    assert_string_equal(id.common_name, "S\xc3\xb8ren \xc3\x86r\xc3\xb8 \xc3\x85" "berg");
    assert_string_equal(id.organisation, "Bl\xc3\xa5" "b\xc3\xa6" "r ApS // CVR:12345678");
    assert_string_equal(id.cvr, "12345678");
}

static void test_bmpstring_common_name_is_converted_to_utf8(void **state)
{
    (void)state;
    static const unsigned char bmp[] = {0x00, 0xe6, 0x00, 0xf8, 0x00, 0xe5}; /* "æøå" in UCS-2 */
    sign_oces_id id;
    X509 *x = new_cert();
    add_raw(x, NID_commonName, V_ASN1_BMPSTRING, bmp, (int)sizeof bmp, 0);
    identify(finish(x), &id);

    assert_string_equal(id.common_name, "\xc3\xa6\xc3\xb8\xc3\xa5");
}

static void test_long_non_ascii_common_name_is_cut_on_a_character_boundary(void **state)
{
    (void)state;
    char cn[2 * 300 + 1];
    sign_oces_id id;
    X509 *x = new_cert();
    size_t len;

    /* 300 times "ø" (two bytes each): the 255-byte limit falls in the middle of a character. */
    for (size_t i = 0; i < 300; i++) {
        cn[2 * i] = '\xc3';
        cn[2 * i + 1] = '\xb8';
    }
    cn[sizeof cn - 1] = '\0';
    add_raw(x, NID_commonName, V_ASN1_UTF8STRING, cn, -1, 0);
    identify(finish(x), &id);

    len = strlen(id.common_name);
    assert_int_equal(len, sizeof id.common_name - 2);
    assert_memory_equal(id.common_name, cn, len);
    assert_int_equal((unsigned char)id.common_name[len - 1], 0xb8);
}

static void test_certificate_without_subject_entries_is_unknown(void **state)
{
    (void)state;
    sign_oces_id id;
    identify(finish(new_cert()), &id);

    assert_no_identity(&id);
    assert_string_equal(id.serial_number, "");
    assert_string_equal(id.common_name, "");
    assert_string_equal(id.organisation, "");
    assert_int_equal(id.test, 0);
    assert_int_equal(id.oces_policy, 0);
}

static void test_previous_contents_of_the_result_are_cleared(void **state)
{
    (void)state;
    sign_oces_id id, zero;
    memset(&id, 0xAA, sizeof id);
    memset(&zero, 0, sizeof zero);
    identify(finish(new_cert()), &id);
    assert_memory_equal(&id, &zero, sizeof id);
}

/* ---- policies -------------------------------------------------------------------------------- */

static void test_production_policy_sets_oces_policy_but_not_test(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_serialNumber, "PID:1234", 0);
    add_policies(x, "1.2.208.169.1.1.1.1.7");
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_PERSON);
    assert_int_equal(id.oces_policy, 1);
    assert_int_equal(id.test, 0);
}

static void test_oces2_system_test_policy_sets_test_and_oces_policy(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_organizationName, "Testfirma A/S // CVR:25767535", 0);
    add_text(x, NID_serialNumber, "CVR:25767535-RID:1", 0);
    add_policies(x, POL_OCES2_TEST_MOCES);
    identify(finish(x), &id);

    assert_int_equal(id.kind, SIGN_OCES_EMPLOYEE);
    assert_int_equal(id.oces_policy, 1);
    assert_int_equal(id.test, 1);
}

static void test_policy_flags_do_not_depend_on_the_subject(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();
    add_text(x, NID_commonName, "not an OCES subject", 0);
    add_policies(x, POL_ETSI_NCP ", " POL_OCES2_TEST_MOCES);
    identify(finish(x), &id);

    assert_no_identity(&id);
    assert_int_equal(id.oces_policy, 1);
    assert_int_equal(id.test, 1);
}

static void test_policy_arc_match_respects_dot_boundaries(void **state)
{
    (void)state;
    static const struct {
        const char *oids;
        int oces_policy, test;
    } cases[] = {
        {"1.2.208.169.1.1.1", 1, 0},              /* the arc itself */
        {"1.2.208.169.1.1.1.10", 1, 0},           /* under the arc (though not under .1) */
        {"1.2.208.169.1.1.10", 0, 0},             /* sibling that shares the text prefix */
        {"1.2.208.169.1.1.11.2.7", 0, 0},
        {"1.2.208.169.1.1", 0, 0},                /* parent of the arc */
        {"1.2.208.169.1.2.1.1", 0, 0},
        {"1.3.6.1.4.1.31313.2.4.6", 1, 1},
        {"1.3.6.1.4.1.31313.2.4.60.1", 0, 0},
        {"1.3.6.1.4.1.31313.2.4.61", 0, 0},
        {"1.3.6.1.4.1.31313.2.4", 0, 0},
        {"1.3.6.1.4.1.31313.2.4.7.1", 0, 0},
        {"0.4.0.2042.1.1", 0, 0},                 /* ETSI NCP alone is not OCES */
        {"2.5.29.32.0", 0, 0},                    /* anyPolicy */
        {"1.3.6.1.5.5.7.13.1, 1.2.208.169.1.1.1.3.7", 1, 0},
        {POL_OCES2_MOCES ", " POL_OCES2_TEST_MOCES, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sign_oces_id id;
        X509 *x = new_cert();
        add_policies(x, cases[i].oids);
        identify(finish(x), &id);
        assert_int_equal(id.oces_policy, cases[i].oces_policy);
        assert_int_equal(id.test, cases[i].test);
    }
}

/* Builds "<arc><tail><tail>..." about 400 characters long, longer than any text buffer a reader
 * would use for an OID. */
static void long_oid(char *oid, size_t size, const char *arc, const char *tail)
{
    size_t n = strlen(arc), t = strlen(tail);
    assert_true(n < size);
    memcpy(oid, arc, n);
    while (n + t < size) {
        memcpy(oid + n, tail, t);
        n += t;
    }
    oid[n] = '\0';
}

static void test_very_long_policy_oids_are_matched_on_their_arc(void **state)
{
    (void)state;
    char oid[400];
    sign_oces_id id;
    X509 *x;

    long_oid(oid, sizeof oid, "1.2.208.169.1.1.1", ".123456789");
    x = new_cert();
    add_policies(x, oid);
    identify(finish(x), &id);
    assert_int_equal(id.oces_policy, 1);
    assert_int_equal(id.test, 0);

    /* One huge arc sharing the text prefix: a truncated text must not turn it into a match. */
    long_oid(oid, sizeof oid, "1.2.208.169.1.1.1", "9");
    x = new_cert();
    add_policies(x, oid);
    identify(finish(x), &id);
    assert_int_equal(id.oces_policy, 0);

    long_oid(oid, sizeof oid, "1.3.6.1.4.1.31313.2.4.6", ".1");
    x = new_cert();
    add_policies(x, oid);
    identify(finish(x), &id);
    assert_int_equal(id.oces_policy, 1);
    assert_int_equal(id.test, 1);
}

/* ---- API ------------------------------------------------------------------------------------- */

static void test_kind_names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(sign_oces_kind_name(SIGN_OCES_PERSON), "person");
    assert_string_equal(sign_oces_kind_name(SIGN_OCES_EMPLOYEE), "employee");
    assert_string_equal(sign_oces_kind_name(SIGN_OCES_ORGANISATION), "organisation");
    assert_string_equal(sign_oces_kind_name(SIGN_OCES_FUNCTION), "function");
    assert_null(sign_oces_kind_name(SIGN_OCES_UNKNOWN));
    assert_null(sign_oces_kind_name((enum sign_oces_kind)99));
    assert_null(sign_oces_kind_name((enum sign_oces_kind)-1));
}

static void test_null_arguments_are_rejected(void **state)
{
    (void)state;
    sign_oces_id id;
    X509 *x = new_cert();

    memset(&id, 0xAA, sizeof id);
    assert_int_equal(sign_oces_identify(&id, NULL), SIGN_EINVAL);
    assert_int_equal(id.kind, SIGN_OCES_UNKNOWN);
    assert_string_equal(id.serial_number, "");
    assert_int_equal(sign_oces_identify(NULL, x), SIGN_EINVAL);
    X509_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oces3_employee_with_ntrdk_cvr_is_recognised),
        cmocka_unit_test(test_oces3_organisation_with_ntrdk_cvr_is_recognised),
        cmocka_unit_test(test_oces3_person_is_recognised_without_cvr),
        cmocka_unit_test(test_oces3_uuid_in_uppercase_hex_is_accepted_and_kept_as_written),
        cmocka_unit_test(test_oces3_employee_without_organization_identifier_is_unknown),
        cmocka_unit_test(test_oces3_malformed_organization_identifier_is_unknown),
        cmocka_unit_test(test_oces3_person_with_malformed_organization_identifier_is_unknown),
        cmocka_unit_test(test_repeated_organization_identifier_is_unknown),
        cmocka_unit_test(test_oces2_person_in_multivalued_rdn_is_recognised),
        cmocka_unit_test(test_oces2_employee_in_multivalued_rdn_is_recognised),
        cmocka_unit_test(test_oces2_organisation_in_multivalued_rdn_is_recognised),
        cmocka_unit_test(test_oces2_function_in_multivalued_rdn_is_recognised),
        cmocka_unit_test(test_oces2_serial_in_its_own_rdn_is_recognised),
        cmocka_unit_test(test_oces2_person_takes_cvr_from_organisation_suffix),
        cmocka_unit_test(test_oces2_malformed_organisation_suffix_gives_no_cvr),
        cmocka_unit_test(test_oces2_cvr_conflict_between_serial_and_organisation_is_unknown),
        cmocka_unit_test(test_oces2_id_must_fit_its_field),
        cmocka_unit_test(test_unknown_serial_forms_are_unknown_and_kept_verbatim),
        cmocka_unit_test(test_repeated_serial_number_is_unknown_and_first_value_is_kept),
        cmocka_unit_test(test_embedded_nul_in_serial_is_unknown_and_not_copied),
        cmocka_unit_test(test_embedded_nul_in_common_name_makes_identity_unknown),
        cmocka_unit_test(test_undecodable_serial_string_is_unknown),
        cmocka_unit_test(test_invalid_utf8_in_serial_is_unknown),
        cmocka_unit_test(test_invalid_utf8_in_organisation_is_unknown_and_not_copied),
        cmocka_unit_test(test_very_long_serial_is_truncated_without_overflow),
        cmocka_unit_test(test_non_ascii_common_name_is_kept_as_utf8),
        cmocka_unit_test(test_bmpstring_common_name_is_converted_to_utf8),
        cmocka_unit_test(test_long_non_ascii_common_name_is_cut_on_a_character_boundary),
        cmocka_unit_test(test_certificate_without_subject_entries_is_unknown),
        cmocka_unit_test(test_previous_contents_of_the_result_are_cleared),
        cmocka_unit_test(test_production_policy_sets_oces_policy_but_not_test),
        cmocka_unit_test(test_oces2_system_test_policy_sets_test_and_oces_policy),
        cmocka_unit_test(test_policy_flags_do_not_depend_on_the_subject),
        cmocka_unit_test(test_policy_arc_match_respects_dot_boundaries),
        cmocka_unit_test(test_very_long_policy_oids_are_matched_on_their_arc),
        cmocka_unit_test(test_kind_names_are_stable),
        cmocka_unit_test(test_null_arguments_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
