#!/usr/bin/env python3
"""Make NemID OpenSign signatures in the exact shape of DanID's OpenSign applet, with the test
PKI and xmlsec1 (which only fills DigestValue and SignatureValue): the openoces:signature
wrapper, one ds:Signature Id="signature" whose SignedInfo (inclusive C14N) references
#ToBeSigned, the ds:Object Id="ToBeSigned" holding the signature properties, and KeyInfo with
one X509Data per certificate: the intermediate CA first, the signer second, the root third (the
order real OpenSign files have). Then the forgeries.

    mkopensign.py PKI_DIR OUT_DIR
"""
import base64
import os
import subprocess
import sys

DSIG = "http://www.w3.org/2000/09/xmldsig#"
OOCES = "http://www.openoces.org/2006/07/signature#"
ALGS = {
    "sha256": ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
               "http://www.w3.org/2001/04/xmlenc#sha256"),
    "sha1": ("http://www.w3.org/2000/09/xmldsig#rsa-sha1",
             "http://www.w3.org/2000/09/xmldsig#sha1"),
}
SIGN_TEXT = ("<html><body><h1>Samtykke</h1><p>Jeg giver hermed samtykke til, at Testkommunen "
             "indhenter oplysninger om min indkomst for 2026.</p><p>Æblegrød og ørred.</p>"
             "</body></html>")


def b64(data):
    return base64.b64encode(data).decode()


def pem_body(path):
    lines = open(path).read().split("\n")
    body = "".join(l for l in lines if l and not l.startswith("-----"))
    return "\n".join(body[i:i + 76] for i in range(0, len(body), 76))


def prop(name, value, encoding="base64", visible="yes"):
    text = b64(value.encode()) if encoding == "base64" else value
    return ('<ds:SignatureProperty Target="signature"><openoces:Name>%s</openoces:Name>'
            '<openoces:Value Encoding="%s" VisibleToSigner="%s">%s</openoces:Value>'
            '</ds:SignatureProperty>' % (name, encoding, visible, text))


def properties(sign_text):
    return "\n".join([
        prop("signtext", sign_text),
        prop("RequestIssuer", "Testkommunen"),
        prop("TimeStamp", "2026-06-01 10:00:00+0000", visible="no"),
        prop("action", "sign", encoding="xml", visible="no"),
        prop("challenge", "2993001065895448039", encoding="xml", visible="no"),
    ])


def template(alg, props, key_info, extra_object=""):
    method, digest = ALGS[alg]
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<openoces:signature xmlns:openoces="%(o)s" version="0.1">'
        '<ds:Signature xmlns:ds="%(d)s" Id="signature">\n'
        '<ds:SignedInfo xmlns:ds="%(d)s" xmlns:openoces="%(o)s">\n'
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315">'
        '</ds:CanonicalizationMethod>\n'
        '<ds:SignatureMethod Algorithm="%(m)s"></ds:SignatureMethod>\n'
        '<ds:Reference URI="#ToBeSigned">\n'
        '<ds:DigestMethod Algorithm="%(g)s"></ds:DigestMethod>\n'
        '<ds:DigestValue></ds:DigestValue>\n'
        '</ds:Reference>\n'
        '</ds:SignedInfo>\n'
        '<ds:SignatureValue>\n</ds:SignatureValue>\n'
        '<ds:KeyInfo>\n%(k)s</ds:KeyInfo>\n'
        '<ds:Object xmlns:ds="%(d)s" xmlns:openoces="%(o)s" Id="ToBeSigned">'
        '<ds:SignatureProperties>\n%(p)s\n</ds:SignatureProperties></ds:Object>\n%(x)s'
        '</ds:Signature></openoces:signature>' %
        {"o": OOCES, "d": DSIG, "m": method, "g": digest, "k": key_info, "p": props,
         "x": extra_object})


def key_info(certs):
    return "".join("<ds:X509Data>\n<ds:X509Certificate>\n%s\n</ds:X509Certificate>\n"
                   "</ds:X509Data>\n" % pem_body(c) for c in certs)


def sign(text, key, out):
    tmpl = out + ".tmpl"
    with open(tmpl, "w") as f:
        f.write(text)
    subprocess.run(["xmlsec1", "--sign", "--privkey-pem", key, "--id-attr:Id",
                    DSIG + ":Object", "--output", out, tmpl], check=True,
                   stdout=subprocess.DEVNULL)
    os.unlink(tmpl)
    return open(out).read()


def main():
    pki, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    signers = {
        "oces2": ("%s/oces2/poces" % pki, "%s/oces2" % pki),
        "oces3": ("%s/oces3/person" % pki, "%s/oces3" % pki),
    }
    made = {}
    for name, (signer, ca_dir) in signers.items():
        certs = ["%s/ca.pem" % ca_dir, signer + ".pem", "%s/root.pem" % ca_dir]
        for alg in ALGS:
            path = "%s/opensign-%s-%s.xml" % (out, name, alg)
            made[(name, alg)] = sign(template(alg, properties(SIGN_TEXT), key_info(certs)),
                                     signer + ".key.pem", path)
    # An employee (MOCES: CVR and RID in the multi-valued serialNumber RDN).
    sign(template("sha256", properties(SIGN_TEXT),
                  key_info(["%s/oces2/ca.pem" % pki, "%s/oces2/moces.pem" % pki,
                            "%s/oces2/root.pem" % pki])),
         "%s/oces2/moces.key.pem" % pki, "%s/opensign-moces-sha256.xml" % out)
    valid = made[("oces2", "sha256")]

    def forge(name, text):
        assert text != valid, name
        with open("%s/%s" % (out, name), "w") as f:
            f.write(text)

    # The sign text changed after signing: the signed Object no longer matches its digest.
    shown = b64(SIGN_TEXT.encode())
    forge("opensign-changed-text.xml",
          valid.replace(shown, b64(SIGN_TEXT.replace("2026", "2027").encode())))
    # A property the signer never saw, outside the signed Object (in the unsigned KeyInfo).
    forge("opensign-property-outside.xml",
          valid.replace("<ds:KeyInfo>\n", "<ds:KeyInfo>\n<ds:SignatureProperties>" +
                        prop("RequestIssuer", "Falsk Myndighed") + "</ds:SignatureProperties>\n",
                        1))
    # A second, unsigned Object with another sign text.
    forge("opensign-second-object.xml",
          valid.replace("</ds:Signature></openoces:signature>",
                        '<ds:Object Id="Other"><ds:SignatureProperties>' +
                        prop("signtext", "<html><body>Noget andet</body></html>") +
                        "</ds:SignatureProperties></ds:Object>\n"
                        "</ds:Signature></openoces:signature>"))
    # Content next to the signature inside the wrapper.
    forge("opensign-wrapper-content.xml",
          valid.replace("</ds:Signature></openoces:signature>",
                        "</ds:Signature><p>Jeg skylder 1.000.000 kr.</p></openoces:signature>"))


if __name__ == "__main__":
    main()
