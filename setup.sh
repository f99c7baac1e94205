#!/usr/bin/env bash
# The two set-up commands of README.md, for a fresh Debian 12 machine:
#   ./setup.sh        install what is missing, build, run the demo (sign and verify the samples)
#   ./setup.sh test   install what is missing, build normally and with ASan+UBSan, run all tests
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-demo}

packages=(build-essential cmake pkg-config clang openssl libssl-dev libjansson-dev libcmocka-dev
          libcurl4-openssl-dev libxml2-dev libxmlsec1-dev xmlsec1 libzip-dev libpoppler-glib-dev
          poppler-utils qpdf unzip jq faketime socat time curl softhsm2 libengine-pkcs11-openssl opensc
          valgrind libxml2-utils zip python3 python3-yaml libnss3-tools parallel
          gettext locales libharfbuzz-dev libpng-dev fonts-dejavu-core xxd libclang-rt-14-dev)
# xxd: the PAdES tests; libclang-rt-14-dev: the libFuzzer runtime (clang only recommends it, and
# packages are installed without recommends).
# Node.js for the xadesjs interop checks: Debian's nodejs and npm, unless a node and npm are
# already there (a NodeSource nodejs bundles npm and conflicts with Debian's npm package).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The Danish messages (po/da.po) are tested under da_DK.UTF-8: generate that locale when missing.
if ! locale -a 2>/dev/null | grep -qix 'da_DK.utf-\?8'; then
    echo "setup: generating the da_DK.UTF-8 locale" >&2
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" localedef -i da_DK -f UTF-8 da_DK.UTF-8
fi
jobs=$(nproc)
build() { # build DIR [cmake options...]
    local dir=$1
    shift
    cmake -S . -B "$dir" -DSEGL_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

case "$mode" in
demo)
    build build
    work=build/demo
    rm -rf "$work"
    mkdir -p "$work"
    testdata/mkpki.sh build/demo-pki >/dev/null
    cp testdata/demo/letter.txt testdata/demo/taxform.xml testdata/demo/contract.pdf "$work/"
    key=build/demo-pki/oces3/person.p12
    echo "== signing the sample letter (CAdES), tax form (XAdES) and contract (PAdES) with a test OCES3 certificate"
    build/segl-sign -k "$key" --pass-file build/demo-pki/password.txt \
        "$work/letter.txt" "$work/taxform.xml" "$work/contract.pdf"
    echo "== verifying them (the test PKI's OCSP and CRL servers are not running: revocation is off)"
    build/segl-verify --no-default-trust --trust build/demo-pki/trust/oces3-root.pem --revocation off \
        "$work/letter.txt.p7s" "$work/taxform.xml.xades.xml" "$work/contract.pdf.signed.pdf"
    echo "== done: the signatures are in $work"
    echo "== the test key is $key; its password is '$(cat build/demo-pki/password.txt)' (build/demo-pki/password.txt)"
    echo "== for the long-term levels (B-T and up), start the local test servers (TSA, OCSP, CRLs):"
    echo "   SEGL_TEST_PORT=19080 tests/servers/start.sh build/demo-servers build/demo-pki"
    echo "   then e.g.: build/segl-sign -k $key --pass-file build/demo-pki/password.txt -l B-LT --tsa http://127.0.0.1:19080/tsa -o $work/letter-lt.p7s $work/letter.txt"
    echo "   and stop them with: tests/servers/stop.sh build/demo-servers"
    ;;
test)
    build build
    # xadesjs for the XAdES interop test (tests skip that part, saying so, when it is missing), at
    # the versions pinned in tests/interop/package-lock.json, into build/node/node_modules
    if [ -d build/node/node_modules/xadesjs ] && cmp -s tests/interop/package-lock.json build/node/package-lock.json; then
        :
    elif command -v npm >/dev/null; then
        mkdir -p build/node
        cp tests/interop/package.json tests/interop/package-lock.json build/node/
        npm ci --silent --no-audit --no-fund --prefix build/node >/dev/null ||
            echo "setup: npm ci (xadesjs) failed: the xadesjs interop checks will be skipped" >&2
    else
        echo "setup: npm not found: the xadesjs interop checks will be skipped" >&2
    fi
    (cd build && ctest --output-on-failure -j "$jobs")
    # The command tests once more under valgrind memcheck (the build without sanitizers).
    if command -v valgrind >/dev/null; then
        (cd build && SEGL_VALGRIND=1 ctest --output-on-failure -j "$jobs" -R 'cmd\.test_(sign_verify|failures)')
    fi
    build build-asan -DSEGL_SANITIZE=ON
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$jobs")
    # Every reader of untrusted bytes under libFuzzer for a bounded time, from segl's seeds and
    # other products' files (../shared/corpora); a finding fails the run. run.sh configures
    # build-fuzz (clang, libFuzzer, ASan+UBSan) the first time and builds it every time.
    tests/fuzz/run.sh build-fuzz build/testdata "${SEGL_FUZZ_SECONDS:-10}"
    ;;
*)
    echo "usage: ./setup.sh [test]" >&2
    exit 3
    ;;
esac
