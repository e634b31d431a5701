#!/usr/bin/env bash
# Test infrastructure for remote workers (tests/remote): a one-machine Slurm cluster and a
# second host, "brigade-node2", in a network namespace reached through ssh (and, where the
# machine allows it, running a second slurmd so Slurm places workers on two hosts).
#
#   infra.sh start STATEFILE    (re)starts everything; STATEFILE then names the state dir
#   infra.sh stop STATEFILE     stops what start started (by pid, SIGKILL fallback)
#   infra.sh env STATEFILE      prints the settings the tests read (KEY=VALUE lines)
#   infra.sh kill-node2-workers STATEFILE PROGRAM   SIGKILLs PROGRAM's processes on node2
#   infra.sh node2-link STATEFILE up|down           brings node2's link up or down
#
# Everything lives in a temp dir (/tmp/brigade-remote.*): keys, configs, sockets, state,
# logs and pid files. Nothing listens for or sends to anything but 127.0.0.1 and the
# namespace's own subnet 10.213.0.0/30. Each part reports "ok", "skip: why" (this machine
# cannot run it: not root, packages missing, namespaces not permitted) or "error: why"
# (it should have worked); start itself exits 0 so the tests can say which. One instance
# per machine: the namespace's name is fixed, and start takes over a leftover one.
set -uo pipefail

NS=brigade-n2 # the namespace, and the veth pair's names (15 characters at most)
VETH_HOST=brg-n2-host
VETH_NODE=brg-n2-node
HOST_ADDR=10.213.0.1
NODE_ADDR=10.213.0.2
NODE2_NAME=brigade-node2
WAIT_S=${BRIGADE_REMOTE_WAIT_S:-40} # bound on every wait for a daemon

log() { echo "infra: $*" >&2; }

state_dir() { [ -f "$1" ] && cat "$1"; }

setenv() { # KEY VALUE: record a setting for the tests
    printf '%s=%s\n' "$1" "$2" >>"$D/env"
}

# A free TCP port below the ephemeral range, so no outgoing connection takes it meanwhile.
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 12000))
        if [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# Polls COMMAND until it succeeds, at most WAIT_S seconds, and gives up early when the
# daemon recorded as NAME has died.
wait_for() { # NAME COMMAND...
    local name=$1 deadline=$((SECONDS + WAIT_S))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        alive "$(cat "$D/pids/$name.pid" 2>/dev/null)" || return 1
        sleep 0.2
    done
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Starts a daemon in the background (stdout/stderr to LOG) and records its pid as NAME.
spawn() { # NAME LOG COMMAND...
    local name=$1 logf=$2
    shift 2
    setsid "$@" </dev/null >>"$logf" 2>&1 &
    echo $! >"$D/pids/$name.pid"
}

# Stops recorded daemons together: SIGTERM, up to 5 s, then SIGKILL.
stop_pids() { # PIDFILE...
    local f pid pids=()
    for f in "$@"; do
        pid=$(cat "$f" 2>/dev/null) || continue
        rm -f "$f"
        alive "$pid" && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    done
    for _ in $(seq 1 25); do
        local left=()
        for pid in "${pids[@]}"; do
            alive "$pid" && left+=("$pid")
        done
        pids=("${left[@]}")
        [ ${#pids[@]} -eq 0 ] && return 0
        sleep 0.2
    done
    log "${pids[*]} ignored SIGTERM; SIGKILL"
    kill -KILL "${pids[@]}" 2>/dev/null
    return 0
}

tail_log() { [ -f "$1" ] && tail -n 15 "$1" | sed 's/^/    /'; }

# ---------------------------------------------------------------- second host (node2)

start_node2() {
    local need
    for need in ip sshd ssh ssh-keygen unshare setsid; do
        command -v "$need" >/dev/null 2>&1 || [ -x "/usr/sbin/$need" ] || {
            NODE2_STATUS="skip: $need is not installed (bash .ci/install-deps)"
            return
        }
    done
    local sshd_bin
    sshd_bin=$(command -v sshd || echo /usr/sbin/sshd)
    # A namespace of ours left over from a killed run: its processes are ours too.
    if ip netns list 2>/dev/null | grep -qw "$NS"; then
        cleanup_netns
    fi
    ip link del "$VETH_HOST" 2>/dev/null
    local err
    if ! err=$(ip netns add "$NS" 2>&1); then
        NODE2_STATUS="skip: network namespaces are not permitted here (ip netns add: $err)"
        return
    fi
    if ! err=$(ip netns exec "$NS" unshare --uts --mount true 2>&1); then
        NODE2_STATUS="skip: UTS or mount namespaces are not permitted here (unshare: $err)"
        ip netns del "$NS" 2>/dev/null
        return
    fi
    if ip route show 2>/dev/null | grep -q "^10\.213\.0\."; then
        NODE2_STATUS="skip: 10.213.0.0/30 is already routed on this machine"
        ip netns del "$NS" 2>/dev/null
        return
    fi
    if ! err=$({ ip link add "$VETH_HOST" type veth peer name "$VETH_NODE" \
        && ip link set "$VETH_NODE" netns "$NS" \
        && ip addr add "$HOST_ADDR/30" dev "$VETH_HOST" \
        && ip link set "$VETH_HOST" up \
        && ip netns exec "$NS" ip addr add "$NODE_ADDR/30" dev "$VETH_NODE" \
        && ip netns exec "$NS" ip link set "$VETH_NODE" up \
        && ip netns exec "$NS" ip link set lo up; } 2>&1); then
        NODE2_STATUS="skip: cannot wire the namespace (veth): $err"
        cleanup_netns
        return
    fi
    echo "$NS" >"$D/netns"

    local S=$D/ssh port
    mkdir -p "$S" /run/sshd # sshd insists on its privilege separation directory
    port=$(free_port) || {
        NODE2_STATUS="error: no free port for sshd"
        return
    }
    ssh-keygen -q -t ed25519 -N '' -C brigade-node2-host -f "$S/host_ed25519" || {
        NODE2_STATUS="error: ssh-keygen failed"
        return
    }
    ssh-keygen -q -t ed25519 -N '' -C brigade-tests -f "$S/id_ed25519"
    cp "$S/id_ed25519.pub" "$S/authorized_keys"
    echo "$NODE2_NAME $(cat "$S/host_ed25519.pub")" >"$S/known_hosts"
    cat >"$S/sshd_config" <<EOF
# brigade-node2's sshd: key-only, on the namespace's address, everything in $S
ListenAddress $NODE_ADDR:$port
HostKey $S/host_ed25519
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
UseDNS no
MaxSessions 64
MaxStartups 64:30:128
EOF
    cat >"$S/ssh_config" <<EOF
# How the tests reach brigade-node2 (ssh -F this file).
Host $NODE2_NAME
    HostName $NODE_ADDR
    Port $port
    User root
    IdentityFile $S/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $S/known_hosts
    GlobalKnownHostsFile /dev/null
    HostKeyAlias $NODE2_NAME
    StrictHostKeyChecking yes
    BatchMode yes
    ConnectTimeout 3
    ServerAliveInterval 1
    ServerAliveCountMax 3
    LogLevel ERROR
EOF
    # The host's own hostname inside: a UTS namespace of its own, named like the node.
    # A mount namespace too, to give it a fresh host's empty ~/.bashrc: bash started by
    # sshd reads it, and this machine's (pyenv, conda...) is not node2's business.
    local rc=$HOME/.bashrc hide=":"
    [ -f "$rc" ] && hide="mount --bind /dev/null $rc"
    spawn sshd "$S/sshd.log" ip netns exec "$NS" unshare --uts --mount -- \
        sh -c "hostname $NODE2_NAME && $hide && exec $sshd_bin -D -e -f $S/sshd_config"
    if ! wait_for sshd ssh -F "$S/ssh_config" "$NODE2_NAME" true; then
        NODE2_STATUS="error: sshd in the namespace did not answer within ${WAIT_S}s"
        tail_log "$S/sshd.log" >&2
        return
    fi
    local remote_name
    remote_name=$(ssh -F "$S/ssh_config" "$NODE2_NAME" hostname 2>&1)
    if [ "$remote_name" != "$NODE2_NAME" ]; then
        NODE2_STATUS="error: node2 reports hostname '$remote_name'"
        return
    fi
    NODE2_STATUS=ok
    setenv NODE2_HOST "$NODE2_NAME"
    setenv NODE2_SSH_CONFIG "$S/ssh_config"
    setenv NODE2_HOST_ADDR "$HOST_ADDR"
    setenv NODE2_ADDR "$NODE_ADDR"
    setenv NODE2_NETNS "$NS"
}

# Kills whatever still runs in our namespace (sshd's sessions, workers, slurmd), by pid.
cleanup_netns() {
    local pids=()
    mapfile -t pids < <(ip netns pids "$NS" 2>/dev/null)
    if [ ${#pids[@]} -gt 0 ]; then
        kill -TERM "${pids[@]}" 2>/dev/null
        for _ in $(seq 1 15); do
            mapfile -t pids < <(ip netns pids "$NS" 2>/dev/null)
            [ ${#pids[@]} -eq 0 ] && break
            sleep 0.2
        done
        [ ${#pids[@]} -gt 0 ] && kill -KILL "${pids[@]}" 2>/dev/null
    fi
    ip netns del "$NS" 2>/dev/null
    ip link del "$VETH_HOST" 2>/dev/null
    return 0
}

# ---------------------------------------------------------------- Slurm

start_slurm() {
    local need
    for need in munged munge unmunge slurmctld slurmd srun sinfo squeue scancel; do
        command -v "$need" >/dev/null 2>&1 || {
            SLURM_STATUS="skip: $need is not installed (bash .ci/install-deps)"
            return
        }
    done
    local M=$D/munge W=$D/slurm
    mkdir -p "$M" "$W/state" "$W/spool-$(hostname -s)" "$W/spool-$NODE2_NAME"
    chmod 700 "$M"
    # A key of our own: munged only trusts credentials made with it.
    dd if=/dev/urandom of="$M/munge.key" bs=1024 count=1 status=none
    chmod 600 "$M/munge.key"
    # --origin: otherwise munged looks its own hostname up (possibly in DNS).
    spawn munged "$M/munged.out" munged -F --force --socket="$M/munge.socket" \
        --key-file="$M/munge.key" --pid-file="$M/munged.pid" --log-file="$M/munged.log" \
        --seed-file="$M/munged.seed" --origin=127.0.0.1
    if ! wait_for munged sh -c "munge -n -S '$M/munge.socket' | unmunge -S '$M/munge.socket'"; then
        SLURM_STATUS="error: munged did not start"
        tail_log "$M/munged.log" >&2
        tail_log "$M/munged.out" >&2
        return
    fi

    local ctld_port slurmd_port node cpus
    if ! ctld_port=$(free_port) || ! slurmd_port=$(free_port); then
        SLURM_STATUS="error: no free ports for Slurm"
        return
    fi
    [ "$ctld_port" = "$slurmd_port" ] && slurmd_port=$((slurmd_port + 1))
    node=$(hostname -s)
    cpus=$(nproc)
    local with_node2=0
    if [ "$NODE2_STATUS" = ok ] && [ "${BRIGADE_REMOTE_NO_NODE2_SLURM:-0}" != 1 ]; then
        with_node2=1
    fi
    write_slurm_conf "$W/slurm.conf" "$node" 127.0.0.1 "$ctld_port" "$slurmd_port" "$cpus" \
        "$with_node2"
    export SLURM_CONF=$W/slurm.conf
    spawn slurmctld "$W/slurmctld.out" env SLURM_CONF="$W/slurm.conf" slurmctld -D -i \
        -f "$W/slurm.conf"
    spawn slurmd "$W/slurmd.out" env SLURM_CONF="$W/slurm.conf" slurmd -D -N "$node" \
        -f "$W/slurm.conf"
    if ! wait_for slurmd node_idle "$node"; then
        SLURM_STATUS="error: the Slurm node $node did not become idle within ${WAIT_S}s"
        sinfo -N -l >&2 2>&1
        tail_log "$W/slurmctld.log" >&2
        tail_log "$W/slurmctld.out" >&2
        tail_log "$W/slurmd-$node.log" >&2
        tail_log "$W/slurmd.out" >&2
        return
    fi
    SLURM_STATUS=ok
    setenv SLURM_CONF "$W/slurm.conf"
    setenv SLURM_NODE "$node"
    setenv SLURM_CPUS "$cpus"
    setenv SLURM_PARTITION_LOCAL local

    # The second slurmd: inside node2's namespace, reaching the controller through the
    # veth (its own copy of slurm.conf names the controller by the host-side address).
    # nsenter, not ip netns exec: that remounts /sys, and slurmd wants /sys/fs/cgroup.
    NODE2_SLURM="skip: node2 is not running ($NODE2_STATUS)"
    [ "$with_node2" = 1 ] || return
    write_slurm_conf "$W/slurm-node2.conf" "$node" "$HOST_ADDR" "$ctld_port" "$slurmd_port" \
        "$cpus" 1
    spawn slurmd-node2 "$W/slurmd-node2.out" nsenter --net="/run/netns/$NS" unshare --uts -- \
        sh -c "hostname $NODE2_NAME && exec env SLURM_CONF=$W/slurm-node2.conf slurmd -D \
-N $NODE2_NAME -f $W/slurm-node2.conf"
    if wait_for slurmd-node2 node_idle "$NODE2_NAME"; then
        NODE2_SLURM=ok
        setenv SLURM_PARTITION_ALL all
    else
        NODE2_SLURM="skip: slurmd inside the namespace did not come up: \
$(tail -n 3 "$W/slurmd-$NODE2_NAME.log" "$W/slurmd-node2.out" 2>/dev/null | tr '\n' ' ')"
        stop_pids "$D/pids/slurmd-node2.pid"
        # Leave the controller a cluster whose every node answers.
        scontrol update NodeName="$NODE2_NAME" State=DRAIN Reason=unavailable >/dev/null 2>&1
    fi
}

node_idle() { # NODE
    # One line per partition the node is in.
    [ "$(sinfo -h -n "$1" -N -o %T 2>/dev/null | sort -u)" = idle ]
}

write_slurm_conf() { # FILE NODE CTLD_ADDR CTLD_PORT SLURMD_PORT CPUS WITH_NODE2
    local f=$1 node=$2 addr=$3 ctld_port=$4 slurmd_port=$5 cpus=$6 node2=$7
    local W=$D/slurm M=$D/munge
    cat >"$f" <<EOF
# A Slurm cluster on this machine for Brigade's tests; everything lives in $D.
ClusterName=brigade-test
SlurmctldHost=$node($addr)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$M/munge.socket
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool-%n
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd-%n.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=60
MessageTimeout=10
KillWait=2
MinJobAge=10
InactiveLimit=0
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    if [ "$node2" = 1 ]; then
        cat >>"$f" <<EOF
NodeName=$NODE2_NAME NodeAddr=$NODE_ADDR CPUs=$cpus State=UNKNOWN
PartitionName=all Nodes=$node,$NODE2_NAME MaxTime=INFINITE State=UP
EOF
    fi
}

# ---------------------------------------------------------------- commands

cmd_start() {
    local statefile=$1
    cmd_stop "$statefile"
    D=$(mktemp -d /tmp/brigade-remote.XXXXXX) || exit 1
    chmod 755 "$D"
    mkdir -p "$D/pids"
    : >"$D/env"
    echo "$D" >"$statefile"
    setenv STATE_DIR "$D"
    NODE2_STATUS="skip: not tried"
    SLURM_STATUS="skip: not tried"
    NODE2_SLURM="skip: not tried"
    if [ "$(id -u)" != 0 ]; then
        NODE2_STATUS="skip: needs root (network namespaces, sshd and Slurm daemons)"
        SLURM_STATUS=$NODE2_STATUS
        NODE2_SLURM=$NODE2_STATUS
    else
        if [ "${BRIGADE_REMOTE_NO_NODE2:-0}" = 1 ]; then
            NODE2_STATUS="skip: BRIGADE_REMOTE_NO_NODE2=1"
        else
            start_node2
        fi
        if [ "${BRIGADE_REMOTE_NO_SLURM:-0}" = 1 ]; then
            SLURM_STATUS="skip: BRIGADE_REMOTE_NO_SLURM=1"
        else
            start_slurm
        fi
    fi
    setenv NODE2_STATUS "$NODE2_STATUS"
    setenv SLURM_STATUS "$SLURM_STATUS"
    setenv NODE2_SLURM "$NODE2_SLURM"
    log "state in $D"
    log "node2 (ssh): $NODE2_STATUS"
    log "slurm: $SLURM_STATUS"
    log "slurm on node2: $NODE2_SLURM"
    return 0
}

cmd_stop() {
    local statefile=$1
    D=$(state_dir "$statefile") || return 0
    if [ -z "$D" ] || [ ! -d "$D" ]; then
        rm -f "$statefile"
        return 0
    fi
    case "$D" in /tmp/brigade-remote.*) ;; *)
        log "refusing to clean $D (not one of ours)"
        return 1
        ;;
    esac
    # Jobs first (their steps end with them), then the daemons, then the namespace.
    if [ -f "$D/slurm/slurm.conf" ] && alive "$(cat "$D/pids/slurmctld.pid" 2>/dev/null)"; then
        SLURM_CONF=$D/slurm/slurm.conf scancel --quiet --full --signal=KILL --user=root \
            >/dev/null 2>&1
    fi
    stop_pids "$D"/pids/*.pid
    [ -f "$D/netns" ] && NS=$(cat "$D/netns") && cleanup_netns
    rm -rf "$D"
    rm -f "$statefile"
    return 0
}

cmd_kill_node2_workers() { # STATEFILE PROGRAM
    D=$(state_dir "$1") || exit 1
    local target n=0 pid exe
    target=$(readlink -f "$2")
    for pid in $(ip netns pids "$NS" 2>/dev/null); do
        exe=$(readlink -f "/proc/$pid/exe" 2>/dev/null) || continue
        if [ "$exe" = "$target" ]; then
            kill -KILL "$pid" 2>/dev/null && n=$((n + 1))
        fi
    done
    echo "$n"
}

cmd_node2_link() { # STATEFILE up|down
    D=$(state_dir "$1") || exit 1
    ip link set "$VETH_HOST" "$2"
}

case "${1:-}" in
start) cmd_start "${2:?statefile}" ;;
stop) cmd_stop "${2:?statefile}" ;;
env) D=$(state_dir "${2:?statefile}") && cat "$D/env" ;;
kill-node2-workers) cmd_kill_node2_workers "${2:?statefile}" "${3:?program}" ;;
node2-link) cmd_node2_link "${2:?statefile}" "${3:?up|down}" ;;
*)
    sed -n '2,16p' "$0" >&2
    exit 2
    ;;
esac
