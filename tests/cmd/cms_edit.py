#!/usr/bin/env python3
"""Test-only edits of a CMS SignedData, to make the files other signers make (never used by segl).

  cms_edit.py add-ocsp IN OCSP OUT      put the OCSP response (DER) into SignedData.crls as an
                                        RFC 5940 OtherRevocationInfoFormat (id-ri-ocsp-response)
  cms_edit.py add-ocsp-drop-cert IN OCSP OUT   the same, only the last certificate (the
                                        signer's) kept, to make room in a PDF's /Contents
  cms_edit.py unsort IN KEY OUT         re-sign the signed attributes sent in non-DER order (the
                                        reverse of DER's), as some signers do
  cms_edit.py unsort-unsigned IN OUT    send the signed attributes in that order, signature as is
                                        (signed over DER)
  cms_edit.py unsort-tamper IN KEY OUT  as unsort, then change an attribute
  cms_edit.py long-length IN KEY OUT    as unsort, and the message digest's length in long form
                                        (BER, which OpenSSL re-encodes in short form)
  cms_edit.py pdf IN OUT -- EDIT ARGS   apply EDIT to the CMS in the last signature of a PDF (the
                                        /Contents gap is not covered by the signature)
IN and OUT of the CMS edits are DER files. The DER is read with a small TLV reader: test code.
"""
import re
import subprocess
import sys
import tempfile


def header(data, i):
    """(tag, start of contents, length) of the TLV at data[i]; definite lengths only."""
    tag = data[i]
    length = data[i + 1]
    i += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[i:i + count], "big")
        i += count
    return tag, i, length


def tlv(tag, contents):
    n = len(contents)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + contents


def children(data):
    """The elements (each whole) of the contents data."""
    out, i = [], 0
    while i < len(data):
        _, start, length = header(data, i)
        out.append(data[i:start + length])
        i = start + length
    return out


def contents(element):
    _, start, length = header(element, 0)
    return element[start:start + length]


def split(cms):
    """ContentInfo -> (oid, SignedData fields)."""
    oid, explicit = children(contents(cms))
    signed_data = children(contents(explicit))[0]
    return oid, children(contents(signed_data))


def join(oid, fields):
    return tlv(0x30, oid + tlv(0xA0, tlv(0x30, b"".join(fields))))


def add_ocsp(cms, ocsp, drop_cert=False):
    oid, fields = split(cms)
    if drop_cert:
        assert fields[3][0] == 0xA0, "no certificates"
        fields[3] = tlv(0xA0, children(contents(fields[3]))[-1])
    id_ri_ocsp_response = bytes.fromhex("06082b06010505071002")  # 1.3.6.1.5.5.7.16.2
    other = tlv(0xA1, id_ri_ocsp_response + ocsp)  # [1] IMPLICIT OtherRevocationInfoFormat
    crls = [i for i, f in enumerate(fields) if f[0] == 0xA1]
    if crls:
        fields[crls[0]] = tlv(0xA1, contents(fields[crls[0]]) + other)
    else:
        signer_infos = len(fields) - 1
        fields.insert(signer_infos, tlv(0xA1, other))
    return join(oid, fields)


def sign(key, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, f.name],
                              check=True, capture_output=True).stdout


MESSAGE_DIGEST = bytes.fromhex("06092a864886f70d010904")


def long_length(attribute):
    """messageDigest's SET { OCTET STRING } with the string's length as 0x81 LEN (BER, not DER)."""
    oid = attribute.index(MESSAGE_DIGEST) + len(MESSAGE_DIGEST)
    digest = children(contents(children(attribute[oid:])[0]))[0]
    ber_digest = bytes([digest[0], 0x81, len(contents(digest))]) + contents(digest)
    return tlv(0x30, MESSAGE_DIGEST + tlv(0x31, ber_digest))


def unsort(cms, key, resign=True, tamper=False, ber_length=False):
    oid, fields = split(cms)
    signer_infos = children(contents(fields[-1]))
    si = children(contents(signer_infos[0]))
    assert si[3][0] == 0xA0, "no signed attributes"
    attrs = children(contents(si[3]))
    order = list(reversed(sorted(attrs)))  # DER sorts a SET OF by encoding
    assert order != attrs or len(attrs) < 2
    if ber_length:
        order = [long_length(a) if MESSAGE_DIGEST in a else a for a in order]
    if tamper:  # the last octet of an attribute that is not the message digest
        k = next(k for k, a in enumerate(order) if MESSAGE_DIGEST not in a)
        order[k] = order[k][:-1] + bytes([order[k][-1] ^ 1])
    body = b"".join(order)
    if resign:
        signature = sign(key, tlv(0x31, body))
        if tamper:
            signature = sign(key, tlv(0x31, b"".join(reversed(sorted(attrs)))))
        si[5] = tlv(0x04, signature)
    si[3] = tlv(0xA0, body)
    signer_infos[0] = tlv(0x30, b"".join(si))
    fields[-1] = tlv(0x31, b"".join(signer_infos))
    return join(oid, fields)


def edit(args, cms):
    what = args[0]
    if what == "add-ocsp":
        return add_ocsp(cms, open(args[1], "rb").read())
    if what == "add-ocsp-drop-cert":
        return add_ocsp(cms, open(args[1], "rb").read(), drop_cert=True)
    if what == "unsort":
        return unsort(cms, args[1])
    if what == "unsort-unsigned":
        return unsort(cms, None, resign=False)
    if what == "long-length":
        return unsort(cms, args[1], ber_length=True)
    if what == "unsort-tamper":
        return unsort(cms, args[1], tamper=True)
    sys.exit("unknown edit " + what)


def main(argv):
    if argv[0] == "pdf":
        pdf = open(argv[1], "rb").read()
        gaps = list(re.finditer(rb"/Contents\s*<([0-9A-Fa-f]{1000,})>", pdf))
        gap = gaps[-1]
        raw = bytes.fromhex(gap.group(1).decode())
        _, start, length = header(raw, 0)
        cms = edit(argv[4:], raw[:start + length])
        hexed = cms.hex().encode()
        room = len(gap.group(1))
        assert len(hexed) <= room, "the new CMS does not fit in /Contents"
        hexed += b"0" * (room - len(hexed))
        open(argv[2], "wb").write(pdf[:gap.start(1)] + hexed + pdf[gap.end(1):])
        return
    # edit IN ARGS... OUT: the edit's own arguments sit between IN and OUT
    cms = open(argv[1], "rb").read()
    out = edit([argv[0]] + argv[2:-1], cms)
    open(argv[-1], "wb").write(out)


if __name__ == "__main__":
    main(sys.argv[1:])
