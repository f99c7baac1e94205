// Usage: node xades_sign.mjs IN.xml KEY.pem CERT.pem [CHAIN.pem] [pss] > OUT.xml
// Signs IN.xml enveloped (URI="") with xadesjs: XAdES with SigningTime and SigningCertificateV2.
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import * as xadesjs from 'xadesjs';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
xadesjs.Application.setEngine('NodeJS', webcrypto);
xadesjs.setNodeDependencies({ DOMParser, XMLSerializer });
const [input, keyPath, certPath, chainPath, mode] = process.argv.slice(2);
const der = (pem, label) => Buffer.from(pem.split(`-----BEGIN ${label}-----`)[1].split('-----END')[0].replace(/\s+/g, ''), 'base64');
const b64 = (pem) => der(pem, 'CERTIFICATE').toString('base64');
const alg = mode === 'pss' ? { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const key = await webcrypto.subtle.importKey('pkcs8', der(readFileSync(keyPath, 'utf8'), 'PRIVATE KEY'),
  mode === 'pss' ? { name: 'RSA-PSS', hash: 'SHA-256' } : alg, false, ['sign']);
const cert = b64(readFileSync(certPath, 'utf8'));
const x509 = [cert];
if (chainPath && chainPath !== '-') x509.push(b64(readFileSync(chainPath, 'utf8')));
const doc = xadesjs.Parse(readFileSync(input, 'utf8'));
const signed = new xadesjs.SignedXml();
await signed.Sign(alg, key, doc, {
  x509,
  references: [{ uri: '', hash: 'SHA-256', transforms: ['enveloped', 'exc-c14n'] }],
  signingCertificateV2: cert,
  signingTime: { value: new Date('2026-05-01T08:00:00Z') },
});
doc.documentElement.appendChild(signed.GetXml());
process.stdout.write(new XMLSerializer().serializeToString(doc));
