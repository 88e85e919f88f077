# Sourced by the Slurm tests that run dermtl on the test cluster (grid_test.sh, requeue_test.sh).
#   slurm_test_begin NAME   skips (exit 77) unless root with Slurm and munge installed; makes $dir
#                           (removed at exit, its cluster stopped) with an empty $dir/cluster
#   fail MESSAGE            prints the queue, the tasks' logs and slurmctld's, and exits 1
#   start_cluster CPUS      starts the cluster in $dir/cluster and exports its client environment
test_lib_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster=$test_lib_here/cluster.sh

slurm_test_begin() {
  test_name=$1
  if [ "$(id -u)" -ne 0 ]; then echo "$test_name: skipped: needs root (the test cluster's daemons run as root)"; exit 77; fi
  for prog in sbatch squeue scontrol scancel slurmctld slurmd munged; do
    command -v "$prog" >/dev/null || { echo "$test_name: skipped: $prog not found (bash scripts/setup.sh)"; exit 77; }
  done
  dir=$(mktemp -d "${TMPDIR:-/tmp}/dermtl-$test_name.XXXXXX")
  trap 'cd /; [ -d "$dir/cluster" ] && { bash "$cluster" stop "$dir/cluster" || true; }; rm -rf "$dir"' EXIT
  mkdir -p "$dir/cluster" "$dir/work"
  chmod 755 "$dir"  # munged runs as the munge user and must reach its folder
}

fail() {
  echo "$test_name: FAILED: $*" >&2
  squeue >&2 || true
  for f in "$dir"/*/slurm/*.out; do [ -e "$f" ] && { echo "---- $f" >&2; tail -n 25 "$f" >&2; }; done
  tail -n 30 "$dir/cluster/log/slurmctld.log" >&2 || true
  exit 1
}

start_cluster() {
  CLUSTER_CPUS=$1 bash "$cluster" start "$dir/cluster"
  eval "$(bash "$cluster" env "$dir/cluster")"
}
