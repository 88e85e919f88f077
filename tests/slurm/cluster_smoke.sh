#!/usr/bin/env bash
# slurm.cluster_smoke: the test cluster (cluster.sh) does what the Slurm tests rely on.
#   1. A throttled job array (--array=0-3%2) runs all 4 tasks, each seeing the right
#      SLURM_ARRAY_TASK_ID/MIN/MAX/COUNT, exactly 2 at a time (the node has more CPUs than 2,
#      so the throttle, not the CPU count, is what limits it).
#   2. A batch job that runs `scontrol requeue $SLURM_JOB_ID` on itself is killed and runs
#      again, with SLURM_RESTART_COUNT=1.
#   3. A batch job that exits with RequeueExit is requeued by Slurm and runs again.
#   4. `scancel --batch --signal=USR1` delivers USR1 to a batch script that traps it.
#   5. No job process outlives its job.
# Exit 77 (skipped) when not root or when Slurm/munge are not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cluster=$here/cluster.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm.cluster_smoke: skipped: needs root (the test cluster's daemons run as root)"
  exit 77
fi
for prog in sbatch squeue scontrol scancel slurmctld slurmd munged; do
  if ! command -v "$prog" >/dev/null; then
    echo "slurm.cluster_smoke: skipped: $prog not found; install slurm-wlm and munge" \
      "(bash scripts/setup.sh)"
    exit 77
  fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/dermtl-slurm.XXXXXX")
cleanup() {
  cd /
  bash "$cluster" stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT

fail() {
  echo "slurm.cluster_smoke: FAILED: $*" >&2
  echo "---- squeue" >&2
  squeue >&2 || true
  echo "---- slurmctld.log (tail)" >&2
  tail -n 40 "$dir/log/slurmctld.log" >&2 || true
  echo "---- slurmd.log (tail)" >&2
  tail -n 40 "$dir/log/slurmd.log" >&2 || true
  exit 1
}

# 8 CPUs on the node whatever the machine has (config_overrides): the array's throttle is then
# tighter than the CPU count, and the other jobs run beside it without taking its CPUs.
CLUSTER_CPUS=8 bash "$cluster" start "$dir"
eval "$(bash "$cluster" env "$dir")"
work=$dir/work
mkdir "$work"
cd "$work"
requeue_exit=$(awk -F= '/^RequeueExit=/ { print $2 }' "$SLURM_CONF")

# wait_done TIMEOUT JOBID...: until squeue lists none of the jobs (pending, running, completing)
wait_done() {
  local timeout=$1 _
  shift
  local ids
  ids=$(IFS=,; echo "$*")
  for _ in $(seq 1 $(( timeout * 2 ))); do
    [ -z "$(squeue -h -j "$ids" -o %i 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  fail "jobs $ids not done after $timeout s"
}

# wait_file TIMEOUT FILE
wait_file() {
  local _
  for _ in $(seq 1 $(( $1 * 2 ))); do
    [ -e "$2" ] && return 0
    sleep 0.5
  done
  fail "$2 did not appear within $1 s"
}

job_state() { scontrol show job "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }

# ---- the scripts
cat > array.sh <<'EOF'
#!/bin/bash
start=$(date +%s.%N)
sleep 3
end=$(date +%s.%N)
echo "$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_MIN $SLURM_ARRAY_TASK_MAX $SLURM_ARRAY_TASK_COUNT $start $end" \
  > "task.$SLURM_ARRAY_TASK_ID"
EOF

cat > requeue_self.sh <<'EOF'
#!/bin/bash
if [ ! -e requeue_self.marker ]; then
  touch requeue_self.marker
  echo "first run ${SLURM_RESTART_COUNT:-unset}" >> requeue_self.log
  scontrol requeue "$SLURM_JOB_ID"
  sleep 120
  echo "first run was not stopped by its requeue" >> requeue_self.log
  exit 0
fi
echo "second run ${SLURM_RESTART_COUNT:-unset}" >> requeue_self.log
EOF

cat > requeue_exit.sh <<EOF
#!/bin/bash
if [ ! -e requeue_exit.marker ]; then
  touch requeue_exit.marker
  echo "first run \${SLURM_RESTART_COUNT:-unset}" >> requeue_exit.log
  exit $requeue_exit
fi
echo "second run \${SLURM_RESTART_COUNT:-unset}" >> requeue_exit.log
EOF

cat > signal.sh <<'EOF'
#!/bin/bash
# proctrack/linuxproc finds a job's processes by parentage: a child left running when the script
# exits is orphaned out of the job and outlives it, so the trap stops the sleep first.
trap 'kill "$sleeper"; echo "got USR1" >> signal.log; exit 0' USR1
sleep 120 &
sleeper=$!
touch signal.ready
wait "$sleeper"
echo "no USR1 within 120 s" >> signal.log
EOF

t0=$SECONDS
array_job=$(sbatch --parsable --array=0-3%2 -o array.%A_%a.out array.sh) ||
  fail "sbatch of the array was refused"
requeue_self_job=$(sbatch --parsable -o requeue_self.%j.out requeue_self.sh)
requeue_exit_job=$(sbatch --parsable -o requeue_exit.%j.out requeue_exit.sh)
signal_job=$(sbatch --parsable -o signal.%j.out signal.sh)
echo "submitted: array $array_job, requeue-self $requeue_self_job," \
  "requeue-exit $requeue_exit_job, signal $signal_job"

wait_file 60 signal.ready
scancel --batch --signal=USR1 "$signal_job" || fail "scancel --batch --signal=USR1 failed"
wait_done 120 "$array_job" "$requeue_self_job" "$requeue_exit_job" "$signal_job"
echo "all jobs done in $(( SECONDS - t0 )) s"

# No job process outlives its job: none still works in the jobs' folder.
cd /
leftover=""
for p in /proc/[0-9]*; do
  case "$(readlink "$p/cwd" 2>/dev/null)" in
    "$work"|"$work"/*) leftover+=" $(basename "$p") ($(tr '\0' ' ' < "$p/cmdline"))" ;;
  esac
done
[ -z "$leftover" ] || fail "processes outlived their jobs:$leftover"
cd "$work"

# ---- 1. the array
for t in 0 1 2 3; do
  [ -f "task.$t" ] || fail "array task $t wrote no task.$t"
  read -r id min max count _ _ < "task.$t"
  [ "$id $min $max $count" = "$t 0 3 4" ] ||
    fail "array task $t saw ID MIN MAX COUNT = '$id $min $max $count', expected '$t 0 3 4'"
done
# Largest number of tasks running at one instant: sweep the start (+1) and end (-1) events.
overlap=$(cat task.[0-3] | awk '{ print $5, 1; print $6, -1 }' | sort -k1,1g -k2,2n |
  awk '{ n += $2; if (n > m) m = n } END { print m }')
[ "$overlap" -le 2 ] || fail "array throttle %2 not honoured: $overlap tasks ran at once"
[ "$overlap" -eq 2 ] ||
  fail "array tasks never ran 2 at once (max $overlap) although the node has 8 CPUs"
echo "ok: array $array_job ran 4 tasks with the right IDs, at most $overlap at once"

# ---- 2. requeue by the job itself
[ "$(job_state "$requeue_self_job")" = COMPLETED ] ||
  fail "requeue-self job ended $(job_state "$requeue_self_job")"
expected=$'first run unset\nsecond run 1'
[ "$(cat requeue_self.log)" = "$expected" ] ||
  fail "requeue-self log is '$(cat requeue_self.log)', expected '$expected'"
echo "ok: scontrol requeue from the job reran it with SLURM_RESTART_COUNT=1"

# ---- 3. requeue by exit code
[ "$(job_state "$requeue_exit_job")" = COMPLETED ] ||
  fail "requeue-exit job ended $(job_state "$requeue_exit_job")"
[ "$(cat requeue_exit.log)" = "$expected" ] ||
  fail "requeue-exit log is '$(cat requeue_exit.log)', expected '$expected'"
echo "ok: exit $requeue_exit (RequeueExit) reran the job with SLURM_RESTART_COUNT=1"

# ---- 4. signal to the batch script
[ "$(cat signal.log 2>/dev/null)" = "got USR1" ] ||
  fail "signal log is '$(cat signal.log 2>/dev/null)', expected 'got USR1'"
echo "ok: scancel --batch --signal=USR1 reached the batch script's trap"
echo "slurm.cluster_smoke: passed in $SECONDS s"
