#!/usr/bin/env bash
# Start a throwaway single-node SLURM on this machine (Debian 12 packages; no systemd, no
# cgroups), for the deeplaws SLURM test and for trying the SLURM profiles locally.
#
#   WITH_SLURMDBD=1   also start MariaDB + slurmdbd, so that sacct (the executor plugin's
#                     default status command on real clusters) works
#
# Needs root. Safe to run again: running daemons are kept, their pids are in /run/*.pid.
# Stop everything with workflow/slurm/down.sh.
set -euo pipefail
WITH_SLURMDBD="${WITH_SLURMDBD:-0}"
HOST="$(hostname -s)"
MEM_MB=$(($(awk '/^MemTotal:/{print $2}' /proc/meminfo) / 1024 * 90 / 100))
CPUS="$(nproc)"
t0=$(date +%s)

[ "$(id -u)" -eq 0 ] || { echo "workflow/slurm/up.sh needs root" >&2; exit 1; }

pkgs="slurmctld slurmd slurm-client munge"
[ "$WITH_SLURMDBD" = 1 ] && pkgs="$pkgs slurmdbd mariadb-server"
# shellcheck disable=SC2086
if ! dpkg -s $pkgs >/dev/null 2>&1; then
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# --- munge (the Debian postinst makes the key) ---------------------------------------------
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create 2>/dev/null || /usr/sbin/create-munge-key -f
  chown munge:munge /etc/munge/munge.key
fi
install -d -o munge -g munge -m 0755 /run/munge
alive /run/munge/munged.pid || runuser -u munge -- /usr/sbin/munged
munge -n | unmunge >/dev/null

# --- slurm.conf for this host ----------------------------------------------------------------
install -d -o slurm -g slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
if [ "$WITH_SLURMDBD" = 1 ]; then
  ACCT="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30"
else
  ACCT="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"
fi
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=localcluster
SlurmctldHost=${HOST}(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
${ACCT}
JobCompType=jobcomp/none
# finished jobs stay visible to squeue for 5 min (the squeue status mode needs >= 120 s)
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${MEM_MB} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# --- optional accounting: MariaDB + slurmdbd -------------------------------------------------
if [ "$WITH_SLURMDBD" = 1 ]; then
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  if ! alive /run/mysqld/mysqld.pid; then
    nohup /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 >/var/log/slurm/mariadbd.out 2>&1 &
  fi
  for _ in $(seq 60); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 0.5; done
  mariadb -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
    CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurmdbpass';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
  cat >/etc/slurm/slurmdbd.conf <<CONF
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=slurm
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurmdbpass
StorageLoc=slurm_acct_db
CONF
  chown slurm:slurm /etc/slurm/slurmdbd.conf
  chmod 600 /etc/slurm/slurmdbd.conf
  alive /run/slurmdbd.pid || slurmdbd
  for _ in $(seq 60); do sacctmgr -n show cluster >/dev/null 2>&1 && break; sleep 0.5; done
  sacctmgr -i -Q add cluster localcluster >/dev/null 2>&1 || true
  sacctmgr -i -Q add account research Description=deeplaws Organization=deeplaws >/dev/null 2>&1 || true
  sacctmgr -i -Q add user root Account=research DefaultAccount=research >/dev/null 2>&1 || true
fi

# --- controller and node daemons (they daemonize and write their pid files) -----------------
alive /run/slurmctld.pid || slurmctld
alive /run/slurmd.pid || slurmd
for _ in $(seq 60); do
  state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null || true)
  if [ "$state" = idle ] || [ "$state" = mixed ]; then break; fi
  sleep 0.5
done
sinfo
[ "$(srun -N1 -t 1 hostname)" = "$(hostname)" ] || { echo "srun check failed" >&2; exit 1; }
echo "local SLURM up in $(($(date +%s) - t0))s (slurmdbd=$WITH_SLURMDBD)"
