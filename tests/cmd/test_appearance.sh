#!/usr/bin/env bash
# The visible PAdES signature as a reader sees it: the page rendered by poppler (pdftoppm) shows
# the box where it was asked for and nothing else changed, its text comes back with pdftotext
# (Danish letters included: the font is embedded with a /ToUnicode map), labels follow the
# locale, a PNG shows beside the text, and a box off the page or too small for readable text is
# refused with exit 3, one line and no output file.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cp "$DOCS/contract.pdf" .
sign() { "$SIGN" -q -k "$PKI/oces3/$1.p12" --pass-file "$PASS" "${@:2}"; }
R=96 # pixels per inch of the renderings: 100 % on a common screen

# pixels FILE.pnm: "WIDTH HEIGHT" then the samples, for the checks below (PGM or PPM, 8 bit)
cat >pixels.py <<'EOF'
import sys
def read(path):
    data = open(path, 'rb').read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    channels = 3 if fields[0] == b'P6' else 1
    return int(fields[1]), int(fields[2]), channels, data[pos + 1:]
def box(rect, page_h):  # PDF points (x, y, w, h from the lower left) to pixel bounds
    x, y, w, h = rect
    s = float(sys.argv[2]) / 72
    return int(x * s), int((page_h - y - h) * s), int((x + w) * s), int((page_h - y) * s)
cmd = sys.argv[1]
if cmd == 'compare':  # compare R PAGE_H X,Y,W,H BEFORE.pgm AFTER.pgm: what changed where
    page_h = float(sys.argv[3])
    x0, y0, x1, y1 = box([float(v) for v in sys.argv[4].split(',')], page_h)
    w, h, _, before = read(sys.argv[5])
    _, _, _, after = read(sys.argv[6])
    # row by row, in slices: the parts of a row left and right of the box (2 px of antialiasing
    # around its edge aside), and the part inside it (2 px in from the edge)
    dark = bytes.maketrans(bytes(range(256)), bytes(1 if v < 128 else 0 for v in range(256)))
    outside_changed = inside = inside_white = inside_dark = 0
    for y in range(h):
        row = slice(y * w, (y + 1) * w)
        b, a = before[row], after[row]
        if not (y0 - 2 <= y < y1 + 2):
            outside_changed += sum(p != q for p, q in zip(b, a)) if b != a else 0
            continue
        for lo, hi in ((0, max(x0 - 2, 0)), (min(x1 + 2, w), w)):
            if b[lo:hi] != a[lo:hi]:
                outside_changed += sum(p != q for p, q in zip(b[lo:hi], a[lo:hi]))
        if y0 + 2 <= y < y1 - 2:
            part = a[x0 + 2:x1 - 2]
            inside += len(part)
            inside_white += part.count(255)
            inside_dark += sum(part.translate(dark))
    print(outside_changed, inside, inside_white, inside_dark)
elif cmd == 'red':  # red R PAGE_H X,Y,W,H PAGE.ppm: pixels of the test logo's red in the box
    page_h = float(sys.argv[3])
    x0, y0, x1, y1 = box([float(v) for v in sys.argv[4].split(',')], page_h)
    w, h, _, rgb = read(sys.argv[5])
    print(sum(1 for y in range(y0, y1) for x in range(x0, x1)
              if rgb[3 * (y * w + x)] > 150 and rgb[3 * (y * w + x) + 1] < 80 and rgb[3 * (y * w + x) + 2] < 80))
EOF
page_h=$(pdfinfo contract.pdf | sed -n 's/^Page size: *[0-9.]* x \([0-9.]*\) pts.*/\1/p')
pdftoppm -r $R -gray -f 1 -l 1 contract.pdf unsigned
# text_in FILE X,Y,W,H: the text pdftotext finds in that box of page 1 (at 72 dpi: points)
text_in() {
    local x y w h
    IFS=, read -r x y w h <<<"$2"
    pdftotext -f 1 -l 1 -r 72 -x "${x%.*}" -y "$(python3 -c "print(int($page_h - $y - $h))")" \
        -W "${w%.*}" -H "${h%.*}" "$1" -
}

# test_visible_signature_draws_a_box_where_asked_and_nothing_else
rect=50,60,230,70
expect_exit 0 "sign with a visible signature" -- sign ec --visible "1,$rect" -o boxed.pdf contract.pdf
pdftoppm -r $R -gray -f 1 -l 1 boxed.pdf boxed
read -r outside inside white dark <<<"$(python3 pixels.py compare $R "$page_h" "$rect" unsigned-1.pgm boxed-1.pgm)"
[ "$outside" -eq 0 ] && pass || fail "$outside pixels outside the box changed"
[ "$inside" -gt 10000 ] && [ "$white" -eq 0 ] && pass || fail "the box is not drawn: $white of $inside pixels inside are white"
[ "$dark" -gt 300 ] && pass || fail "no text in the box: $dark dark pixels"

# test_visible_signature_text_is_extractable_with_danish_letters
text_in boxed.pdf "$rect" >text.txt
grep -qx 'Søren Østergård' text.txt && pass || fail "pdftotext of the box lacks the signer's name: $(cat text.txt)"
grep -qx 'Signed by' text.txt && grep -q '^Date: 20[0-9-]* [0-9:]* UTC$' text.txt && pass || fail "English labels missing: $(cat text.txt)"
grep -q 'OCES person: UI:DK-P:G:' text.txt && pass || fail "OCES identity missing: $(cat text.txt)"
pdffonts boxed.pdf >fonts.txt
grep -Eq '^[A-Z]{6}\+DejaVuSans +CID TrueType +Identity-H +yes +yes +yes ' fonts.txt && pass || fail "the font is not an embedded DejaVu Sans subset with /ToUnicode: $(cat fonts.txt)"
added=$(($(stat -c %s boxed.pdf) - $(stat -c %s contract.pdf)))
[ "$added" -lt 40000 ] && pass || fail "the signature added $added bytes: the font is not subset"

# test_visible_signature_is_accepted_by_other_readers
expect_exit 0 "validate the visible signature" -- verify_json boxed.pdf
expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].modification == "none"' "visible signature passes"
expect_exit 0 "qpdf --check" -- qpdf --check boxed.pdf
pdfsig boxed.pdf >pdfsig.txt 2>&1
grep -q 'Signature Validation: Signature is Valid.' pdfsig.txt && pass || fail "pdfsig: $(cat pdfsig.txt)"

# test_visible_signature_labels_follow_the_locale (a name with æ, too)
rect=320,450,220,80
LANGUAGE=da expect_exit 0 "sign in Danish" -- sign employee --visible "1,$rect" -o dansk.pdf boxed.pdf
text_in dansk.pdf "$rect" >text.txt
grep -qx 'Underskrevet af' text.txt && grep -q '^Dato: 20' text.txt && pass || fail "Danish labels missing: $(cat text.txt)"
grep -qx 'Bo Ansat' text.txt && grep -qx 'Testfirma A/S' text.txt && pass || fail "employee name or organisation missing: $(cat text.txt)"
LANGUAGE=da expect_exit 0 "sign as a name with æ" -- sign revoked --visible "1,$rect" -o ae.pdf contract.pdf
text_in ae.pdf "$rect" | grep -qx 'Rikke Spærret' && pass || fail "pdftotext lacks the name with æ: $(text_in ae.pdf "$rect")"
LANGUAGE= LC_ALL= LC_MESSAGES= LANG=da_DK.UTF-8 expect_exit 0 "sign with LANG=da_DK" -- sign ec --visible "1,$rect" -o lang.pdf contract.pdf
text_in lang.pdf "$rect" | grep -qx 'Underskrevet af' && pass || fail "LANG=da_DK.UTF-8 does not give Danish labels"
LANGUAGE=en LANG=da_DK.UTF-8 expect_exit 0 "LANGUAGE before LANG" -- sign ec --visible "1,$rect" -o english.pdf contract.pdf
text_in english.pdf "$rect" | grep -qx 'Signed by' && pass || fail "LANGUAGE=en does not win over LANG"
expect_exit 0 "qpdf --check of two visible signatures" -- qpdf --check dansk.pdf
expect_exit 0 "validate two visible signatures" -- verify_json dansk.pdf
expect_json '(.signatures | length) == 2 and all(.signatures[]; .indication == "TOTAL_PASSED") and .signatures[0].modification == "allowed"' "a second visible signature is an allowed change to the first"
pdfsig dansk.pdf 2>&1 | grep -c 'Signature is Valid' | grep -qx 2 && pass || fail "pdfsig: not both visible signatures valid"

# test_visible_signature_text_shrinks_and_wraps_to_fit: a narrow box still holds the whole name
rect=50,300,110,120
expect_exit 0 "sign in a narrow box" -- sign employee --visible "1,$rect" -o narrow.pdf contract.pdf
# every character there, in order (lines break inside the identity: compare without white space)
text_in narrow.pdf "$rect" | tr -d ' \n' | grep -Eq '^SignedbyBoAnsatTestfirmaA/SOCESemployee:UI:DK-E:G:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}Date:20' &&
    pass || fail "narrow box: $(text_in narrow.pdf "$rect")"

# test_visible_signature_shows_the_image_beside_the_text
python3 - <<'EOF'
import struct, zlib
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
w, h = 60, 40
rows = b''.join(b'\0' + b''.join(bytes([200, 20, 20, 255]) if (x - 30) ** 2 / 900 + (y - 20) ** 2 / 400 < 1
                                  else bytes([0, 0, 0, 0]) for x in range(w)) for y in range(h))
open('logo.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0))
                             + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
EOF
rect=50,60,260,70
expect_exit 0 "sign with --image" -- sign ec --visible "1,$rect" --image logo.png -o logo.pdf contract.pdf
pdftoppm -r $R -f 1 -l 1 logo.pdf logo
left=50,60,100,70 right=160,60,150,70
red_left=$(python3 pixels.py red $R "$page_h" "$left" logo-1.ppm)
red_right=$(python3 pixels.py red $R "$page_h" "$right" logo-1.ppm)
[ "$red_left" -gt 1500 ] && [ "$red_right" -eq 0 ] && pass || fail "the image is not at the left of the box: $red_left red pixels left, $red_right right"
text_in logo.pdf "$rect" | grep -qx 'Søren Østergård' && pass || fail "with --image the name is not in the box"
pdftoppm -r $R -gray -f 1 -l 1 logo.pdf logo
read -r outside _ white _ <<<"$(python3 pixels.py compare $R "$page_h" "$rect" unsigned-1.pgm logo-1.pgm)"
[ "$outside" -eq 0 ] && [ "$white" -eq 0 ] && pass || fail "with --image: $outside pixels changed outside, $white white inside (the transparent part must show the box)"
expect_exit 0 "qpdf --check with an image" -- qpdf --check logo.pdf
expect_exit 0 "validate the signature with an image" -- verify_json logo.pdf
expect_json '.signatures[0].indication == "TOTAL_PASSED"' "signature with an image passes"

# test_visible_signature_refuses_a_box_off_the_page: exit 3, one line, no output
for bad in 1,500,60,200,70 1,-10,60,200,70 1,50,800,200,70 1,50,60,0,70 1,50,60,200,-5 1,nan,60,200,70 1,50,60,inf,70; do
    expect_exit 3 "--visible $bad is refused" -- sign ec --visible "$bad" -o off.pdf contract.pdf
    expect_one_line_error "--visible $bad" 'visible'
    [ ! -e off.pdf ] && pass || fail "--visible $bad left an output file"
done
expect_exit 3 "a box past the right edge" -- sign ec --visible 1,500,60,200,70 -o off.pdf contract.pdf
expect_one_line_error "off-page message" '^segl-sign: contract.pdf: visible signature: the box 500,60,200,70 is not inside page 1, which spans x 0..595, y 0..842$'

# test_visible_signature_refuses_a_box_too_small_for_readable_text
expect_exit 3 "a box too small for 6 pt text" -- sign ec --visible 1,50,60,120,20 -o small.pdf contract.pdf
expect_one_line_error "too small" 'too small for readable text: at 6 pt the text needs [0-9]+ pt of height, the box has 20'
[ ! -e small.pdf ] && pass || fail "a refused box left an output file"

# test_visible_signature_refuses_a_bad_image
head -c 300 "$DOCS/contract.pdf" >fake.png
expect_exit 3 "--image that is not a PNG" -- sign ec --visible "1,$rect" --image fake.png -o fake.pdf contract.pdf
expect_one_line_error "not a PNG" 'the image: not a PNG file'
[ ! -e fake.pdf ] && pass || fail "a refused image left an output file"
head -c 100 logo.png >cut.png
expect_exit 3 "--image cut short" -- sign ec --visible "1,$rect" --image cut.png -o cut.pdf contract.pdf
expect_one_line_error "cut PNG" 'unreadable PNG'
expect_exit 3 "--image without --visible" -- sign ec --image logo.png -o noimg.pdf contract.pdf
expect_one_line_error "--image alone" 'give --visible too'
expect_exit 3 "--image that does not exist" -- sign ec --visible "1,$rect" --image missing.png -o missing.pdf contract.pdf
expect_one_line_error "missing image" 'missing.png: cannot read the --image file'
finish
