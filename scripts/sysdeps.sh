#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only when they are missing.
# Everything comes from the Debian archive; nothing is downloaded from elsewhere.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)  # the judge assistant's browser test
fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null || need+=(fonts-noto-cjk)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
# weasyprint (verification report PDFs) loads pango and harfbuzz through ffi
ldconfig -p 2>/dev/null | grep 'libpango-1.0.so.0' >/dev/null || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep 'libpangoft2-1.0.so.0' >/dev/null || need+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep 'libharfbuzz-subset.so.0' >/dev/null || need+=(libharfbuzz-subset0)
# pdftotext / pdffonts: the report tests read the generated PDFs back
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# openssl: the timestamp tests cross-check tokens with `openssl ts -verify`
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# java: the pre-check's Spark engine (pyspark from PyPI runs on the JVM)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} — run as root or: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
