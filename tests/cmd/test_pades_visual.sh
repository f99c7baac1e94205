#!/usr/bin/env bash
# The visual comparison of PAdES signatures (segl-verify --visual, --show-changes): each page of a
# signed revision rendered with poppler and compared with the final file; changes outside the
# annotations a later revision was allowed to add make the signature TOTAL_FAILED.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
cp "$DOCS/contract.pdf" .
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o signed.pdf contract.pdf
page4() { printf '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents %s /Resources << /Font << /F1 6 0 R >> >> /Annots [8 0 R] >>' "$1"; }

# test_pades_visual_second_visible_signature_changes_only_its_widget
"$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" --visible 1,300,50,220,60 -o two.pdf signed.pdf
expect_exit 0 "a later visible signature is allowed" -- verify_json two.pdf
expect_json '.signatures[0].modification == "allowed" and .signatures[0].indication == "TOTAL_PASSED"' "first signature allowed after a visible second one"
expect_json '.signatures[0].visual_changes | length == 1 and .[0].page == 1 and .[0].pixels > 1000 and .[0].unexplained == 0' "the second signature's appearance is a visual change, all of it explained"
expect_json '.signatures[0].visual_changes[0].box | .[0] >= 298 and .[1] >= 48 and .[0] + .[2] <= 522 and .[1] + .[3] <= 112' "the change lies inside the widget's /Rect (user space points)"
expect_json '.signatures[1] | has("visual_changes") | not' "nothing after the last signature: not compared"

# test_pades_visual_rotated_page_maps_the_rect: /Rotate 90 and 270, the box still in user space
for r in 90 270; do
    append_revision contract.pdf "rot$r.pdf" 4 "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Rotate $r /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>"
    "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o "rot$r-signed.pdf" "rot$r.pdf"
    "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" --visible 1,300,50,220,60 -o "rot$r-two.pdf" "rot$r-signed.pdf"
    expect_exit 0 "a later visible signature on a page turned by $r" -- verify_json "rot$r-two.pdf"
    expect_json '.signatures[0].visual_changes | length == 1 and .[0].unexplained == 0 and (.[0].box | .[0] >= 298 and .[1] >= 48 and .[0] + .[2] <= 522 and .[1] + .[3] <= 112)' "rotated $r: the change inside the widget's /Rect"
done

# test_pades_visual_overdraw_is_disallowed: a content stream added to the page draws over it
cover='<< /Length 58 >>
stream
1 1 1 rg 60 680 300 60 re f 0 0 0 rg BT /F1 20 Tf 72 700 Td ET
endstream'
append_revision signed.pdf overdraw.pdf 4 "$(page4 '[5 0 R 30 0 R]')" 30 "$cover"
expect_exit 1 "drawing over the signed page" -- verify_json overdraw.pdf
expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "FORMAT_FAILURE" and .signatures[0].modification == "disallowed"' "overdraw: TOTAL_FAILED, disallowed"
expect_json '.signatures[0].visual_changes | length == 1 and .[0].unexplained > 0' "overdraw: an unexplained visual change"
expect_json '.signatures[0].errors | any(test("page 1 looks different"))' "overdraw: the visual error says which page"
expect_json '.signatures[0].modification_details | any(test("not allowed: page 1 changed visually"))' "overdraw: in the modification details"
# --visual off: the structural analysis alone (it refuses the page change too)
expect_exit 1 "--visual off" -- verify_json --visual off overdraw.pdf
expect_json '(.signatures[0] | has("visual_changes") | not) and (.signatures[0].errors | any(test("looks different")) | not)' "--visual off renders nothing"

# test_pades_visual_hide_and_replace: the signed revision hides an unused content stream; a later
# revision points the page at it
append_revision contract.pdf hidden.pdf 11 '<< /Length 44 >>
stream
BT /F1 20 Tf 72 600 Td (Betalt: 0 kr) Tj ET
endstream'
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o hidden-signed.pdf hidden.pdf
size=$(next_size hidden-signed.pdf)
annots=$(grep -ao '/Annots \[[0-9 R]*\]' hidden-signed.pdf | tail -1)
append_revision hidden-signed.pdf hide-replace.pdf 4 "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents [5 0 R 11 0 R] /Resources << /Font << /F1 6 0 R >> >> $annots >>"
expect_exit 1 "hide-and-replace" -- verify_json hide-replace.pdf
expect_json '.signatures[0].indication == "TOTAL_FAILED" and (.signatures[0].visual_changes | length == 1 and .[0].unexplained > 0)' "hide-and-replace: caught visually"
expect_json '.signatures[0].visual_changes[0].box | .[0] >= 70 and .[0] <= 74 and .[1] >= 590 and .[1] <= 602' "hide-and-replace: the box is where the hidden text shows"

# test_pades_visual_added_page_is_a_change
append_revision signed.pdf added-page.pdf \
    3 '<< /Type /Pages /Kids [4 0 R 31 0 R] /Count 2 >>' \
    31 '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>'
expect_exit 1 "a page added after signing" -- verify_json added-page.pdf
expect_json '.signatures[0].visual_changes | map(select(.page == 2)) | length == 1 and .[0].unexplained == .[0].pixels and (.[0].box | .[0] == 0 and .[1] == 0 and .[2] == 595 and .[3] == 842)' "the added page is a change of the whole page"

# test_pades_visual_auto_skips_validation_data: a DSS-only revision is not rendered by default
# the newest catalog of signed.pdf, with a /DSS
dss_catalog=$(awk 'BEGIN{RS="endobj"} /(^|\n)1 0 obj/{c=$0} END{print c}' signed.pdf | tr '\r' '\n' |
    sed '1,/1 0 obj/d' | tr '\n' ' ' | sed 's/>> *$//')
append_revision signed.pdf dss.pdf 1 "$dss_catalog /DSS 32 0 R >>" 32 '<< /Type /DSS /Certs [] >>'
expect_exit 0 "a DSS added after signing" -- verify_json dss.pdf
expect_json '.signatures[0].modification == "allowed" and (.signatures[0] | has("visual_changes") | not)' "--visual auto: a DSS-only revision is not rendered"
expect_exit 0 "a DSS added, --visual always" -- verify_json --visual always dss.pdf
expect_json '.signatures[0].visual_changes == []' "--visual always: compared, nothing changed"

# test_pades_visual_show_changes_writes_highlighted_png
mkdir shown
expect_exit 1 "--show-changes" -- verify_json --show-changes shown overdraw.pdf two.pdf
[ -s shown/overdraw.pdf.sig1.page1.png ] && [ -s shown/two.pdf.sig1.page1.png ] && pass ||
    fail "--show-changes: $(ls shown); warnings: $(jq -c '[.signatures[].warnings[] | select(test("visual"))]' out.txt)"
[ "$(ls shown | wc -l)" -eq 2 ] && pass || fail "--show-changes wrote $(ls shown)"
# the PNG: 893x1263 (A4 at 1.5 pixels a point), with pure red pixels (the frame of the changes)
python3 - shown/overdraw.pdf.sig1.page1.png <<'PY' && pass || fail "the PNG is not a highlighted page"
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        width, height, depth, color = struct.unpack('>IIBB', body[:10])
    if kind == b'IDAT':
        idat += body
    pos += 12 + n
assert (width, height, depth) == (893, 1263, 8) and color in (2, 6), (width, height, depth, color)
bpp = 3 if color == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
red = 0
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        if line[x] > 200 and line[x + 1] < 60 and line[x + 2] < 60:
            red += 1
    prev = line
assert red > 500, red
PY
# with the standard descriptors closed, the renderer's job and answer are not mixed up with them
mkdir shown3
"$VERIFY" -q --at "$AT" --trust "$PKI/trust/oces3-root.pem" --show-changes shown3 overdraw.pdf two.pdf <&- >&- 2>&-
[ $? -eq 1 ] && [ -s shown3/overdraw.pdf.sig1.page1.png ] && [ -s shown3/two.pdf.sig1.page1.png ] && pass ||
    fail "--show-changes with stdin, stdout and stderr closed: $(ls shown3)"
# inputs of one run with the same base name: the second given is NAME.K (K its position)
mkdir -p again shown2
cp overdraw.pdf again/overdraw.pdf
expect_exit 1 "--show-changes, two inputs named overdraw.pdf" -- verify_json --show-changes shown2 overdraw.pdf two.pdf again/overdraw.pdf
[ "$(ls shown2 | tr '\n' ' ')" = "overdraw.pdf.3.sig1.page1.png overdraw.pdf.sig1.page1.png two.pdf.sig1.page1.png " ] && pass ||
    fail "--show-changes with a repeated base name wrote: $(ls shown2)"
expect_exit 3 "--show-changes to a missing directory" -- verify_json --show-changes missing overdraw.pdf
expect_one_line_error "--show-changes missing" 'not an existing directory'
expect_exit 3 "--show-changes with --visual off" -- verify_json --visual off --show-changes shown overdraw.pdf
expect_exit 3 "--visual with an unknown mode" -- verify_json --visual sometimes overdraw.pdf

# test_pades_visual_batch_renders_in_parallel: the forked renderers in a threaded batch
expect_exit 1 "a batch on 4 threads" -- verify_json -j 4 two.pdf overdraw.pdf hide-replace.pdf two.pdf overdraw.pdf dss.pdf
expect_json_lines 'map(.signatures[0].indication) == ["TOTAL_PASSED","TOTAL_FAILED","TOTAL_FAILED","TOTAL_PASSED","TOTAL_FAILED","TOTAL_PASSED"]' "batch verdicts in order"
# every renderer answered: a renderer is a program started afresh, not a fork of the threaded
# batch (which inherits whatever lock another thread holds at that instant, and can hang on it)
expect_json_lines 'map(.signatures[].warnings[] | select(test("visual comparison not made"))) == []' "every page compared in the batch"

finish
