#!/usr/bin/env bash
# `cmake --install` gives a usable library: headers under include/libsign, libsign.pc, shared and
# static libraries exporting only sign_* symbols, the visible-signature module, the commands, the PDF
# renderer and the man pages.
. "$(dirname "$0")/lib.sh"
build=$(dirname "$SEGL_BIN/x")
cmake --install "$build" --prefix "$WORK/prefix" >/dev/null 2>&1 && pass || fail "cmake --install"
for file in bin/segl-sign bin/segl-verify bin/segl-inspect include/libsign/inspect.h share/man/man1/segl-inspect.1 \
            share/segl/trust/oces3-rod-ca.pem share/segl/trust/oces2-issuing-ca-02.pem include/libsign/sign.h include/libsign/version.h include/libsign/time.h lib/libsign.a lib/libsign.so lib/libsign-glyphs.so \
            lib/pkgconfig/libsign.pc libexec/segl/segl-render share/man/man1/segl-sign.1 share/man/man1/segl-verify.1 share/man/man3/libsign.3; do
    [ -e "$WORK/prefix/$file" ] && pass || fail "not installed: $file"
done
cat >example.c <<'C'
#include <stdio.h>
#include <libsign/sign.h>
int main(int argc, char **argv)
{
    sign_ctx *ctx = NULL;
    sign_report *report = NULL;
    if (argc < 3 || sign_ctx_new(&ctx) != SIGN_OK || sign_ctx_add_trust(ctx, argv[2]) != SIGN_OK)
        return 3;
    sign_ctx_set_time(ctx, 1780272000);
    sign_verify_file(&report, ctx, argv[1], NULL);
    printf("%s\n", sign_indication_name(sign_report_indication(report)));
    sign_report_free(report);
    sign_ctx_free(ctx);
    return 0;
}
C
export PKG_CONFIG_PATH=$WORK/prefix/lib/pkgconfig
sanitize=()   # a library built with ASan/UBSan needs its runtime in the program too
nm -D "$WORK/prefix/lib/libsign.so" | grep -q __asan_init && sanitize=(-fsanitize=address,undefined)
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "${sanitize[@]}" example.c $(pkg-config --cflags --libs libsign) -Wl,-rpath,"$WORK/prefix/lib" -o example && pass || fail "compile against the installed library"
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --packaging enveloping -o s.p7m "$DOCS/letter.txt"
[ "$(./example s.p7m "$PKI/trust/oces3-root.pem")" = TOTAL_PASSED ] && pass || fail "the example program validates"
# The headers are usable from C++ (extern "C"), and the version a program is compiled against is
# the one the library reports (both from project() in CMakeLists.txt).
cat >example.cpp <<'CPP'
#include <cstring>
#include <libsign/sign.h>
int main() { return std::strcmp(sign_version(), LIBSIGN_VERSION) == 0 ? 0 : 1; }
CPP
if command -v c++ >/dev/null; then
    # shellcheck disable=SC2046
    c++ -Wall -Werror "${sanitize[@]}" example.cpp $(pkg-config --cflags --libs libsign) -Wl,-rpath,"$WORK/prefix/lib" -o example-cpp &&
        ./example-cpp && pass || fail "a C++ program links libsign and sees the same version"
fi
grep -q "project(segl VERSION $(sed -n 's/.*LIBSIGN_VERSION "\(.*\)"/\1/p' "$WORK/prefix/include/libsign/version.h")" "$SEGL_SOURCE/CMakeLists.txt" &&
    pass || fail "version.h carries the version of CMakeLists.txt"
others=$(nm -D --defined-only "$WORK/prefix/lib/libsign.so" | awk '$2 == "T" && $3 !~ /^sign_/ {print $3}')
[ -z "$others" ] && pass || fail "exported symbols outside sign_*: $others"

# test_a_relocated_install_runs: the install moved elsewhere finds libsign.so.0 beside its commands
# (RUNPATH $ORIGIN/../lib) and its default trust store (share/segl/trust beside lib), with no
# LD_LIBRARY_PATH and no SEGL_TRUST_DIR.
readelf -d "$WORK/prefix/bin/segl-verify" | grep -q 'R.*PATH.*\$ORIGIN/\.\./lib' && pass ||
    fail "segl-verify's RUNPATH is not \$ORIGIN/../lib: $(readelf -d "$WORK/prefix/bin/segl-verify" | grep -i path)"
mv "$WORK/prefix" "$WORK/moved"
cp "$DOCS/letter.txt" .
expect_exit 0 "the moved segl-sign runs" -- env -u LD_LIBRARY_PATH -u SEGL_TRUST_DIR "$WORK/moved/bin/segl-sign" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o letter.txt.p7s letter.txt
[ ! -s err.txt ] && pass || fail "the moved segl-sign said: $(cat err.txt)"
expect_exit 0 "the moved segl-verify runs" -- env -u LD_LIBRARY_PATH -u SEGL_TRUST_DIR "$WORK/moved/bin/segl-verify" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" letter.txt.p7s
[ ! -s err.txt ] && pass || fail "the moved segl-verify warned: $(cat err.txt)"
expect_json '.indication == "TOTAL_PASSED"' "the moved install validates"
# its module for visible signatures (lib/libsign-glyphs.so: HarfBuzz, libpng, loaded from beside
# libsign.so), and its PDF renderer (libexec/segl/segl-render, found relative to libsign) for the
# visual comparison
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o one.pdf "$DOCS/contract.pdf"
expect_exit 0 "the moved segl-sign makes a visible signature" -- env -u LD_LIBRARY_PATH "$WORK/moved/bin/segl-sign" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" --visible 1,300,50,220,60 -o two.pdf one.pdf
# without the module: a visible signature is refused, saying what is missing; an invisible one is made
mv "$WORK/moved/lib/libsign-glyphs.so" "$WORK/glyphs.so"
expect_exit 3 "no module: a visible signature" -- env -u LD_LIBRARY_PATH "$WORK/moved/bin/segl-sign" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" --visible 1,300,50,220,60 -o none.pdf one.pdf
expect_one_line_error "no module" 'visible signature: the module .*libsign-glyphs.so .*cannot be loaded'
[ ! -e none.pdf ] && pass || fail "no module: a file was written"
expect_exit 0 "no module: an invisible signature" -- env -u LD_LIBRARY_PATH "$WORK/moved/bin/segl-sign" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o plain.pdf one.pdf
mv "$WORK/glyphs.so" "$WORK/moved/lib/libsign-glyphs.so"
expect_exit 0 "the moved install compares pages" -- env -u LD_LIBRARY_PATH -u SEGL_TRUST_DIR "$WORK/moved/bin/segl-verify" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" two.pdf
expect_json '.signatures[0].visual_changes | length == 1 and .[0].unexplained == 0' "the moved install rendered the pages"
# the installed OCES CAs are the default trust: the test root is not among them (INDETERMINATE)
expect_exit 2 "the moved install's default trust" -- env -u SEGL_TRUST_DIR "$WORK/moved/bin/segl-verify" --json --at "$AT" letter.txt.p7s
[ ! -s err.txt ] && pass || fail "the default trust directory was not found: $(cat err.txt)"
# and the build tree finds trust/ of its source
expect_exit 2 "the build tree's default trust" -- env -u SEGL_TRUST_DIR "$SEGL_BIN/segl-verify" --json --at "$AT" letter.txt.p7s
[ ! -s err.txt ] && pass || fail "the build tree warned: $(cat err.txt)"
finish
