#!/usr/bin/env bash
# npm run e2e:kube: the operator's end-to-end suite. By default on a control plane built from Go
# modules (built and cached on first use) with the test kubelet; with REDSHARD_E2E_KUBECONFIG set,
# against that cluster instead (kind in CI, operator installed from the chart).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${REDSHARD_E2E_KUBECONFIG:-}" ]; then
  bash scripts/k8s/build.sh >/dev/null
fi
npm run build
exec npx vitest run -c vitest.e2e-kube.config.ts "$@"
