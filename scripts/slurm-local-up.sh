#!/usr/bin/env bash
# Bring up a private single-node SLURM cluster on this machine, for tests and for
# trying the cluster path without a cluster:
#
#   sudo scripts/slurm-local-up.sh [STATE_DIR]      # default /tmp/reproductions-slurm
#   snakemake gers2001_anbn --profile profiles/slurm --slurm-status-command squeue \
#       --slurm-init-seconds-before-status-checks 1 --config profile=smoke
#   sudo scripts/slurm-local-down.sh [STATE_DIR]
#
# Everything lives in STATE_DIR: its own munge key and socket, slurm.conf, spool,
# logs and pid files. The one thing outside it is /etc/slurm/slurm.conf, a link to
# STATE_DIR/slurm.conf: the job-step plugin runs `srun` inside each job with every
# SLURM_* variable but the job's id removed, SLURM_CONF included, so srun can only
# find the default path. An existing /etc/slurm/slurm.conf that is not such a link
# (a real cluster's) stops the script. Daemons listen on loopback ports of their
# own; no systemd is needed (daemons are started directly).
# There is no accounting (no slurmdbd): use `--slurm-status-command squeue`,
# since the plugin's default, sacct, then hangs forever.
#
# Needs root. Installs Debian's slurmctld, slurmd, slurm-client and munge if they
# are missing. Exit codes: 0 up; 2 not possible here (not root, packages missing and
# not installable, or a SLURM configuration that is not ours); 1 anything else.
set -euo pipefail

STATE_DIR=$(realpath -m "${1:-/tmp/reproductions-slurm}")
CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-16817}
SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-16818}
# Advertise at least 4 CPUs so that a few one-core jobs run side by side on a 2-core machine.
NODE_CPUS=${SLURM_LOCAL_CPUS:-$(( $(nproc) > 4 ? $(nproc) : 4 ))}
PACKAGES="slurmctld slurmd slurm-client munge"

fail() { echo "slurm-local-up: $*" >&2; exit "${2:-1}"; }

[ "$(id -u)" = 0 ] || fail "must run as root" 2

install_packages() {
    local missing=""
    for tool in slurmctld slurmd sbatch munged; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing=yes
    done
    [ -z "$missing" ] && return 0
    command -v apt-get >/dev/null 2>&1 || fail "SLURM is not installed and apt-get is not available" 2
    echo "slurm-local-up: installing $PACKAGES"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null; } \
        || fail "could not install $PACKAGES" 2
}

# Daemons keep the caller's stdout/stderr open after forking: detach them, or
# whoever reads our output (a test, a CI step) never sees end-of-file.
detached() { "$@" </dev/null >/dev/null 2>&1; }

write_config() {
    local node memory
    node=$(hostname -s)  # slurmd recognises its node by host name
    # RealMemory above what slurmd detects would drain the node; leave some room.
    memory=$(( $(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p') - 512 ))
    cat > "$STATE_DIR/slurm.conf" <<EOF
# Private single-node test cluster written by scripts/slurm-local-up.sh
ClusterName=reproductions
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE_DIR/munge/munge.socket
StateSaveLocation=$STATE_DIR/spool/slurmctld
SlurmdSpoolDir=$STATE_DIR/spool/slurmd
SlurmctldPidFile=$STATE_DIR/slurmctld.pid
SlurmdPidFile=$STATE_DIR/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
# no cgroups, no systemd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
# squeue must still see finished jobs when the plugin asks (>= 3 x its check interval)
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=$NODE_CPUS RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start_daemons() {
    # a private munge key, owned by root as munged requires
    mkdir -p "$STATE_DIR/munge"
    chmod 755 "$STATE_DIR" "$STATE_DIR/munge"
    [ -s "$STATE_DIR/munge/munge.key" ] || dd if=/dev/urandom of="$STATE_DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 600 "$STATE_DIR/munge/munge.key"
    # --force: the state directory's parents need not be world-searchable (pytest's are not)
    detached /usr/sbin/munged --force --key-file="$STATE_DIR/munge/munge.key" \
        --socket="$STATE_DIR/munge/munge.socket" --pid-file="$STATE_DIR/munged.pid" \
        --log-file="$STATE_DIR/log/munged.log" --seed-file="$STATE_DIR/munge/munged.seed" \
        || fail "munged did not start; see $STATE_DIR/log/munged.log"
    munge -n -S "$STATE_DIR/munge/munge.socket" | unmunge -S "$STATE_DIR/munge/munge.socket" >/dev/null \
        || fail "munge does not work; see $STATE_DIR/log/munged.log"
    # -c: start from a clean state, no jobs of an earlier run
    detached /usr/sbin/slurmctld -c -f "$STATE_DIR/slurm.conf" \
        || fail "slurmctld did not start; see $STATE_DIR/log/slurmctld.log"
    detached /usr/sbin/slurmd -f "$STATE_DIR/slurm.conf" \
        || fail "slurmd did not start; see $STATE_DIR/log/slurmd.log"
}

wait_until_idle() {
    local state=""
    for _ in $(seq 60); do
        state=$(sinfo -h -N -o %T 2>/dev/null || true)
        [ "$state" = idle ] && return 0
        sleep 0.5
    done
    fail "node not idle after 30 s (state '${state:-unknown}'); see $STATE_DIR/log/"
}

# True when the slurmctld a state directory's pid file names is alive.
cluster_running() {
    local pid_file="$1/slurmctld.pid" pid
    [ -s "$pid_file" ] || return 1
    pid=$(cat "$pid_file")
    [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = slurmctld ]
}

link_default_config() {
    local default=/etc/slurm/slurm.conf
    if [ -e "$default" ] && [ ! -L "$default" ]; then
        fail "$default exists and is not ours: this machine has a real SLURM configuration" 2
    fi
    local other
    other=$(readlink "$default" || true)
    if [ -L "$default" ] && [ "$other" != "$STATE_DIR/slurm.conf" ] && cluster_running "$(dirname "$other")"; then
        fail "$default links to $other: another local cluster is up; stop it first" 2
    fi
    # a link left by a cluster whose daemons are gone (a killed run) is taken over
    mkdir -p /etc/slurm
    ln -sfn "$STATE_DIR/slurm.conf" "$default"
}

install_packages
[ -e "$STATE_DIR/slurmctld.pid" ] && fail "$STATE_DIR already has a running cluster? run slurm-local-down.sh first"
mkdir -p "$STATE_DIR"/{spool/slurmctld,spool/slurmd,log}
write_config
link_default_config
export SLURM_CONF="$STATE_DIR/slurm.conf"
start_daemons
wait_until_idle
sinfo
echo "slurm-local-up: up; configuration $SLURM_CONF (linked from /etc/slurm/slurm.conf)"
