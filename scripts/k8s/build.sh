#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl) and helm from their Go modules and caches the binaries under
# ~/.cache/redshard/k8s/<version>/bin. A warm run (all binaries present) returns at once.
# Test infrastructure only: nothing here ships with redshard.
set -euo pipefail

K8S_VERSION="${REDSHARD_K8S_VERSION:-v1.36.3}"
HELM_VERSION="${REDSHARD_HELM_VERSION:-v3.21.4}"
CACHE="${REDSHARD_K8S_CACHE:-$HOME/.cache/redshard/k8s}/$K8S_VERSION"
BIN="$CACHE/bin"
MOD="$CACHE/module"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl helm)

missing=()
for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "build.sh: Go (>= 1.26) is needed to build the test control plane" >&2; exit 1; }
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
mkdir -p "$BIN" "$MOD"
log() { echo "[k8s-build $(date +%T)] $*" >&2; }
started=$(date +%s)

# The wrapper module. k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them
# with directories absent from its module zip, so a consumer must replace each with the published
# v0.<minor>.<patch>; the list is read from that version's own go.mod rather than typed here.
if [ ! -f "$MOD/go.sum" ] || ! grep -q "k8s.io/kubernetes $K8S_VERSION" "$MOD/go.mod" 2>/dev/null; then
  log "resolving modules for $K8S_VERSION"
  gomod_path=$(cd "$MOD" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  staging_version="v0.${K8S_VERSION#v1.}"
  etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" && $2 ~ /^v/ { print $2; exit }' "$gomod_path")
  [ -n "$etcd_version" ] || { echo "build.sh: no etcd server version in $gomod_path" >&2; exit 1; }
  replaces=""
  for m in $(awk '/=> \.\/staging\/src\// { print $1 }' "$gomod_path" | sort -u); do
    if (cd "$MOD" && go mod download "$m@$staging_version" >/dev/null 2>&1); then
      replaces+="	$m => $m $staging_version"$'\n'
    else
      log "skipping $m (no $staging_version published)"
    fi
  done
  cat > "$MOD/go.mod" <<GOMOD
module redshard.local/k8s-test-plane

go 1.26.0

tool (
	go.etcd.io/etcd/server/v3
	k8s.io/kubernetes/cmd/kube-apiserver
	k8s.io/kubernetes/cmd/kube-controller-manager
	k8s.io/kubernetes/cmd/kube-scheduler
	k8s.io/kubernetes/cmd/kubectl
)

require (
	go.etcd.io/etcd/server/v3 $etcd_version
	k8s.io/kubernetes $K8S_VERSION
)

replace (
$replaces)
GOMOD
  rm -f "$MOD/go.sum"
  (cd "$MOD" && go mod tidy)
  log "modules resolved (etcd $etcd_version)"
fi

build_date="2026-01-01T00:00:00Z"
minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$build_date"
done

build() { # name package
  [ -x "$BIN/$1" ] && return 0
  log "building $1"
  local t=$(date +%s)
  (cd "$MOD" && go build -trimpath -ldflags "$ldflags" -o "$BIN/$1.tmp" "$2")
  mv "$BIN/$1.tmp" "$BIN/$1"
  log "built $1 in $(( $(date +%s) - t )) s"
}
build etcd go.etcd.io/etcd/server/v3
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
build kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler
build kubectl k8s.io/kubernetes/cmd/kubectl

if [ ! -x "$BIN/helm" ]; then
  log "building helm $HELM_VERSION"
  t=$(date +%s)
  helm_major="${HELM_VERSION%%.*}"
  tmp_gobin=$(mktemp -d)
  GOBIN="$tmp_gobin" go install -trimpath -ldflags "-s -w" "helm.sh/helm/$helm_major/cmd/helm@$HELM_VERSION"
  mv "$tmp_gobin/helm" "$BIN/helm"
  rmdir "$tmp_gobin"
  log "built helm in $(( $(date +%s) - t )) s"
fi

log "control plane $K8S_VERSION ready in $(( $(date +%s) - started )) s"
echo "$BIN"
