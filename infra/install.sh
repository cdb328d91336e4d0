#!/usr/bin/env bash
# Installs what gradebox needs on a Debian 12 / Ubuntu 24.04 machine and builds it. Idempotent:
# OS packages are installed only when missing, `npm ci` and the build run every time.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (it installs OS packages; the sandbox needs root)" >&2
  exit 1
fi

# The toolchain and runtime of each language graders may name, one line per record of
# services/grading/languages/ (its `packages`, then its name; test/grading/languages.test.ts checks
# the two agree). Node.js, gradebox's own runtime, is checked below instead.
LANGUAGE_PACKAGES=(
  gcc                      # c
  g++                      # cpp
  python3                  # python
  openjdk-17-jdk-headless  # java
  golang-go                # go
)
# build-essential (gcc, make) builds the launcher and the addon; libseccomp-dev the filter
# compiler; libarchive-dev and libssl-dev the incident evidence (archive, sha256); bubblewrap is
# the benchmark's yardstick; qemu and a static busybox boot the guest in which the tests run the
# sandbox on the cgroup hierarchy the host lacks; postgresql (the distribution's supported
# version: 15 on Debian 12, 16 on Ubuntu 24.04) is the store of installations that set
# DATABASE_URL, and the tests and the benchmark start private servers of it (they need no
# running service). chromium (Debian's, with a font to draw text) is the browser the dashboard's
# tests drive through playwright-core: no browser build is downloaded.
PACKAGES=(build-essential zip libseccomp-dev libarchive-dev libssl-dev pkg-config redis-server bubblewrap
  qemu-system-x86 busybox-static kmod postgresql chromium fonts-dejavu-core "${LANGUAGE_PACKAGES[@]}")
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The guest's kernel: the host's own when /boot has it; else Debian's kernel package, unpacked
# (not installed: the host's boot stays as it is).
VM_KERNEL=/var/cache/gradebox/vm-kernel
kernel_pkg=
if [ ! -e "/boot/vmlinuz-$(uname -r)" ] && ! compgen -G "$VM_KERNEL/lib/modules/*/modules.dep" >/dev/null; then
  # the package lists may be older than the archive's current kernel
  apt-get update -qq || echo "install.sh: apt-get update failed; looking in the package lists there are" >&2
  kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }' || true)
  [ -n "$kernel_pkg" ] || echo "install.sh: no Debian kernel package (linux-image-amd64) here; the other-hierarchy test will say it has no guest kernel" >&2
fi
if [ -n "$kernel_pkg" ]; then
  rm -rf "$VM_KERNEL"
  echo "install.sh: unpacking $kernel_pkg into $VM_KERNEL for the test guest"
  download=$(mktemp -d)
  (cd "$download" && apt-get download -qq -o APT::Sandbox::User=root "$kernel_pkg")
  mkdir -p "$VM_KERNEL"
  dpkg-deb -x "$download"/*.deb "$VM_KERNEL"
  rm -rf "$download"
  for image in "$VM_KERNEL"/boot/vmlinuz-*; do depmod -b "$VM_KERNEL" "${image#"$VM_KERNEL"/boot/vmlinuz-}"; done
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "install.sh: gradebox needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# The API runs as this unprivileged account (only the worker keeps root, to build sandboxes).
if ! id -u gradebox >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin gradebox
fi

# It also loads code from this checkout after giving root away: the checkout's own folder is made
# readable (a clone into `mktemp -d` is private), and folders above it that keep the account out
# (a home such as /root) are said, not changed.
chmod go+rx .
if ! setpriv --reuid=gradebox --regid="$(id -g gradebox)" --clear-groups test -r "$PWD/package.json"; then
  echo "install.sh: the gradebox account cannot reach $PWD (a folder above it is private, as /root is): move gradebox to a folder every account can read, e.g. /opt/gradebox" >&2
  exit 1
fi

npm ci --no-audit --no-fund
npm run build
chmod +x dist/services/cli/main.js
ln -sfn "$PWD/dist/services/cli/main.js" /usr/local/bin/gradebox
echo "install.sh: gradebox is installed ($(gradebox --version 2>/dev/null || echo built))"
