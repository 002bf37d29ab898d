#!/usr/bin/env bash
# Stop the daemons scripts/slurm-local-up.sh started in STATE_DIR, by their pid
# files: slurmd first (it can ignore TERM for long once slurmctld is gone), then
# slurmctld, then munged. Each gets TERM, then KILL after a grace period. Removes
# the /etc/slurm/slurm.conf link the up script made.
#
#   sudo scripts/slurm-local-down.sh [STATE_DIR]    # default /tmp/reproductions-slurm
set -uo pipefail

STATE_DIR=$(realpath -m "${1:-/tmp/reproductions-slurm}")
GRACE_SECONDS=${SLURM_LOCAL_GRACE_SECONDS:-15}

stop() {
    local pid_file="$STATE_DIR/$1.pid" pid
    [ -s "$pid_file" ] || return 0
    pid=$(cat "$pid_file")
    # only a process whose command is the daemon we started (the pid may have been reused)
    if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$1" ]; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq $((GRACE_SECONDS * 4))); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -0 "$pid" 2>/dev/null && { echo "slurm-local-down: $1 ($pid) ignored TERM, killing"; kill -KILL "$pid"; }
    fi
    rm -f "$pid_file"
}

stop slurmd
stop slurmctld
stop munged
# the default-path link the up script made, if it still points here
[ "$(readlink /etc/slurm/slurm.conf 2>/dev/null)" = "$STATE_DIR/slurm.conf" ] && rm -f /etc/slurm/slurm.conf
echo "slurm-local-down: stopped the cluster in $STATE_DIR"
