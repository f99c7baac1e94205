#!/usr/bin/env python3
"""Build zip containers for the ASiC tests, including broken and hostile ones that no honest
zip tool writes. Usage: mkzip.py OUT < SPEC, where SPEC is a JSON list of entries:
  {"name": "letter.txt",        the name as stored (anything: "../x", "/abs", duplicates)
   "file": "path" | "text": "..." | "zeros": N | "from": "container.zip",
                                the content: a file, a string, N zero bytes, or the entry of the
                                same name (or "entry") in another zip
   "entry": "name in from",
   "store": true,               stored instead of deflated
   "extra": "hex",              an extra field in the local and central headers
   "encrypted": true,           the "encrypted" flag set (content left as it is)
   "symlink": true,             Unix external attributes of a symbolic link
   "declared": N}               the central directory's uncompressed size replaced by N
"""
import json, struct, sys, zipfile, warnings

warnings.simplefilter("ignore")  # duplicate names are the point of some tests
out, spec = sys.argv[1], json.load(sys.stdin)
patches = []
with zipfile.ZipFile(out, "w") as z:
    for e in spec:
        if "file" in e:
            data = open(e["file"], "rb").read()
        elif "text" in e:
            data = e["text"].encode()
        elif "zeros" in e:
            data = bytes(e["zeros"])
        else:
            with zipfile.ZipFile(e["from"]) as src:
                data = src.read(e.get("entry", e["name"]))
        info = zipfile.ZipInfo(e["name"], date_time=(2026, 5, 1, 12, 0, 0))
        info.compress_type = zipfile.ZIP_STORED if e.get("store") else zipfile.ZIP_DEFLATED
        info.external_attr = (0o120777 if e.get("symlink") else 0o100644) << 16
        info.create_system = 3
        if "extra" in e:
            info.extra = bytes.fromhex(e["extra"])
        z.writestr(info, data)
        if "declared" in e or e.get("encrypted"):
            patches.append((e["name"].encode(), e.get("declared"), e.get("encrypted")))
if patches:
    raw = bytearray(open(out, "rb").read())
    pos = 0
    while (pos := raw.find(b"PK\1\2", pos)) >= 0:
        name_len = struct.unpack_from("<H", raw, pos + 28)[0]
        name = bytes(raw[pos + 46:pos + 46 + name_len])
        offset = struct.unpack_from("<I", raw, pos + 42)[0]
        for pname, size, encrypted in patches:
            if name == pname and size is not None:
                struct.pack_into("<I", raw, pos + 24, size)
            if name == pname and encrypted:  # zipfile clears flag_bits: set bit 0 here
                raw[pos + 8] |= 1
                raw[offset + 6] |= 1
        pos += 4
    open(out, "wb").write(raw)
