#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) without Docker or the release tarball.
# Jars come from Maven Central through infra/kafka/pom.xml into <repo>/.local/kafka/libs; everything the broker writes
# lives in KAFKA_STATE_DIR (default <repo>/.local/kafka).
#
#   infra/kafka/kafka.sh fetch    download the jars (only when missing, incomplete or pom.xml changed)
#   infra/kafka/kafka.sh start    start the broker (or reuse one answering on KAFKA_PORT); prints KAFKA_BROKERS=host:port
#   infra/kafka/kafka.sh stop     stop the broker this script started on KAFKA_PORT (no error if none)
#   infra/kafka/kafka.sh status   exit 0 if a Kafka broker answers on KAFKA_PORT
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP_OPTS (-Xmx1g),
#              KAFKA_START_TIMEOUT seconds (60), KAFKA_STATE_DIR (.local/kafka: data, logs, pid file),
#              JAVA_HOME (else `java` from PATH).
#              KAFKA_SASL_MECHANISM=scram-sha-256|scram-sha-512 with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (the
#              apps' own variables): the client listener is SASL_PLAINTEXT and takes only that user, whose SCRAM
#              credentials are written when the storage is formatted (a broker's first start; later starts keep them).
# Only the KAFKA_BROKERS=... line goes to stdout; progress and errors go to stderr.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1g}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"
NODE_ID=1

POM="$SCRIPT_DIR/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/log4j2.xml"
# The jars are shared; a broker's own files live in KAFKA_STATE_DIR (the bench runs a second broker beside this one).
KAFKA_HOME_DIR="$ROOT/.local/kafka"
STATE_DIR="${KAFKA_STATE_DIR:-$KAFKA_HOME_DIR}"
[[ "$STATE_DIR" == /* ]] || STATE_DIR="$ROOT/$STATE_DIR"
LIBS_DIR="$KAFKA_HOME_DIR/libs"
LIBS_MARKER="$LIBS_DIR/.fetch-complete"
DATA_DIR="$STATE_DIR/data"
PROPS="$STATE_DIR/server.properties"
CLUSTER_ID_FILE="$STATE_DIR/cluster-id"
PID_FILE="$STATE_DIR/kafka.pid"
STDOUT_LOG="$STATE_DIR/stdout.log"
SERVER_LOG="$STATE_DIR/server.log"
LOCK_FILE="$STATE_DIR/.lock"

if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

SASL_MECHANISM="${KAFKA_SASL_MECHANISM:-}"
SASL_USERNAME="${KAFKA_SASL_USERNAME:-}"
SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-}"
CLIENT_LISTENER=PLAINTEXT
if [[ -n "$SASL_MECHANISM" ]]; then
  CLIENT_LISTENER=SASL_PLAINTEXT
  SCRAM_MECHANISM="${SASL_MECHANISM^^}" # SCRAM-SHA-256 or SCRAM-SHA-512, as Kafka names them
fi

log() { printf 'kafka: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

check_sasl_settings() {
  [[ -n "$SASL_MECHANISM" ]] || return 0
  [[ "$SASL_MECHANISM" == scram-sha-256 || "$SASL_MECHANISM" == scram-sha-512 ]] ||
    die "KAFKA_SASL_MECHANISM=$SASL_MECHANISM: the local broker takes scram-sha-256 or scram-sha-512"
  # They are written into the JAAS line and the --add-scram argument, which have no quoting of their own.
  [[ "$SASL_USERNAME" =~ ^[A-Za-z0-9._-]+$ && "$SASL_PASSWORD" =~ ^[A-Za-z0-9._~-]+$ ]] ||
    die "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set, of letters, digits and . _ - (password also ~)"
}

# Serialise fetch/start/stop so two concurrent callers (e.g. parallel test tasks) cannot both start a broker.
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "timed out waiting for $LOCK_FILE"
}

port_open() { # TCP connect only
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$KAFKA_HOST" "$1" 2>/dev/null
}

# A real Kafka request over /dev/tcp (no JVM): Metadata v4 for zero topics. Succeeds when the broker answers with
# our correlation id and at least one live broker, i.e. request processing is enabled and the node is registered.
metadata_ok() {
  local hex
  hex="$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    # size=30 | api_key=3 (Metadata) | api_version=4 | correlation_id=42 | client_id="afternoon-probe" | topics=[] | allow_auto_create=false
    printf "\x00\x00\x00\x1e\x00\x03\x00\x04\x00\x00\x00\x2a\x00\x0fafternoon-probe\x00\x00\x00\x00\x00" >&3
    size=$(dd bs=4 count=1 iflag=fullblock <&3 2>/dev/null | od -An -tu1 | awk "NF==4 {print \$1*16777216 + \$2*65536 + \$3*256 + \$4}")
    [[ -n "$size" && "$size" -gt 12 && "$size" -lt 1048576 ]] || exit 1
    dd bs="$size" count=1 iflag=fullblock <&3 2>/dev/null | od -An -v -tx1
  ' _ "$KAFKA_HOST" "$KAFKA_PORT" 2>/dev/null)" || return 1
  hex="${hex//[$' \n']/}"
  # response: correlation_id(4) throttle_time_ms(4) brokers.count(4) ...
  [[ ${#hex} -ge 24 && "${hex:0:8}" == 0000002a ]] || return 1
  (( 16#${hex:16:8} >= 1 ))
}

# A SASL listener refuses the unauthenticated probe above; there, a started broker is one whose log says so.
broker_answers() { # [byte offset of server.log before this start]
  port_open "$KAFKA_PORT" || return 1
  if [[ "$CLIENT_LISTENER" == PLAINTEXT ]]; then metadata_ok; else started_since "${1:-0}"; fi
}

started_since() { # byte offset
  [[ -f "$SERVER_LOG" ]] && tail -c +$(($1 + 1)) "$SERVER_LOG" | grep -q 'Kafka Server started'
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

# The marker holds the pom.xml hash on its first line and the fetched jar names after it: the libs are complete
# when the pom is unchanged and every listed jar is still there.
libs_complete() {
  [[ -f "$LIBS_MARKER" ]] || return 1
  local first=1 jars=0 line
  while IFS= read -r line; do
    if ((first)); then
      [[ "$line" == "$(pom_hash)" ]] || return 1
      first=0
    else
      [[ -s "$LIBS_DIR/$line" ]] || return 1
      jars=$((jars + 1))
    fi
  done <"$LIBS_MARKER"
  ((jars > 0)) && compgen -G "$LIBS_DIR/kafka_2.13-*.jar" >/dev/null
}

do_fetch() {
  if libs_complete; then
    log "jars present in ${LIBS_DIR#"$ROOT"/}"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found on PATH (Maven is needed to fetch the Kafka jars)"
  mkdir -p "$KAFKA_HOME_DIR"
  local tmp="$KAFKA_HOME_DIR/libs.tmp.$$" fetch_log="$KAFKA_HOME_DIR/fetch.log" started=$SECONDS
  rm -rf "$tmp"
  log "fetching Kafka jars with Maven (pom: ${POM#"$ROOT"/}) ..."
  if ! (cd "$SCRIPT_DIR" && mvn -B -q -f "$POM" \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp") >"$fetch_log" 2>&1; then
    tail -n 40 "$fetch_log" >&2 || true
    rm -rf "$tmp"
    die "Maven fetch failed (full output: $fetch_log)"
  fi
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || { rm -rf "$tmp"; die "Maven finished but kafka_2.13 jar is missing in $tmp"; }
  { pom_hash; (cd "$tmp" && ls -1 -- *.jar); } >"$tmp/.fetch-complete"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - started))s"
}

run_java_tool() { # class args...
  "$JAVA" -Xmx256m -cp "$LIBS_DIR/*" \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$STATE_DIR" "$@"
}

write_properties() {
  cat >"$PROPS" <<EOF
# Written by infra/kafka/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$NODE_ID@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=$CLIENT_LISTENER://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=$CLIENT_LISTENER://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=$CLIENT_LISTENER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,$CLIENT_LISTENER:$CLIENT_LISTENER
log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
# One node: every internal topic must be creatable with a single replica, or consumer groups and
# transactions never get a coordinator (kafkajs loops on "group coordinator not available").
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  [[ "$CLIENT_LISTENER" == SASL_PLAINTEXT ]] || return 0
  cat >>"$PROPS" <<EOF
# SCRAM on the client listener; the broker reaches itself over it as the same user.
sasl.enabled.mechanisms=$SCRAM_MECHANISM
sasl.mechanism.inter.broker.protocol=$SCRAM_MECHANISM
listener.name.sasl_plaintext.${SASL_MECHANISM}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SASL_USERNAME" password="$SASL_PASSWORD";
EOF
}

ensure_cluster_id() {
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    return 0
  fi
  # Already formatted data but the id file was lost: keep the data's id rather than minting a mismatching one.
  if [[ -f "$DATA_DIR/meta.properties" ]] && grep -q '^cluster.id=' "$DATA_DIR/meta.properties"; then
    sed -n 's/^cluster.id=//p' "$DATA_DIR/meta.properties" | head -n1 >"$CLUSTER_ID_FILE"
    return 0
  fi
  local id
  id="$(run_java_tool kafka.tools.StorageTool random-uuid | tr -d '[:space:]')"
  [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid returned an unexpected value: '$id'"
  printf '%s\n' "$id" >"$CLUSTER_ID_FILE"
  log "new cluster id $id"
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0 # formatted on an earlier start: reuse the data
  fi
  local out scram=()
  [[ -n "$SASL_MECHANISM" ]] && scram=(--add-scram "$SCRAM_MECHANISM=[name=$SASL_USERNAME,password=$SASL_PASSWORD]")
  if ! out="$(run_java_tool kafka.tools.StorageTool format -t "$(cat "$CLUSTER_ID_FILE")" -c "$PROPS" --ignore-formatted "${scram[@]}" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "StorageTool format failed"
  fi
  log "formatted ${DATA_DIR#"$ROOT"/}"
}

# pid from the pid file if that process is still the broker this script started, else empty.
our_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 0
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $PROPS"; then
    printf '%s\n' "$pid"
  fi
}

show_log_tails() {
  local f
  for f in "$STDOUT_LOG" "$SERVER_LOG"; do
    [[ -s "$f" ]] || continue
    log "---- last lines of $f ----"
    tail -n 40 "$f" >&2 || true
  done
}

# The port this checkout's broker was started on, from the properties it was started with.
recorded_port() {
  sed -n 's/^advertised.listeners=[A-Z_]*:\/\/[^:]*:\([0-9]*\).*/\1/p' "$PROPS" 2>/dev/null || true
}

stop_pid() { # pid
  local pid="$1" deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "broker (pid $pid) still running after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

print_brokers() { printf 'KAFKA_BROKERS=%s:%s\n' "$KAFKA_HOST" "$KAFKA_PORT"; }

do_start() {
  check_sasl_settings
  take_lock
  local started=$SECONDS pid log_mark

  if port_open "$KAFKA_PORT"; then
    # Something listens already: reuse it if it speaks Kafka (give a broker that is still starting time to finish).
    local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    # (A SASL listener cannot be probed without credentials: what answers there is taken as it is.)
    until [[ "$CLIENT_LISTENER" != PLAINTEXT ]] || metadata_ok; do
      ((SECONDS < deadline)) || die "port $KAFKA_PORT is taken but does not answer Kafka metadata requests"
      sleep 0.5
    done
    log "reusing the Kafka broker already answering on $KAFKA_HOST:$KAFKA_PORT"
    print_brokers
    return 0
  fi

  pid="$(our_pid)"
  if [[ -n "$pid" ]]; then
    local running_port
    running_port="$(recorded_port)"
    if [[ -n "$running_port" && "$running_port" != "$KAFKA_PORT" ]]; then
      die "this checkout's broker (pid $pid) already runs on port $running_port with ${DATA_DIR#"$ROOT"/}; stop it first or use KAFKA_PORT=$running_port"
    fi
    log "broker pid $pid is running but not answering on $KAFKA_PORT; stopping it before a fresh start"
    stop_pid "$pid"
  fi
  rm -f "$PID_FILE"

  do_fetch
  "$JAVA" -version >/dev/null 2>&1 || die "cannot run $JAVA (set JAVA_HOME or put Java 17+ on PATH)"
  port_open "$KAFKA_CONTROLLER_PORT" && die "controller port $KAFKA_CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"

  mkdir -p "$DATA_DIR"
  write_properties
  ensure_cluster_id
  format_storage

  log "starting broker on $KAFKA_HOST:$KAFKA_PORT ($CLIENT_LISTENER; controller $KAFKA_CONTROLLER_PORT) ..."
  log_mark="$(wc -c <"$SERVER_LOG" 2>/dev/null || echo 0)"
  {
    printf '\n==== %s start ====\n' "$(date -Is)"
  } >>"$STDOUT_LOG"
  # The inner shell records its own pid and then execs java, so the pid file holds the JVM's pid whether or not
  # setsid had to fork. setsid + nohup detach the broker from this shell's session and terminal. `9>&-` keeps the
  # start/stop lock from being inherited (and held for ever) by the JVM.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is deliberately word-split
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    "$JAVA" $KAFKA_HEAP_OPTS -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -cp "$LIBS_DIR/*" \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$STATE_DIR" \
    kafka.Kafka "$PROPS" \
    >>"$STDOUT_LOG" 2>&1 </dev/null 9>&- &

  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while :; do
    if broker_answers "$log_mark"; then
      break
    fi
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      show_log_tails
      rm -f "$PID_FILE"
      die "broker exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tails
      [[ -n "$pid" ]] && stop_pid "$pid"
      rm -f "$PID_FILE"
      die "broker did not answer on $KAFKA_HOST:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  log "broker ready (pid $(cat "$PID_FILE")) in $((SECONDS - started))s; data in ${DATA_DIR#"$ROOT"/}"
  print_brokers
}

do_stop() {
  take_lock
  local pid
  pid="$(our_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    if port_open "$KAFKA_PORT"; then
      log "not stopping: the broker on port $KAFKA_PORT was not started by this script (no live pid in ${PID_FILE#"$ROOT"/})"
    else
      log "not running"
    fi
    return 0
  fi
  # Started on another port, it is not the broker this caller started (`npm start` whose own start was refused).
  local running_port
  running_port="$(recorded_port)"
  if [[ -n "$running_port" && "$running_port" != "$KAFKA_PORT" ]]; then
    log "not stopping: this checkout's broker (pid $pid) runs on port $running_port, not $KAFKA_PORT; stop it with KAFKA_PORT=$running_port"
    return 0
  fi
  log "stopping broker (pid $pid) ..."
  local started=$SECONDS
  stop_pid "$pid"
  rm -f "$PID_FILE"
  log "stopped in $((SECONDS - started))s"
}

do_status() {
  if broker_answers; then
    local pid
    pid="$(our_pid)"
    log "answering on $KAFKA_HOST:$KAFKA_PORT${pid:+ (pid $pid, started by this script)}"
    print_brokers
    return 0
  fi
  log "not answering on $KAFKA_HOST:$KAFKA_PORT"
  return 1
}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  fetch) take_lock; do_fetch ;;
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) usage ;;
esac
