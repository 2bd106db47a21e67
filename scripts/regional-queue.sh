#!/usr/bin/env bash
# Every authority in params.yaml's regional.authorities through regional/dvc.yaml, N at a time,
# with DVC's experiment queue (docs/regional.md):
#   1. `dvc add` each authority's raw folder: its version is recorded in a small raw.dvc pointer
#      and the files go to the DVC cache (shared with the queue's workers, pushed to a remote);
#   2. stage the pointers in Git: a queued experiment runs in a temporary copy of the repository
#      that holds only what Git tracks (staged changes included), then checks the raw data out of
#      the DVC cache by those pointers;
#   3. queue one experiment per authority (`dvc exp run --queue regional/dvc.yaml:authority@SLUG`)
#      and start N workers (`dvc queue start -j N`); wait for them;
#   4. `dvc repro regional/dvc.yaml` in the workspace: every stage is restored from the run cache
#      the workers filled (nothing reruns), regional/dvc.lock records it.
# Usage: scripts/regional-queue.sh [N]   (N workers, default 2; run from the project root with the
# virtual environment's bin/ on PATH, as `make regional` does).
set -euo pipefail

jobs="${1:-2}"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "regional-queue: N must be a positive whole number, not '$jobs'" >&2; exit 2; }
git rev-parse --verify -q HEAD > /dev/null || {
  echo "regional-queue: DVC's experiment queue needs a Git repository with at least one commit" >&2; exit 2; }

mapfile -t authorities < <(python - <<'EOF'
import yaml
with open("params.yaml") as f:
    regional = (yaml.safe_load(f) or {}).get("regional") or {}
for slug, entry in (regional.get("authorities") or {}).items():
    print(slug, entry["raw"])
EOF
)
[[ ${#authorities[@]} -gt 0 ]] || { echo "regional-queue: params.yaml lists no regional.authorities" >&2; exit 2; }

pointers=()
for row in "${authorities[@]}"; do
  read -r slug raw <<< "$row"
  if [[ -z "$(find "$raw" -name '*.csv' -print -quit 2> /dev/null)" ]]; then
    echo "regional-queue: $slug: no CSV files in $raw (params.yaml regional.authorities.$slug.raw)" >&2
    exit 1
  fi
  pointers+=("$raw.dvc" "$(dirname "$raw")/.gitignore")
done

echo "recording each authority's raw returns (dvc add)"
dvc add -q "${authorities[@]##* }"
git add -- "${pointers[@]}"

names=()
queued=()
for row in "${authorities[@]}"; do
  read -r slug raw <<< "$row"
  if dvc status "regional/dvc.yaml:authority@$slug" 2>&1 | grep -q "up to date"; then
    echo "$slug: up to date (regional/dvc.lock), not queued"
    continue
  fi
  out=$(dvc exp run --queue "regional/dvc.yaml:authority@$slug")
  name=$(sed -n "s/^Queued experiment '\(.*\)' for future execution.*/\1/p" <<< "$out")
  [[ -n "$name" ]] || { echo "regional-queue: could not queue $slug: $out" >&2; exit 1; }
  echo "$slug: queued as experiment $name"
  names+=("$name")
  queued+=("$row")
done
if [[ ${#names[@]} -eq 0 ]]; then
  dvc status regional/dvc.yaml
  exit 0
fi

# The workers are daemons: keep them off this script's output, or a pipe reading it never closes.
dvc queue start -j "$jobs" > /dev/null 2>&1 < /dev/null
echo "running ${#names[@]} experiment(s), $jobs at a time (dvc queue status; dvc queue logs NAME)"

state_of() { awk -v n="$1" '$2 == n { print $NF }' <<< "$2"; }
while :; do
  status=$(dvc queue status 2> /dev/null)
  pending=0
  for name in "${names[@]}"; do
    case "$(state_of "$name" "$status")" in Queued|Running) pending=$((pending + 1)) ;; esac
  done
  [[ $pending -eq 0 ]] && break
  sleep 5
done

failed=0
for i in "${!names[@]}"; do
  read -r slug raw <<< "${queued[$i]}"
  state=$(state_of "${names[$i]}" "$status")
  echo "$slug: $state"
  if [[ "$state" != Success ]]; then
    failed=1
    echo "---- last lines of its log (dvc queue logs ${names[$i]}) ----"
    dvc queue logs "${names[$i]}" 2>&1 | tail -n 25
  fi
done
[[ $failed -eq 0 ]] || exit 1

echo "restoring every authority's outputs from the run cache"
dvc repro regional/dvc.yaml
dvc status regional/dvc.yaml
