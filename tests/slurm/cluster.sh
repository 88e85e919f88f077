#!/usr/bin/env bash
# A private single-host Slurm cluster for the tests: munged, slurmctld and slurmd, no systemd.
#
#   cluster.sh start DIR   create the cluster inside DIR (an existing, empty temporary folder)
#                          and wait until its node is idle
#   cluster.sh stop DIR    cancel its jobs, stop its daemons, leave DIR in place (the caller
#                          removes it); idempotent, safe after a failed or partial start
#   cluster.sh env DIR     print what a client needs, as `export NAME=value` lines for eval:
#                          SLURM_CONF (PATH is unchanged: Debian puts sbatch & co. in /usr/bin)
#
# Everything lives in DIR: the munge key, socket, pid, log and seed (DIR/munge), slurm.conf
# (DIR/etc), controller state (DIR/state), slurmd's spool (DIR/spool), logs (DIR/log) and pid
# files (DIR/run). The daemons never touch /etc/slurm, /etc/munge or /run/munge, so this does
# not clash with a system Slurm on the same host, and ports are chosen free (DIR/etc/ports).
#
# Needs root: slurmctld and slurmd run as root (SlurmUser=root), munged as the munge user.
# Environment (optional):
#   CLUSTER_CPUS          CPUs of the node [nproc]. More than the machine has is allowed
#                         (SlurmdParameters=config_overrides), e.g. to test a throttle that is
#                         tighter than the CPU count
#   CLUSTER_REQUEUE_EXIT  exit code that makes Slurm requeue a batch job (RequeueExit) [85]
#   CLUSTER_CRED_EXPIRE   credential lifetime, s, which is also the wait before a requeued job
#                         may start again [10; Slurm's default is 120]
#   CLUSTER_START_TIMEOUT seconds to wait for the node to become idle [60]
set -euo pipefail

# The daemons live in /usr/sbin, which a non-login root shell may lack on PATH.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac

die() { echo "cluster.sh: $*" >&2; exit 1; }

usage() { echo "usage: cluster.sh start|stop|env DIR" >&2; exit 2; }

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

conf_of() { echo "$1/etc/slurm.conf"; }

print_logs() {  # every daemon log, for a failed start
  local f
  for f in "$dir/munge/munged.log" "$dir/log/slurmctld.log" "$dir/log/slurmd.log"; do
    echo "---- $f" >&2
    if [ -f "$f" ]; then tail -n 60 "$f" >&2; else echo "(missing)" >&2; fi
  done
}

fail_start() {  # fail_start MESSAGE: print the logs, stop what started, exit 1
  echo "cluster.sh start: $1" >&2
  print_logs
  bash "$0" stop "$dir" || true
  exit 1
}

used_ports() {  # every local TCP port in use (any state), decimal, from /proc/net/tcp{,6}
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$2 ~ /:/ { n = split($2, a, ":"); print a[n] }' |
    while read -r hex; do echo $(( 16#$hex )); done | sort -un
}

free_port_pair() {  # two consecutive free ports in [20000, 40000), starting at a random place
  local used p _
  used=" $(used_ports | tr '\n' ' ') "
  for _ in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 19998 ))
    case "$used" in *" $p "*|*" $((p + 1)) "*) continue ;; esac
    echo "$p $((p + 1))"
    return 0
  done
  die "no free pair of TCP ports found in 20000-39999"
}

pid_alive() {  # pid_alive PIDFILE: the pid in PIDFILE runs
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

stop_pidfile() {  # stop_pidfile PIDFILE NAME: SIGTERM, wait up to 10 s, then SIGKILL
  local pidfile=$1 name=$2 pid _
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  echo "cluster.sh stop: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$pidfile"
}

stray_stepds() {  # slurmstepd processes of this cluster: they hold its slurmd log or spool open
  local p fd
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] || continue
    for fd in "$p"/fd/*; do
      case "$(readlink "$fd" 2>/dev/null)" in "$dir"/*) basename "$p"; break ;; esac
    done
  done
}

escaped_job_procs() {  # escaped_job_procs CONF: processes of this cluster's jobs that outlived them
  # proctrack/linuxproc loses a job's child once it is orphaned (its script exited first). Such a
  # process still carries the job's environment: SLURM_JOB_ID, and SLURM_CONF=CONF (exported by
  # sbatch); the caller's own processes have SLURM_CONF but no SLURM_JOB_ID.
  local conf=$1 p env
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    env=$( (tr '\0' '\n' < "$p/environ") 2>/dev/null) || continue
    if grep -qxF "SLURM_CONF=$conf" <<< "$env" && grep -q '^SLURM_JOB_ID=' <<< "$env"; then
      echo "${p#/proc/}"
    fi
  done
}

start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root (slurmctld and slurmd run as root)"
  local prog
  for prog in munged mungekey slurmctld slurmd sinfo; do
    command -v "$prog" >/dev/null ||
      die "$prog not found; install Debian's slurm-wlm and munge (bash scripts/setup.sh)"
  done
  [ -d "$dir" ] || die "$dir is not a folder; create it first (mktemp -d)"
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty; give start a fresh folder"
  dir=$(cd "$dir" && pwd -P)
  case "$dir" in *[[:space:]]*) die "$dir contains whitespace; slurm.conf paths cannot" ;; esac

  # munged runs as the munge user: it must reach DIR/munge, and refuses key and socket folders
  # that others may write to. DIR from mktemp -d is 0700 root: open it for traversal only.
  chmod 0755 "$dir"
  mkdir -p "$dir/munge" "$dir/etc" "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  local munge_user=munge
  id "$munge_user" >/dev/null 2>&1 || die "user munge missing; install Debian's munge package"
  mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
    mungekey -c -k "$dir/munge/munge.key" ||
    die "mungekey could not create $dir/munge/munge.key"
  chown -R "$munge_user:$munge_user" "$dir/munge"
  # munged wants its socket's folder searchable by all, and the key readable by itself only.
  chmod 0755 "$dir/munge"
  chmod 0600 "$dir/munge/munge.key"
  local socket="$dir/munge/munged.socket"
  runuser -u "$munge_user" -- munged \
    --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" ||
    fail_start "munged did not start"
  local _
  for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.1; done
  [ -S "$socket" ] || fail_start "munged's socket $socket did not appear within 5 s"
  # munged's pid file is written by the munge user inside DIR/munge; copy it where stop looks.
  cp "$dir/munge/munged.pid" "$dir/run/munged.pid"

  local host cpus mem_kb mem_mb ports ctld_port slurmd_port requeue_exit cred_expire
  host=$(hostname -s)
  cpus=${CLUSTER_CPUS:-$(nproc)}
  mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  mem_mb=$(( mem_kb * 9 / 10 / 1024 ))  # slurmd drains a node that has less than configured
  ports=$(free_port_pair)
  ctld_port=${ports% *}
  slurmd_port=${ports#* }
  requeue_exit=${CLUSTER_REQUEUE_EXIT:-85}
  cred_expire=${CLUSTER_CRED_EXPIRE:-10}
  echo "$ctld_port $slurmd_port" > "$dir/etc/ports"

  cat > "$(conf_of "$dir")" <<EOF
# Generated by tests/slurm/cluster.sh: a private single-host cluster in $dir
ClusterName=dermtl-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket=$socket,cred_expire=$cred_expire
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (containers rarely delegate them): processes tracked by parentage, no binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
# No mail on this host (Slurm otherwise logs that its default MailProg is missing).
MailProg=/bin/true
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# No slurmdbd: no accounting, no sacct.
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# Requeue: jobs may be requeued (scontrol requeue, --requeue), and a batch script that exits
# with RequeueExit is requeued by Slurm itself.
JobRequeue=1
RequeueExit=$requeue_exit
ReturnToService=2
# The node is what slurm.conf says, even where the container shows more hardware than nproc.
SlurmdParameters=config_overrides
# Keep finished jobs visible to scontrol for a while (there is no sacct).
MinJobAge=600
KillWait=10
SlurmdTimeout=60
InactiveLimit=0
# Scheduling passes every 2 s: a requeued job becomes eligible cred_expire s after its requeue
# but no event starts it then, so it waits for the next periodic pass (60 s by default).
SchedulerParameters=sched_interval=2,bf_interval=2
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

  export SLURM_CONF
  SLURM_CONF=$(conf_of "$dir")
  slurmctld -f "$SLURM_CONF" -L "$dir/log/slurmctld.log" -i ||
    fail_start "slurmctld exited with status $?"
  slurmd -f "$SLURM_CONF" -L "$dir/log/slurmd.log" ||
    fail_start "slurmd exited with status $?"

  local timeout=${CLUSTER_START_TIMEOUT:-60} state=""
  for _ in $(seq 1 $(( timeout * 2 ))); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    pid_alive "$dir/run/slurmctld.pid" || { sleep 0.5; pid_alive "$dir/run/slurmctld.pid"; } ||
      fail_start "slurmctld died"
    pid_alive "$dir/run/slurmd.pid" || { sleep 0.5; pid_alive "$dir/run/slurmd.pid"; } ||
      fail_start "slurmd died"
    sleep 0.5
  done
  [ "$state" = idle ] ||
    fail_start "node $host is not idle after ${timeout} s (sinfo says '${state:-nothing}')"
  echo "cluster.sh: cluster up in $dir: node $host, $cpus CPUs, ${mem_mb} MB," \
    "ports $ctld_port/$slurmd_port"
}

stop() {
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd -P)
  local conf jobs _
  conf=$(conf_of "$dir")
  # Jobs first, while slurmctld and slurmd still run: slurmstepd then kills every job process.
  if [ -f "$conf" ] && pid_alive "$dir/run/slurmctld.pid"; then
    jobs=$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      SLURM_CONF=$conf scancel $jobs 2>/dev/null || true
      for _ in $(seq 1 60); do
        [ -z "$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null || true)" ] && break
        sleep 0.5
      done
    fi
  fi
  stop_pidfile "$dir/run/slurmd.pid" slurmd
  stop_pidfile "$dir/run/slurmctld.pid" slurmctld
  stop_pidfile "$dir/run/munged.pid" munged
  # A step whose job could not be cancelled outlives slurmd: kill it and its processes.
  local pid children
  for pid in $(stray_stepds); do
    echo "cluster.sh stop: killing leftover slurmstepd $pid and its processes" >&2
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    # shellcheck disable=SC2086
    kill -KILL "$pid" $children 2>/dev/null || true
  done
  local escaped
  escaped=$(escaped_job_procs "$conf")
  if [ -n "$escaped" ]; then
    echo "cluster.sh stop: killing processes that outlived their jobs:" "$escaped" >&2
    # shellcheck disable=SC2086
    kill -KILL $escaped 2>/dev/null || true
  fi
  return 0
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env)
    [ -f "$(conf_of "$dir")" ] || die "no cluster in $dir (run: cluster.sh start $dir)"
    printf 'export SLURM_CONF=%q\n' "$(cd "$dir" && pwd -P)/etc/slurm.conf" ;;
  *) usage ;;
esac
