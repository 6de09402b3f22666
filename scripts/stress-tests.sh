#!/usr/bin/env bash
# Runs the whole suite the way CI does (fresh clone, CI=true, `pnpm test`) several rounds in a row,
# each round as two copies at once on this machine: a suite that passes here passes on a busy laptop
# and a shared CI machine. Usage: scripts/stress-tests.sh [rounds=5] [copies=2]
set -euo pipefail
rounds=${1:-5}
copies=${2:-2}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/episodic-stress-XXXXXX")
trap 'rm -rf "$work"' EXIT
# The benchmarks' data sets sit beside the repository; the clones get the same neighbour.
[ -d "$repo/../shared" ] && ln -s "$repo/../shared" "$work/shared"

for copy in $(seq 1 "$copies"); do
  git clone --quiet "$repo" "$work/copy-$copy"
  (cd "$work/copy-$copy" && pnpm install --frozen-lockfile >/dev/null)
done

failed=0
for round in $(seq 1 "$rounds"); do
  pids=()
  for copy in $(seq 1 "$copies"); do
    (cd "$work/copy-$copy" && git clean -qfdx -e node_modules && CI=true TURBO_FORCE=true pnpm test \
      >"$work/round-$round-copy-$copy.log" 2>&1) &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    log="$work/round-$round-copy-$((i + 1)).log"
    if wait "${pids[$i]}"; then
      echo "round $round copy $((i + 1)): passed"
    else
      failed=$((failed + 1))
      echo "round $round copy $((i + 1)): FAILED; the failing tests:"
      sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '(FAIL|✗|×) ' | sort -u | head -20
      cp "$log" "$repo/stress-round-$round-copy-$((i + 1)).log"
    fi
  done
done
echo "$((rounds * copies - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
