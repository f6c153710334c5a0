#!/usr/bin/env bash
# Installs what building, invoking and testing need on a fresh Debian machine; a no-op when present.
set -euo pipefail
cd "$(dirname "$0")/.."

# libssl-dev: the libcrypto headers AWSCore signs with (the library itself comes with libcurl).
# patchelf: make package points each bootstrap at its bundled dynamic loader.
# libstdc++-12-dev: its libstdc++.a, which make package links in (the zips then carry no libstdc++).
# chromium chromium-driver: the headless browser and its WebDriver that Tests/Browser/browser_test.py
# drives web/ with (Selenium cannot download a browser here).
apt_packages=(libcurl4-openssl-dev libssl-dev libstdc++-12-dev zip unzip patchelf chromium chromium-driver)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# pip only when a pinned requirement is not met, so repeated runs cost nothing.
if ! python3 - requirements-dev.txt <<'PY' 2>/dev/null
import sys, re
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line: continue
    name, pinned = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line).groups()
    if version(name) != pinned: sys.exit(1)
PY
then
  echo "install-deps: pip install -r requirements-dev.txt" >&2
  python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt
fi
