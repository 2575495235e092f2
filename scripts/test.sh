#!/usr/bin/env bash
# The project's test command (npm test): installs what the tests need on a fresh machine, builds,
# then runs every test tier. Heavy tools are cached under ~/.cache/redshard/<tool>/<version>.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need_apt+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || need_apt+=(redis-tools)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # Debian starts a system redis-server on 6379; the tests do not need it.
  $SUDO systemctl stop redis-server >/dev/null 2>&1 || true
fi

# The Kubernetes control plane for test/kube (etcd, kube-apiserver, controller-manager, scheduler,
# kubectl, helm), built from Go modules on first use and cached under ~/.cache/redshard/k8s/<version>.
bash scripts/k8s/build.sh >/dev/null

npm run build
# Tests, helpers and bench scripts are type-checked too (the build covers only the product).
npx tsc -p tsconfig.tests.json
npx vitest run "$@"
# The operator's end-to-end suite on the real control plane (also `npm run e2e:kube`); skipped when
# the caller narrowed the run to some files or projects.
if [ $# -eq 0 ]; then
  npx vitest run -c vitest.e2e-kube.config.ts
fi
