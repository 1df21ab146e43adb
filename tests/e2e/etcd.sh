# etcd.sh - real etcd members for end-to-end tests, on free loopback ports,
# each with its data in its own folder under a temporary directory.
#   . tests/e2e/etcd.sh
#   etcd_start DIR N          # starts an N-member cluster, waits until every
#                             # member is healthy; sets ETCD_ENDPOINTS
#                             # ("127.0.0.1:P0,127.0.0.1:P1,..."), ETCD_PORTS[i]
#                             # and ETCD_PIDS[i]
#   etcd_member_stop I [SIG]  # stops member I (default SIGKILL) and reaps it
#   etcd_member_start I       # starts member I again on its ports and data
#   etcd_leader               # prints the index of the current leader
#   etcd_ctl ARGS...          # etcdctl (v3 API) against the running members
#   etcd_stop_all             # stops every member (call it from the EXIT trap)
# The binary is $IKC_ETCD (default: etcd on the PATH).  Ports are picked
# below the kernel's ephemeral range, so no port-0 listener (ikc-sim, other
# tests) can take one between the pick and etcd binding it; a clash with a
# concurrent pick makes a member exit, and the whole cluster is picked again.

ETCD_DIR=
ETCD_N=0
ETCD_ENDPOINTS=
ETCD_PORTS=()
ETCD_PEERS=()
ETCD_PIDS=()

# A loopback TCP port nothing listens on now (and not already picked).
etcd_pick_port() {
	local p i taken
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000))
		taken=0
		case " ${ETCD_PORTS[*]} ${ETCD_PEERS[*]} " in *" $p "*) taken=1 ;; esac
		[ "$taken" = 0 ] || continue
		if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

etcd_initial_cluster() {
	local i s=
	for ((i = 0; i < ETCD_N; i++)); do
		s+="${s:+,}m$i=http://127.0.0.1:${ETCD_PEERS[$i]}"
	done
	echo "$s"
}

# etcd_spawn I new|existing
etcd_spawn() {
	local i=$1 cstate=$2 bin=${IKC_ETCD:-etcd}
	local curl="http://127.0.0.1:${ETCD_PORTS[$i]}" purl="http://127.0.0.1:${ETCD_PEERS[$i]}"
	mkdir -p "$ETCD_DIR/m$i" || return 1
	"$bin" --name "m$i" --data-dir "$ETCD_DIR/m$i/data" \
		--listen-client-urls "$curl" --advertise-client-urls "$curl" \
		--listen-peer-urls "$purl" --initial-advertise-peer-urls "$purl" \
		--initial-cluster "$(etcd_initial_cluster)" \
		--initial-cluster-state "$cstate" --initial-cluster-token ikc-e2e \
		>>"$ETCD_DIR/m$i/etcd.log" 2>&1 &
	ETCD_PIDS[$i]=$!
}

# etcd_wait I SECONDS: 0 once member I answers /health with true.
etcd_wait() {
	local i=$1 tries=$(($2 * 10)) k
	for ((k = 0; k < tries; k++)); do
		if ! kill -0 "${ETCD_PIDS[$i]}" 2>/dev/null; then
			wait "${ETCD_PIDS[$i]}" 2>/dev/null
			ETCD_PIDS[$i]=
			return 1
		fi
		curl -s --max-time 1 "http://127.0.0.1:${ETCD_PORTS[$i]}/health" 2>/dev/null |
			grep -q '"health":"true"' && return 0
		sleep 0.1
	done
	return 1
}

etcd_start() {
	local attempt i ok
	ETCD_DIR=$1
	ETCD_N=$2
	for attempt in 1 2 3; do
		ETCD_PORTS=()
		ETCD_PEERS=()
		ETCD_PIDS=()
		rm -rf "$ETCD_DIR"
		mkdir -p "$ETCD_DIR" || return 1
		for ((i = 0; i < ETCD_N; i++)); do
			ETCD_PORTS[$i]=$(etcd_pick_port) || return 1
			ETCD_PEERS[$i]=$(etcd_pick_port) || return 1
		done
		for ((i = 0; i < ETCD_N; i++)); do
			etcd_spawn "$i" new || return 1
		done
		ok=1
		for ((i = 0; i < ETCD_N; i++)); do
			etcd_wait "$i" 30 || { ok=0; break; }
		done
		if [ "$ok" = 1 ]; then
			ETCD_ENDPOINTS=
			for ((i = 0; i < ETCD_N; i++)); do
				ETCD_ENDPOINTS+="${ETCD_ENDPOINTS:+,}127.0.0.1:${ETCD_PORTS[$i]}"
			done
			export ETCD_ENDPOINTS
			return 0
		fi
		echo "etcd_start: a member did not come up (attempt $attempt); log:" >&2
		cat "$ETCD_DIR"/m*/etcd.log 2>/dev/null | tail -n 5 >&2
		etcd_stop_all
	done
	return 1
}

etcd_member_stop() {
	local i=$1 sig=${2:-KILL}
	[ -n "${ETCD_PIDS[$i]:-}" ] || return 0
	kill -"$sig" "${ETCD_PIDS[$i]}" 2>/dev/null
	wait "${ETCD_PIDS[$i]}" 2>/dev/null
	ETCD_PIDS[$i]=
}

etcd_member_start() {
	local i=$1
	etcd_spawn "$i" existing || return 1
	etcd_wait "$i" 30
}

# The endpoints of the members that run now.
etcd_live_endpoints() {
	local i s=
	for ((i = 0; i < ETCD_N; i++)); do
		[ -n "${ETCD_PIDS[$i]:-}" ] && s+="${s:+,}http://127.0.0.1:${ETCD_PORTS[$i]}"
	done
	echo "$s"
}

etcd_ctl() {
	ETCDCTL_API=3 etcdctl --endpoints="$(etcd_live_endpoints)" --dial-timeout=2s \
		--command-timeout=5s "$@"
}

etcd_leader() {
	local i
	for ((i = 0; i < ETCD_N; i++)); do
		[ -n "${ETCD_PIDS[$i]:-}" ] || continue
		if ETCDCTL_API=3 etcdctl --endpoints="http://127.0.0.1:${ETCD_PORTS[$i]}" \
			endpoint status -w json 2>/dev/null |
			jq -e '.[0].Status.leader == .[0].Status.header.member_id' >/dev/null; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

etcd_stop_all() {
	local i
	for ((i = 0; i < ETCD_N; i++)); do
		etcd_member_stop "$i" KILL
	done
}
