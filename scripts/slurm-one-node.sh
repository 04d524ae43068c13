#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (munge + slurmctld + slurmd on localhost),
# from Debian's packages (munge, slurmctld, slurmd, slurm-client), for the sweep's Slurm test
# (sim/tests/integration/sweep.rs). Needs root. No systemd: the daemons are started directly.
# Idempotent: a cluster that already answers `sinfo` is left alone.
set -euo pipefail

if sinfo -h -o '%T' 2>/dev/null | grep -q idle; then
  echo "slurm: already up"
  exit 0
fi

node=$(hostname -s)
# The node line as slurmd sees the hardware (CPUs, sockets, cores, memory): Slurm drains a
# node whose configuration promises more than it has.
hardware=$(slurmd -C | sed -n '1s/^NodeName=[^ ]* //p')

# munge: the authentication daemon every Slurm message goes through.
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile /etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=hexafly-ci
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=${node} NodeAddr=127.0.0.1 ${hardware} State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP
CONF

pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd

for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -q idle; then
    echo "slurm: one node idle: ${node} ${hardware}"
    exit 0
  fi
  sleep 1
done
echo "slurm: the node did not come up; last log lines:" >&2
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
