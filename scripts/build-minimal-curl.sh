#!/usr/bin/env bash
# A static libcurl that speaks only HTTP/1.1 and HTTPS (OpenSSL), built from Debian's source
# package of the libcurl4 this machine runs, so Debian's security patches come with it. It is
# meant to be linked with Debian's static OpenSSL (libssl.a, libcrypto.a from libssl-dev):
#
#   cc … .build-curl/prefix/lib/libcurl.a -l:libssl.a -l:libcrypto.a -lpthread -ldl
#
# (.build-curl/prefix/bin/curl-config --static-libs and lib/pkgconfig/libcurl.pc say the same.)
# Output: .build-curl/prefix/{include/curl,lib/libcurl.a,lib/pkgconfig/libcurl.pc,bin/curl-config}.
# A second run with the same version and flags does nothing. CURL_BUILD_DIR overrides .build-curl.
set -euo pipefail

# The version of libcurl4 installed on the Debian 12 machines this is built on; bookworm's
# Sources index serves it. Older point releases (…deb12u14) are gone from the index, but the
# pool still has them: the download falls back to the pool, so pinning one of those works too.
CURL_DEB_VERSION=7.88.1-10+deb12u15
CURL_UPSTREAM=${CURL_DEB_VERSION%%-*}
ORIG_TARBALL=curl_${CURL_UPSTREAM}.orig.tar.gz
ORIG_SHA256=cdb38b72e36bc5d33d5b8810f8018ece1baa29a8f215b4495e495ded82bbf3c7
DEBIAN_TARBALL=curl_${CURL_DEB_VERSION}.debian.tar.xz
DEBIAN_SHA256=961b78bc48492c5693e4decb352ddd176f343260a8956f48b2887874048ef23b

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${CURL_BUILD_DIR:-$ROOT/.build-curl}
PREFIX=$OUT/prefix
DOWNLOAD=$OUT/download
LOGS=$OUT/logs
STAMP=$PREFIX/.build-minimal-curl.stamp

export CFLAGS="-Os -ffunction-sections -fdata-sections"
CONFIGURE_FLAGS=(
  --enable-option-checking=fatal   # a misspelt --disable-… must fail, not build a bigger curl
  --disable-dependency-tracking --prefix="$PREFIX"
  --disable-shared --enable-static --with-pic
  --with-openssl --enable-threaded-resolver --enable-symbol-hiding
  # No CA file or directory compiled in: the runtime always sets CURLOPT_CAINFO to the bundle
  # it finds (Amazon Linux's /etc/pki/tls/certs/ca-bundle.crt first), and a Debian path baked
  # in here would silently be wrong on Lambda.
  --without-ca-bundle --without-ca-path --without-ca-fallback
  # Debian's openssl.cnf path means nothing on Amazon Linux; skipping it saves a file read at init.
  --disable-openssl-auto-load-config
  # Only http:// and https:// remain.
  --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict
  --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp
  --disable-gopher --disable-mqtt --disable-websockets --disable-unix-sockets
  --without-zlib --without-brotli --without-zstd --without-libidn2 --without-libpsl
  --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3
  --without-hyper --without-librtmp --without-libssh2 --without-libssh --without-wolfssh
  --without-libgsasl
  # Features the runtime and the AWS clients never use (they sign with SigV4 themselves).
  --disable-manual --disable-libcurl-option --disable-crypto-auth --disable-ntlm
  --disable-ntlm-wb --disable-tls-srp --disable-alt-svc --disable-hsts --disable-cookies
  --disable-doh --disable-mime --disable-netrc --disable-dateparse --disable-progress-meter
  --disable-get-easy-options --disable-headers-api --disable-dnsshuffle
  # Kept on purpose: verbose strings (without them curl_easy_strerror and CURLOPT_ERRORBUFFER
  # say only "Error"), proxies from the environment with Basic auth, IPv6, and the socketpair
  # the threaded resolver uses to wake the transfer (without it, it polls).
)
# What curl-config --static-libs and libcurl.pc will say after libcurl (see the end).
STATIC_LIBS="-l:libssl.a -l:libcrypto.a -lpthread -ldl"
CONFIG_HASH=$(printf '%s\n' "$CFLAGS" "${CONFIGURE_FLAGS[@]}" "$STATIC_LIBS" | sha256sum | cut -c1-16)
STAMP_TEXT="$CURL_DEB_VERSION $CONFIG_HASH"

if [[ -f $PREFIX/lib/libcurl.a && -f $STAMP && $(<"$STAMP") == "$STAMP_TEXT" ]]; then
  echo "build-minimal-curl: $PREFIX is up to date (curl $CURL_DEB_VERSION, flags $CONFIG_HASH)"
  exit 0
fi

START=$SECONDS
say() { echo "build-minimal-curl: [$((SECONDS - START))s] $*"; }
# Long outputs go to logs; their tail is shown only when a step fails.
run() {
  local name=$1; shift
  if ! "$@" >"$LOGS/$name.log" 2>&1; then
    tail -n 40 "$LOGS/$name.log" >&2
    echo "build-minimal-curl: $name failed, see $LOGS/$name.log" >&2
    exit 1
  fi
}
mkdir -p "$DOWNLOAD" "$LOGS"

# Build tools: dpkg-source unpacks and patches; the patches touch configure.ac and Makefile.am,
# so the autotools regenerate configure as debian/rules does.
missing=()
for pkg in dpkg-dev patch autoconf automake libtool make gcc libc6-dev libssl-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=; ((EUID == 0)) || SUDO=sudo
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The system's package lists may be empty (containers): refresh them only when needed.
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >"$LOGS/apt-install.log" 2>&1 \
    || { run apt-update $SUDO apt-get update
         run apt-install $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

sha_ok() { [[ -f $1 ]] && echo "$2  $1" | sha256sum --check --status; }

# The source package, from Debian's archive with the machine's apt and keyring (so the index
# is signature-checked), but with a private sources list, lists and cache: the system's apt
# configuration and state are not touched.
fetch_with_apt() {
  local apt_dir=$DOWNLOAD/apt
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  cat >"$apt_dir/sources.list" <<'EOF'
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
EOF
  local opts=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache")
  # _apt cannot write into a root-owned work tree; without this apt warns and runs as root anyway.
  ((EUID == 0)) && opts+=(-o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update >"$LOGS/apt-source.log" 2>&1 &&
    (cd "$DOWNLOAD" && apt-get "${opts[@]}" source --download-only "curl=$CURL_DEB_VERSION") \
      >>"$LOGS/apt-source.log" 2>&1
}

# Without apt-get source (no deb-src support, version left the index): the same files straight
# from the pool. The pinned SHA-256s below are what vouches for them.
fetch_from_pool() {
  local get pool dsc=curl_${CURL_DEB_VERSION}.dsc
  if command -v curl >/dev/null; then get=(curl -fsSL -o); else get=(wget -q -O); fi
  for pool in http://deb.debian.org/debian/pool/main/c/curl \
              http://security.debian.org/debian-security/pool/updates/main/c/curl; do
    "${get[@]}" "$DOWNLOAD/$dsc" "$pool/$dsc" 2>/dev/null || continue
    local _sha _size file
    while read -r _sha _size file; do
      "${get[@]}" "$DOWNLOAD/$file" "$pool/$file" || return 1
    done < <(awk '/^Checksums-Sha256:/{f=1; next} /^[^ ]/{f=0} f' "$DOWNLOAD/$dsc")
    return 0
  done
  return 1
}

if sha_ok "$DOWNLOAD/$ORIG_TARBALL" "$ORIG_SHA256" && sha_ok "$DOWNLOAD/$DEBIAN_TARBALL" "$DEBIAN_SHA256" \
   && [[ -f $DOWNLOAD/curl_$CURL_DEB_VERSION.dsc ]]; then
  say "source package curl $CURL_DEB_VERSION already downloaded"
elif fetch_with_apt; then
  say "downloaded curl $CURL_DEB_VERSION with apt-get source"
else
  say "apt-get source failed (see $LOGS/apt-source.log); downloading from deb.debian.org's pool"
  fetch_from_pool || { echo "build-minimal-curl: cannot download curl $CURL_DEB_VERSION" >&2; exit 1; }
fi
if ! sha_ok "$DOWNLOAD/$ORIG_TARBALL" "$ORIG_SHA256" || ! sha_ok "$DOWNLOAD/$DEBIAN_TARBALL" "$DEBIAN_SHA256"; then
  echo "build-minimal-curl: SHA-256 mismatch: $ORIG_TARBALL or $DEBIAN_TARBALL in $DOWNLOAD" >&2
  exit 1
fi
say "SHA-256 of $ORIG_TARBALL and $DEBIAN_TARBALL match the pinned values"

SRC=$OUT/src
rm -rf "$SRC"
run dpkg-source dpkg-source --no-check -x "$DOWNLOAD/curl_$CURL_DEB_VERSION.dsc" "$SRC"
cd "$SRC"
# The series ends with two patches that rename the library to libcurl-gnutls and libcurl-nss;
# debian/rules pops them ("quilt pop" twice) before building the OpenSSL flavour, and so do we.
tail_patches=$(grep -v '^#' debian/patches/series | grep . | tail -n 2 | tr '\n' ' ')
[[ $tail_patches == "90_gnutls.patch 99_nss.patch " ]] \
  || { echo "build-minimal-curl: unexpected last patches: $tail_patches" >&2; exit 1; }
patch -R -p1 -s <debian/patches/99_nss.patch
patch -R -p1 -s <debian/patches/90_gnutls.patch
say "unpacked with Debian's series of $(grep -v '^#' debian/patches/series | grep -c .) patches, then its gnutls and nss ones reverted"

run autoreconf autoreconf -fi
say "configure"
run configure ./configure "${CONFIGURE_FLAGS[@]}"
say "make (lib only; the curl tool is not needed)"
run make make -j"$(nproc)" -C lib
rm -rf "$PREFIX"
run install sh -c 'make -C lib install && make -C include install && make install-binSCRIPTS install-pkgconfigDATA'

# Point every link line at the static OpenSSL: the "-lssl -lcrypto" configure writes would pick
# libssl.so and libcrypto.so. libcrypto.a needs -lpthread and -ldl (its DSO loader; libdl is a
# stub in glibc >= 2.34, but older glibcs need it). There is no shared libcurl, so "Libs:" is the
# whole line and pkg-config --libs and --static --libs agree. libtool's .la repeats -lssl -lcrypto
# and nothing here uses it.
sed -i -e "s|^Libs:.*|Libs: -L\${libdir} -lcurl $STATIC_LIBS|" -e '/^Libs.private:/d' \
  -e '/^Requires.private:/d' "$PREFIX/lib/pkgconfig/libcurl.pc"
rm -f "$PREFIX/lib/libcurl.la"
# Debian's curl-config leaves out -I and -L (its curl is in the default paths): name ours in
# full, and --libs too must be the static line, as there is no libcurl.so here.
sed -i -e "s|^\( *\)echo \"\$CPPFLAG_CURL_STATICLIB\"\$|\1echo \"\${CPPFLAG_CURL_STATICLIB}-I$PREFIX/include\"|" \
  -e "s|^\( *\)echo \${CURLLIBDIR}-lcurl -lssl .*|\1echo $PREFIX/lib/libcurl.a $STATIC_LIBS|" \
  -e "s|^\( *\)echo -Wl,-Bstatic -lcurl -Wl,-Bdynamic .*|\1echo $PREFIX/lib/libcurl.a $STATIC_LIBS|" \
  "$PREFIX/bin/curl-config"
for option in --libs --static-libs --cflags; do
  case $("$PREFIX/bin/curl-config" $option) in
    "$PREFIX/lib/libcurl.a $STATIC_LIBS" | "-DCURL_STATICLIB -I$PREFIX/include") ;;
    *) echo "build-minimal-curl: could not rewrite curl-config $option" >&2; exit 1 ;;
  esac
done

# Beside libcurl.a, the static OpenSSL it is to be linked with, so that one -L to this folder
# makes -lcurl -lssl -lcrypto all static (ld takes the first folder holding either form).
for library in libssl.a libcrypto.a; do
  found=$(cc -print-file-name=$library)
  [[ -f $found ]] || { echo "build-minimal-curl: no $library (install libssl-dev or openssl-static)" >&2; exit 1; }
  ln -sf "$found" "$PREFIX/lib/$library"
done

echo "$STAMP_TEXT" >"$STAMP"
say "installed $PREFIX/lib/libcurl.a ($(stat -c %s "$PREFIX/lib/libcurl.a") bytes): $("$PREFIX/bin/curl-config" --features | tr '\n' ' ')"
say "protocols: $("$PREFIX/bin/curl-config" --protocols | tr '\n' ' ')"
say "static link: $("$PREFIX/bin/curl-config" --static-libs)"
