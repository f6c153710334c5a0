#!/usr/bin/env bash
# A static libcurl that speaks only HTTP/1.1 and HTTPS (OpenSSL), built from Debian's source
# package of the libcurl4 this machine runs, so Debian's security patches come with it, over a
# static OpenSSL built here from Debian bookworm's own openssl source package (its patches, its
# static build's configuration) without the algorithms and protocol versions that neither TLS
# with AWS nor the kit uses: 0.8 MB off every bootstrap, 0.3 MB off every zip, against linking
# libssl-dev's libcrypto.a, which has them all (BENCHMARKS.md, issue 13).
#
#   cc … .build-curl/prefix/lib/libcurl.a -L.build-curl/prefix/lib -l:libssl.a -l:libcrypto.a -lpthread -ldl
#
# (.build-curl/prefix/bin/curl-config --static-libs and lib/pkgconfig/libcurl.pc say the same.)
# Output: .build-curl/prefix/{include/curl,lib/libcurl.a,lib/pkgconfig/libcurl.pc,bin/curl-config},
# and lib/libssl.a, lib/libcrypto.a: links to that OpenSSL.
# A second run with the same versions and flags does nothing. CURL_BUILD_DIR overrides .build-curl.
#
# Without dpkg and apt (Amazon Linux 2023, the Dockerfile): the build tools come from dnf, and the
# same source packages from Debian's pool (same pinned SHA-256s), unpacked by tar and patched by
# patch as dpkg-source would. Overrides, for testing: CURL_UNPACK=tar unpacks with tar and patch
# on Debian too; CURL_OPENSSL=system links the static OpenSSL cc finds (libssl-dev's, on Debian)
# instead of building one.
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
# The OpenSSL built here: bookworm's (main and security pools both have this version; bump it
# with the SHA-256s from its .dsc, and with libssl-dev, whose headers the Swift targets' C shims
# compile against).
OPENSSL_DEB_VERSION=3.0.20-1~deb12u2
OPENSSL_UPSTREAM=${OPENSSL_DEB_VERSION%%-*}
OPENSSL_ORIG_TARBALL=openssl_${OPENSSL_UPSTREAM}.orig.tar.gz
OPENSSL_ORIG_SHA256=c80a01dfc70ece4dc21168932c37739042d404d46ccc81a5986dd75314ecda6f
OPENSSL_DEBIAN_TARBALL=openssl_${OPENSSL_DEB_VERSION}.debian.tar.xz
OPENSSL_DEBIAN_SHA256=7279efe85c359500c95aa88347e3395dd303d7566e2bb818d80d96e0c3bb9629

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Absolute: the build cds into its trees, and the prefix is part of the flags hash.
OUT=$(realpath -m "${CURL_BUILD_DIR:-$ROOT/.build-curl}")
PREFIX=$OUT/prefix
DOWNLOAD=$OUT/download
LOGS=$OUT/logs
STAMP=$PREFIX/.build-minimal-curl.stamp
SSL_PREFIX=$OUT/openssl

# Debian (dpkg and apt there): apt-get, dpkg-source and libssl-dev's OpenSSL. Elsewhere: dnf (or
# only what is installed), tar and patch, and the OpenSSL built below.
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then HOST=debian; else HOST=other; fi
UNPACK=${CURL_UNPACK:-$([[ $HOST == debian ]] && echo dpkg-source || echo tar)}
OPENSSL_FROM=${CURL_OPENSSL:-source}
[[ $UNPACK == dpkg-source || $UNPACK == tar ]] \
  || { echo "build-minimal-curl: CURL_UNPACK is dpkg-source or tar, not '$UNPACK'" >&2; exit 1; }
[[ $OPENSSL_FROM == system || $OPENSSL_FROM == source ]] \
  || { echo "build-minimal-curl: CURL_OPENSSL is system or source, not '$OPENSSL_FROM'" >&2; exit 1; }
[[ $UNPACK == tar || $HOST == debian ]] \
  || { echo "build-minimal-curl: CURL_UNPACK=dpkg-source needs dpkg and apt" >&2; exit 1; }
[[ $OPENSSL_FROM == system ]] && OPENSSL_DIR= || OPENSSL_DIR=$SSL_PREFIX

export CFLAGS="-Os -ffunction-sections -fdata-sections"
CONFIGURE_FLAGS=(
  --enable-option-checking=fatal   # a misspelt --disable-… must fail, not build a bigger curl
  --disable-dependency-tracking --prefix="$PREFIX"
  --disable-shared --enable-static --with-pic
  --with-openssl${OPENSSL_DIR:+=$OPENSSL_DIR} --enable-threaded-resolver --enable-symbol-hiding
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
# The OpenSSL built here is in no default library path: -L names the folder of its links.
[[ -z $OPENSSL_DIR ]] || STATIC_LIBS="-L$PREFIX/lib $STATIC_LIBS"
CONFIG_HASH=$(printf '%s\n' "$CFLAGS" "${CONFIGURE_FLAGS[@]}" "$STATIC_LIBS" | sha256sum | cut -c1-16)
STAMP_TEXT="$CURL_DEB_VERSION $CONFIG_HASH"

# OpenSSL as debian/rules configures its static build (build_static: Configure no-shared
# $(CONFARGS) debian-$(DEB_HOST_ARCH), with dpkg-buildflags' hardening, less -g), so that what
# this libcrypto.a has behaves as libssl-dev's: Debian's debian-<arch> targets (from its patches)
# add -DOPENSSL_TLS_SECURITY_LEVEL=2, and OPENSSLDIR is Debian's /usr/lib/ssl (no openssl.cnf of
# Amazon Linux's is read). no-tests, --libdir=lib (not lib64) and the no-… list after the target
# are this script's; Debian's enable-rfc3779 and enable-cms are left out with it.
case $(uname -m) in
  x86_64) OPENSSL_TARGET=(debian-amd64 enable-ec_nistp_64_gcc_128) ;;
  aarch64 | arm64) OPENSSL_TARGET=(debian-arm64) ;;
  *) OPENSSL_TARGET=() ;;
esac
OPENSSL_CFLAGS="-O2 -fstack-protector-strong -Wformat -Werror=format-security"
OPENSSL_CPPFLAGS="-D_FORTIFY_SOURCE=2"
OPENSSL_CONFIGURE_FLAGS=(
  no-shared no-tests --prefix="$SSL_PREFIX" --libdir=lib
  --openssldir=/usr/lib/ssl no-idea no-mdc2 no-rc5 no-zlib no-ssl3 no-ssl3-method
  no-capieng no-rdrand "${OPENSSL_TARGET[@]}"
  # What neither TLS 1.2/1.3 with AWS's endpoints (ECDHE, RSA and ECDSA certificates, AES-GCM,
  # ChaCha20-Poly1305) nor the kit (SHA-256, HMAC, MD5, RSA signatures) uses: each algorithm's
  # tables keep its code alive through --gc-sections.
  no-tls1 no-tls1_1 no-dtls no-srtp no-psk no-srp no-dh no-dsa no-ec2m no-sm2 no-sm3 no-sm4
  no-gost no-des no-rc2 no-rc4 no-bf no-cast no-camellia no-seed no-aria no-whirlpool no-md4
  no-rmd160 no-siphash no-scrypt no-ocb no-cms no-ts no-ct no-ocsp no-legacy no-engine
  no-comp no-ui-console no-async no-multiblock no-nextprotoneg
)
OPENSSL_CONFIG_HASH=$(printf '%s\n' "$OPENSSL_CFLAGS" "$OPENSSL_CPPFLAGS" "${OPENSSL_CONFIGURE_FLAGS[@]}" \
  | sha256sum | cut -c1-16)
OPENSSL_STAMP_TEXT="$OPENSSL_DEB_VERSION $OPENSSL_CONFIG_HASH"
[[ -z $OPENSSL_DIR ]] || STAMP_TEXT="$STAMP_TEXT openssl $OPENSSL_STAMP_TEXT"

if [[ -f $PREFIX/lib/libcurl.a && -f $STAMP && $(<"$STAMP") == "$STAMP_TEXT" ]] \
   && [[ -z $OPENSSL_DIR || (-f $PREFIX/lib/libssl.a && -f $PREFIX/lib/libcrypto.a) ]]; then
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
SUDO=; ((EUID == 0)) || SUDO=sudo
if [[ $HOST == debian ]]; then
  missing=()
  # (perl: OpenSSL's Configure, unless CURL_OPENSSL=system.)
  for pkg in dpkg-dev patch autoconf automake libtool make gcc libc6-dev libssl-dev ${OPENSSL_DIR:+perl}; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The system's package lists may be empty (containers): refresh them only when needed.
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >"$LOGS/apt-install.log" 2>&1 \
      || { run apt-update $SUDO apt-get update
           run apt-install $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
  fi
else
  # Amazon Linux 2023's names (Fedora's): tar, gzip, xz and patch do dpkg-source's work; perl
  # (the whole of it: Configure needs IPC::Cmd and more) runs OpenSSL's Configure. openssl-devel
  # is not linked: its headers are what the Swift targets' C shims compile against. The
  # Dockerfile installs all of these first, so that its layer caches them.
  rpm_packages=(gcc glibc-devel make autoconf automake libtool patch tar gzip xz perl diffutils
                findutils gawk openssl-devel)
  installer=$(command -v dnf || command -v yum || true)
  if [[ -n $installer ]] && command -v rpm >/dev/null; then
    missing=()
    for pkg in "${rpm_packages[@]}"; do rpm -q --quiet "$pkg" || missing+=("$pkg"); done
    if ((${#missing[@]})); then
      say "installing ${missing[*]} with ${installer##*/}"
      run dnf-install $SUDO "$installer" install -y "${missing[@]}"
    fi
  fi
  missing=()
  for tool in cc make autoreconf libtoolize patch tar gzip xz perl sha256sum awk; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  command -v curl >/dev/null || command -v wget >/dev/null || missing+=("curl or wget")
  if ((${#missing[@]})); then
    echo "build-minimal-curl: no dpkg/apt-get here, and no ${missing[*]}: install them (with dnf:" \
      "${rpm_packages[*]})" >&2
    exit 1
  fi
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

# Without apt-get source (no deb-src support, version left the index, no apt at all): the same
# files straight from the pool. The pinned SHA-256s below are what vouches for them. Arguments:
# the source package and its version (curl's by default).
fetch_from_pool() {
  local package=${1:-curl} version=${2:-$CURL_DEB_VERSION}
  local get pool dsc=${package}_${version}.dsc
  if command -v curl >/dev/null; then get=(curl -fsSL -o); else get=(wget -q -O); fi
  for pool in "http://deb.debian.org/debian/pool/main/${package:0:1}/$package" \
              "http://security.debian.org/debian-security/pool/updates/main/${package:0:1}/$package"; do
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
elif [[ $HOST == debian ]] && fetch_with_apt; then
  say "downloaded curl $CURL_DEB_VERSION with apt-get source"
else
  if [[ $HOST == debian ]]; then
    say "apt-get source failed (see $LOGS/apt-source.log); downloading from deb.debian.org's pool"
  else
    say "no apt-get: downloading curl $CURL_DEB_VERSION from deb.debian.org's pool"
  fi
  fetch_from_pool || { echo "build-minimal-curl: cannot download curl $CURL_DEB_VERSION" >&2; exit 1; }
fi
if ! sha_ok "$DOWNLOAD/$ORIG_TARBALL" "$ORIG_SHA256" || ! sha_ok "$DOWNLOAD/$DEBIAN_TARBALL" "$DEBIAN_SHA256"; then
  echo "build-minimal-curl: SHA-256 mismatch: $ORIG_TARBALL or $DEBIAN_TARBALL in $DOWNLOAD" >&2
  exit 1
fi
say "SHA-256 of $ORIG_TARBALL and $DEBIAN_TARBALL match the pinned values"

# dpkg-source -x without dpkg, for a "3.0 (quilt)" source package: the orig tarball's one
# top-level folder becomes $1, the debian tarball goes over it (in place of any upstream debian/),
# permissions are made what dpkg-source makes them, then debian/patches/series is applied in order
# the way dpkg-source applies it (patch -p1 -F 0 -N -E: no fuzz, a patch that does not apply
# exactly stops the build, naming it). The series' comments and blank lines are skipped, and a
# -pN after a name is honoured (quilt's meaning; curl's and openssl's series have none).
unpack_with_tar() {
  local dest=$1 orig=$2 debian=$3 tops
  rm -rf "$dest"
  mkdir -p "$dest"
  tops=$(tar -tzf "$orig" | cut -d/ -f1 | sort -u)
  [[ -n $tops && $tops != *$'\n'* ]] \
    || { echo "build-minimal-curl: ${orig##*/} does not hold exactly one folder" >&2; exit 1; }
  tar -xzf "$orig" -C "$dest" --strip-components=1 --no-same-owner --no-same-permissions
  rm -rf "$dest/debian"
  tar -xJf "$debian" -C "$dest" --no-same-owner --no-same-permissions
  [[ -f $dest/debian/source/format && $(<"$dest/debian/source/format") == "3.0 (quilt)" ]] \
    || { echo "build-minimal-curl: ${debian##*/} is not a \"3.0 (quilt)\" source package" >&2; exit 1; }
  # dpkg-source's fixperms: for u, g and o, each of r, w and X set if the umask allows it, else
  # cleared (u+r,u+w,u+X,g+r,g-w,g+X,o+r,o-w,o+X under umask 022).
  local allowed=$((0777 & ~$(umask))) modes='' i j
  for i in 0 1 2; do
    for j in 0 1 2; do
      modes+="${modes:+,}${WHO:i:1}$( ((allowed & (0400 >> (i * 3 + j)))) && echo + || echo -)${RWX:j:1}"
    done
  done
  chmod -R -- "$modes" "$dest"
  apply_series "$dest"
}
WHO=ugo RWX=rwX

apply_series() {
  local dir=$1 series=$1/debian/patches/series line name options strip count=0
  [[ -f $dir/debian/patches/debian.series ]] && series=$dir/debian/patches/debian.series
  [[ -f $series ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    # As dpkg-source reads a series: blanks trimmed, then "#" and what follows it dropped when
    # it starts the line or follows a blank.
    line=$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e 's/\(^\|[[:space:]]\{1,\}\)#.*$//' <<<"$line")
    [[ -n $line ]] || continue
    read -r name options <<<"$line"
    strip=1
    if [[ -n $options ]]; then
      [[ $options =~ ^-p([0-9]+)$ ]] || {
        echo "build-minimal-curl: ${series#"$dir"/}: unsupported options for $name: $options" >&2; exit 1; }
      strip=${BASH_REMATCH[1]}
    fi
    [[ $name != /* && $name != ../* && $name != */../* ]] \
      || { echo "build-minimal-curl: ${series#"$dir"/}: unsafe patch path $name" >&2; exit 1; }
    [[ -f $dir/debian/patches/$name ]] \
      || { echo "build-minimal-curl: ${series#"$dir"/} names debian/patches/$name, which is not there" >&2; exit 1; }
    # dpkg-source's options and environment (patch -t -F 0 -N -u -V never -E, no
    # POSIXLY_CORRECT), less its backups in .pc/. A dry run first, so that a patch that does not
    # apply changes nothing and is named.
    local patch=(env -u POSIXLY_CORRECT LC_ALL=C PATCH_GET=0 patch -d "$dir" -p"$strip" -t -F 0 -N -u
                 -V never -E --no-backup-if-mismatch --reject-file=- -i "$dir/debian/patches/$name")
    if ! "${patch[@]}" --dry-run >"$LOGS/patch.log" 2>&1; then
      tail -n 20 "$LOGS/patch.log" >&2
      echo "build-minimal-curl: debian/patches/$name (${series##*/}, after $count patches) does not apply to ${dir##*/}" >&2
      exit 1
    fi
    "${patch[@]}" -s
    count=$((count + 1))
  done <"$series"
}

# OpenSSL, static, from Debian's source package (only where OPENSSL_DIR is set); a no-op when its
# stamp matches.
build_openssl() {
  local stamp=$SSL_PREFIX/.build-minimal-curl.stamp src=$OUT/openssl-src
  if [[ -f $SSL_PREFIX/lib/libssl.a && -f $SSL_PREFIX/lib/libcrypto.a && -f $stamp
        && $(<"$stamp") == "$OPENSSL_STAMP_TEXT" ]]; then
    say "OpenSSL $OPENSSL_DEB_VERSION in $SSL_PREFIX is up to date"
    return
  fi
  ((${#OPENSSL_TARGET[@]})) \
    || { echo "build-minimal-curl: no Debian OpenSSL target for $(uname -m) (x86_64 and aarch64 have one)" >&2; exit 1; }
  if sha_ok "$DOWNLOAD/$OPENSSL_ORIG_TARBALL" "$OPENSSL_ORIG_SHA256" \
     && sha_ok "$DOWNLOAD/$OPENSSL_DEBIAN_TARBALL" "$OPENSSL_DEBIAN_SHA256"; then
    say "source package openssl $OPENSSL_DEB_VERSION already downloaded"
  else
    say "downloading openssl $OPENSSL_DEB_VERSION from deb.debian.org's pool"
    fetch_from_pool openssl "$OPENSSL_DEB_VERSION" \
      || { echo "build-minimal-curl: cannot download openssl $OPENSSL_DEB_VERSION" >&2; exit 1; }
  fi
  if ! sha_ok "$DOWNLOAD/$OPENSSL_ORIG_TARBALL" "$OPENSSL_ORIG_SHA256" \
     || ! sha_ok "$DOWNLOAD/$OPENSSL_DEBIAN_TARBALL" "$OPENSSL_DEBIAN_SHA256"; then
    echo "build-minimal-curl: SHA-256 mismatch: $OPENSSL_ORIG_TARBALL or $OPENSSL_DEBIAN_TARBALL in $DOWNLOAD" >&2
    exit 1
  fi
  unpack_with_tar "$src" "$DOWNLOAD/$OPENSSL_ORIG_TARBALL" "$DOWNLOAD/$OPENSSL_DEBIAN_TARBALL"
  say "openssl $OPENSSL_DEB_VERSION unpacked and patched; Configure ${OPENSSL_CONFIGURE_FLAGS[*]}"
  cd "$src"
  run openssl-configure env CFLAGS="$OPENSSL_CFLAGS" CPPFLAGS="$OPENSSL_CPPFLAGS" ./Configure "${OPENSSL_CONFIGURE_FLAGS[@]}"
  say "make build_libs (OpenSSL's libraries only)"
  run openssl-make make -j"$(nproc)" build_libs
  rm -rf "$SSL_PREFIX"
  run openssl-install make install_dev
  cd "$OUT"
  echo "$OPENSSL_STAMP_TEXT" >"$SSL_PREFIX/.build-minimal-curl.stamp"
  say "installed $SSL_PREFIX/lib/libssl.a and libcrypto.a ($(stat -c %s "$SSL_PREFIX/lib/libcrypto.a") bytes)"
}
[[ -z $OPENSSL_DIR ]] || build_openssl

SRC=$OUT/src
rm -rf "$SRC"
if [[ $UNPACK == dpkg-source ]]; then
  run dpkg-source dpkg-source --no-check -x "$DOWNLOAD/curl_$CURL_DEB_VERSION.dsc" "$SRC"
else
  unpack_with_tar "$SRC" "$DOWNLOAD/$ORIG_TARBALL" "$DOWNLOAD/$DEBIAN_TARBALL"
fi
cd "$SRC"
# The series ends with two patches that rename the library to libcurl-gnutls and libcurl-nss;
# debian/rules pops them ("quilt pop" twice) before building the OpenSSL flavour, and so do we.
tail_patches=$(grep -v '^#' debian/patches/series | grep . | tail -n 2 | tr '\n' ' ')
[[ $tail_patches == "90_gnutls.patch 99_nss.patch " ]] \
  || { echo "build-minimal-curl: unexpected last patches: $tail_patches" >&2; exit 1; }
patch -R -p1 -s <debian/patches/99_nss.patch
patch -R -p1 -s <debian/patches/90_gnutls.patch
say "unpacked with Debian's series of $(grep -v '^#' debian/patches/series | grep -c .) patches, then its gnutls and nss ones reverted$(
  [[ $UNPACK == tar ]] && echo " (tar and patch, not dpkg-source)")"

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
  if [[ -n $OPENSSL_DIR ]]; then found=$OPENSSL_DIR/lib/$library; else found=$(cc -print-file-name=$library); fi
  [[ -f $found ]] || { echo "build-minimal-curl: no $library (install libssl-dev or openssl-static)" >&2; exit 1; }
  ln -sf "$found" "$PREFIX/lib/$library"
done

echo "$STAMP_TEXT" >"$STAMP"
say "installed $PREFIX/lib/libcurl.a ($(stat -c %s "$PREFIX/lib/libcurl.a") bytes): $("$PREFIX/bin/curl-config" --features | tr '\n' ' ')"
say "protocols: $("$PREFIX/bin/curl-config" --protocols | tr '\n' ' ')"
say "static link: $("$PREFIX/bin/curl-config" --static-libs)"
