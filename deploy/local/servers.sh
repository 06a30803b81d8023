#!/usr/bin/env bash
# Local servers for development and tests: one Kafka broker (KRaft, broker+controller in one JVM)
# and one Redis, both on 127.0.0.1, state under .local/ (git-ignored). No Docker.
#
#   deploy/local/servers.sh start|stop|status [kafka] [redis]   (default: both)
#
# The script owns what it starts: a server is "ours" when the pid in our pid file is alive, is that
# server (Kafka with our config file, Redis answering with that process id) and uses our data
# directory. start is idempotent for our own servers and refuses (exit 3) when something else answers
# on the port, say a server another checkout started, perhaps from a folder deleted since: reusing it
# would run tests against state this checkout cannot see or control. start prints the names of the
# servers it launched on stdout (logs go to stderr), so a caller can stop exactly those afterwards.
# stop only stops the processes this script started (pid files in .local/).
# Environment: NEWSWATCH_KAFKA_PORT (9092; the controller listens on PORT+1), NEWSWATCH_REDIS_PORT
# (6379), NEWSWATCH_LOCAL_DIR (<repo>/.local), NEWSWATCH_PYTHON (python used for the readiness check).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="${NEWSWATCH_LOCAL_DIR:-$ROOT/.local}"
KAFKA_PORT="${NEWSWATCH_KAFKA_PORT:-9092}"
CONTROLLER_PORT=$((KAFKA_PORT + 1))
REDIS_PORT="${NEWSWATCH_REDIS_PORT:-6379}"
KAFKA_HOME="$LOCAL/kafka"
KAFKA_LIB="$KAFKA_HOME/lib"
KAFKA_DATA="$KAFKA_HOME/data-$KAFKA_PORT"
KAFKA_PID="$KAFKA_HOME/kafka-$KAFKA_PORT.pid"
KAFKA_LOG="$KAFKA_HOME/kafka-$KAFKA_PORT.log"
REDIS_HOME="$LOCAL/redis"
POM="$ROOT/deploy/local/kafka/pom.xml"
KAFKA_JVM=(-Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$KAFKA_HOME/log4j2.properties" -cp "$KAFKA_LIB/*")

log() { printf '[servers] %s\n' "$*" >&2; }

# Run one named step and say how long it took (startup time matters: tests call this every run).
step() {
  local name="$1" t0 ms rc=0
  shift
  t0=$(date +%s%N)
  "$@" || rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  log "$(printf '%-20s %4d.%03ds%s' "$name" $((ms / 1000)) $((ms % 1000)) "$([ $rc -eq 0 ] || echo " FAILED ($rc)")")"
  return $rc
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

pick_python() {
  local py
  for py in "${NEWSWATCH_PYTHON:-}" "$ROOT/.venv/bin/python" python3; do
    if [ -n "$py" ] && "$py" -c 'import kafka' 2>/dev/null; then
      echo "$py"
      return 0
    fi
  done
  return 1
}

apt_install() {
  # Debian's postinst scripts would start the packaged service with its own config; a policy-rc.d
  # that answers 101 tells them not to (Docker-style images already ship one).
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Another shell may be installing too: wait for dpkg's lock instead of failing.
  local apt=(apt-get -q -o DPkg::Lock::Timeout=300)
  "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null ||
    { "${apt[@]}" update >/dev/null && "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null; }
  [ $made_policy -eq 0 ] || rm -f /usr/sbin/policy-rc.d
}

# ---------------------------------------------------------------- packages

ensure_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  # Prometheus is only needed by the observability tests (they start it themselves).
  command -v prometheus >/dev/null || missing+=(prometheus)
  [ ${#missing[@]} -eq 0 ] || step "apt ${missing[*]}" apt_install "${missing[@]}"
}

# ---------------------------------------------------------------- kafka

fetch_kafka_jars() {
  # The stamp holds the pom's hash, so a version bump in the pom fetches again.
  local want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  [ "$(cat "$KAFKA_LIB/.stamp" 2>/dev/null)" = "$want" ] && return 0
  rm -rf "$KAFKA_LIB"
  # Maven prints colour resets even when quiet; keep only its real messages (errors), on stderr.
  mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIB" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' | { grep -v '^$' >&2 || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
  echo "$want" >"$KAFKA_LIB/.stamp"
}

write_kafka_config() {
  mkdir -p "$KAFKA_HOME"
  cat >"$KAFKA_HOME/server-$KAFKA_PORT.properties" <<EOF
# Written by deploy/local/servers.sh; edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA
# Tests create topics by producing to them.
auto.create.topics.enable=true
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
# One broker: internal topics cannot have more replicas than that, and need not have many partitions.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumer groups in tests must not wait 3 s for more members.
group.initial.rebalance.delay.ms=0
# Development data: keep little, for a short time.
log.retention.hours=6
log.retention.bytes=536870912
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
EOF
  cat >"$KAFKA_HOME/log4j2.properties" <<'EOF'
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.state.name=state.change.logger
logger.state.level=WARN
EOF
}


format_kafka_storage() {
  [ -f "$KAFKA_DATA/meta.properties" ] && return 0
  local cluster_id
  # A Kafka cluster id is 16 random bytes, base64url without padding.
  cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  java "${KAFKA_JVM[@]}" kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" \
    -c "$KAFKA_HOME/server-$KAFKA_PORT.properties" >>"$KAFKA_LOG" 2>&1
}

kafka_class_archive() {
  # Class-data sharing: the first broker run records the classes it loaded into an archive when it
  # exits (a clean stop); later starts map it instead of parsing ~5,000 classes from the jars.
  # The archive is tied to the jar set, hence the pom hash in its name.
  local jsa
  jsa="$KAFKA_HOME/classes-$(cut -c1-12 "$KAFKA_LIB/.stamp").jsa"
  if [ -s "$jsa" ]; then
    echo "-XX:SharedArchiveFile=$jsa"
  else
    echo "-XX:ArchiveClassesAtExit=$jsa"
  fi
}

launch_kafka() {
  KAFKA_LOG_START=$(stat -c %s "$KAFKA_LOG" 2>/dev/null || echo 0)
  # Its own session: the broker must outlive the shell (and the pytest session) that started it,
  # and not get the terminal's Ctrl-C. A background child is no group leader, so setsid execs in
  # place and $! is the JVM's pid. 9>&- : the broker must not inherit (and hold) our lock.
  setsid java "${KAFKA_JVM[@]}" "$(kafka_class_archive)" kafka.Kafka "$KAFKA_HOME/server-$KAFKA_PORT.properties" \
    >>"$KAFKA_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$KAFKA_PID"
}

kafka_answers() {
  # A metadata round trip, not just an open port: the broker accepts connections before it
  # has a controller and can serve requests.
  local py
  if py="$(pick_python)"; then
    "$py" - "127.0.0.1:$KAFKA_PORT" <<'EOF' 2>/dev/null
import sys
from kafka import KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=3000)
try:
    admin.describe_cluster()
finally:
    admin.close()
EOF
  else
    port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$KAFKA_LOG"
  fi
}

wait_kafka() {
  local deadline=$((SECONDS + ${NEWSWATCH_KAFKA_START_TIMEOUT:-90}))
  until port_open "$KAFKA_PORT"; do
    pid_alive "$KAFKA_PID" || { log "kafka exited; tail of $KAFKA_LOG:"; tail -n 30 "$KAFKA_LOG" >&2; return 1; }
    [ $SECONDS -lt $deadline ] || { log "kafka: port $KAFKA_PORT not open in time"; return 1; }
    sleep 0.2
  done
  # Cheap check first (no Python start-up per try): this run's part of the log says it started.
  until tail -c "+$((${KAFKA_LOG_START:-0} + 1))" "$KAFKA_LOG" | grep -q "Kafka Server started"; do
    pid_alive "$KAFKA_PID" || { log "kafka exited; tail of $KAFKA_LOG:"; tail -n 30 "$KAFKA_LOG" >&2; return 1; }
    [ $SECONDS -lt $deadline ] || { log "kafka: not started in time"; return 1; }
    sleep 0.2
  done
  until kafka_answers; do
    [ $SECONDS -lt $deadline ] || { log "kafka: no metadata answer in time"; return 1; }
    sleep 0.3
  done
}

# Our broker: the pid file's process is alive, runs our config file, and our data directory exists.
kafka_process_is_ours() {
  pid_alive "$KAFKA_PID" && [ -d "$KAFKA_DATA" ] &&
    tr '\0' ' ' <"/proc/$(cat "$KAFKA_PID")/cmdline" 2>/dev/null |
    grep -qF "$KAFKA_HOME/server-$KAFKA_PORT.properties"
}

start_kafka() {
  if kafka_process_is_ours; then
    # Ours, and maybe still starting (another shell launched it a moment ago): wait until it answers.
    # A broker up for a while answers at once; its log may have rolled past the "started" line.
    KAFKA_LOG_START=0
    kafka_answers || step "kafka ready" wait_kafka
    log "kafka already serving on 127.0.0.1:$KAFKA_PORT (ours: pid $(cat "$KAFKA_PID"))"
    return 0
  fi
  rm -f "$KAFKA_PID"
  if port_open "$KAFKA_PORT" || port_open "$CONTROLLER_PORT"; then
    foreign kafka "$KAFKA_PORT" "ports $KAFKA_PORT/$CONTROLLER_PORT" NEWSWATCH_KAFKA_PORT
    return 3
  fi
  command -v java >/dev/null || step "apt default-jre" apt_install default-jre-headless
  command -v mvn >/dev/null || step "apt maven" apt_install maven
  step "kafka jars" fetch_kafka_jars
  step "kafka config" write_kafka_config
  step "kafka format" format_kafka_storage
  step "kafka launch" launch_kafka
  step "kafka ready" wait_kafka
  log "kafka serving on 127.0.0.1:$KAFKA_PORT (pid $(cat "$KAFKA_PID"), log $KAFKA_LOG)"
  echo kafka
}

# ---------------------------------------------------------------- redis

write_redis_config() {
  mkdir -p "$REDIS_HOME"
  cat >"$REDIS_HOME/redis-$REDIS_PORT.conf" <<EOF
# Written by deploy/local/servers.sh; edits are overwritten on the next start.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $REDIS_HOME/redis-$REDIS_PORT.pid
logfile $REDIS_HOME/redis-$REDIS_PORT.log
dir $REDIS_HOME
dbfilename dump-$REDIS_PORT.rdb
appendonly yes
appendfilename appendonly-$REDIS_PORT.aof
appenddirname appendonly-$REDIS_PORT
appendfsync everysec
databases 64
EOF
}

REDIS_PIDFILE="$REDIS_HOME/redis-$REDIS_PORT.pid"

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@" 2>/dev/null; }

redis_answers() { [ "$(redis_cli ping)" = "PONG" ]; }

# The pid file's process is alive and is a redis-server on our port (guards against a reused pid).
redis_process_is_ours() {
  pid_alive "$REDIS_PIDFILE" && [ -d "$REDIS_HOME" ] &&
    tr '\0' ' ' <"/proc/$(cat "$REDIS_PIDFILE")/cmdline" 2>/dev/null | grep -q "redis-server.*:$REDIS_PORT"
}

# Our Redis: the server on the port reports the pid in our pid file and our directory, which exists.
# (A Redis whose folder was deleted still reports the old path; the pid file is gone with the folder.)
redis_is_ours() {
  local pid dir
  redis_process_is_ours || return 1
  pid="$(redis_cli info server | tr -d '\r' | sed -n 's/^process_id://p')"
  dir="$(redis_cli config get dir | sed -n 2p)"
  [ "$pid" = "$(cat "$REDIS_PIDFILE")" ] && [ "$dir" = "$(cd "$REDIS_HOME" && pwd -P)" ]
}

wait_redis() {
  local deadline=$((SECONDS + 20))
  until redis_answers; do
    [ $SECONDS -lt $deadline ] || { log "redis: no PONG in time"; tail -n 20 "$REDIS_HOME/redis-$REDIS_PORT.log" >&2; return 1; }
    sleep 0.1
  done
}

start_redis() {
  if redis_process_is_ours; then
    step "redis ready" wait_redis # ours, maybe still loading its append-only file
    if redis_is_ours; then
      log "redis already serving on 127.0.0.1:$REDIS_PORT (ours: pid $(cat "$REDIS_PIDFILE"))"
      return 0
    fi
  fi
  if port_open "$REDIS_PORT"; then
    foreign redis "$REDIS_PORT" "port $REDIS_PORT" NEWSWATCH_REDIS_PORT
    return 3
  fi
  rm -f "$REDIS_PIDFILE"
  step "redis config" write_redis_config
  step "redis launch" redis-server "$REDIS_HOME/redis-$REDIS_PORT.conf" 9>&- >&2
  step "redis ready" wait_redis
  log "redis serving on 127.0.0.1:$REDIS_PORT (pid $(cat "$REDIS_PIDFILE"))"
  echo redis
}

foreign() {
  local name="$1" port="$2" where="$3" var="$4"
  log "$name: something this checkout did not start is listening on 127.0.0.1 $where;"
  log "  not reusing it (its state may live in another checkout, even a deleted one)."
  log "  Stop it, or pick free ports for this checkout with $var=<port>."
}

# ---------------------------------------------------------------- stop / status

stop_pid() {
  local name="$1" pidfile="$2" pid i
  if ! pid_alive "$pidfile" || ! "${name}_process_is_ours"; then
    rm -f "$pidfile"
    log "$name: not running (from this checkout)"
    return 0
  fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after 30 s, killing"
    kill -KILL "$pid" || true
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

# "up" (ours and answering), "foreign" (someone else's on the port) or "down".
status() {
  local k=down r=down
  if kafka_process_is_ours && kafka_answers; then k=up; elif port_open "$KAFKA_PORT"; then k=foreign; fi
  if redis_answers && redis_is_ours; then r=up; elif port_open "$REDIS_PORT"; then r=foreign; fi
  echo "kafka 127.0.0.1:$KAFKA_PORT $k"
  echo "redis 127.0.0.1:$REDIS_PORT $r"
  [ $k = up ] && [ $r = up ]
}

usage() {
  echo "usage: $0 start|stop|status [kafka] [redis]" >&2
  return 2
}

main() {
  local cmd="${1:-}" kafka=0 redis=0 name
  shift || true
  for name in "$@"; do
    case "$name" in
      kafka) kafka=1 ;;
      redis) redis=1 ;;
      *) usage ;;
    esac
  done
  [ $# -gt 0 ] || { kafka=1; redis=1; }
  mkdir -p "$LOCAL"
  # Several shells (and test sessions) may call start at once: one at a time.
  exec 9>"$LOCAL/servers.lock"
  flock 9
  case "$cmd" in
    start)
      [ $redis = 0 ] || step "packages" ensure_packages
      [ $kafka = 0 ] || start_kafka
      [ $redis = 0 ] || start_redis
      ;;
    stop)
      [ $kafka = 0 ] || stop_pid kafka "$KAFKA_PID"
      [ $redis = 0 ] || stop_pid redis "$REDIS_PIDFILE"
      ;;
    status) status ;;
    *) usage ;;
  esac
}

main "$@"
