#!/usr/bin/env bash
# Stop the daemons started by workflow/slurm/up.sh, each by the pid in its pid file.
set -uo pipefail
stop() { # stop PIDFILE NAME
  local f=$1 pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $2 (pid $pid)"
  fi
  rm -f "$f"
}
# cancel leftover jobs first (ignore errors if the controller is already down)
scancel --user="$(id -un)" 2>/dev/null || true
stop /run/slurmd.pid slurmd
stop /run/slurmctld.pid slurmctld
stop /run/slurmdbd.pid slurmdbd
stop /run/mysqld/mysqld.pid mariadbd
stop /run/munge/munged.pid munged
exit 0
