#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, no ZooKeeper) for tests and local runs.
#
#   scripts/kafka.sh fetch                      resolve the broker jars from Maven Central (cached)
#   scripts/kafka.sh run DIR PORT CONTROLLER    format DIR if new, run the broker in the foreground
#   scripts/kafka.sh start [DIR] [PORT]         run it in the background (default .kafka-data, 9092)
#   scripts/kafka.sh stop [DIR]                 stop the background broker
#
# The jars live outside the repository, in $TOLLGATE_KAFKA_CACHE (default ~/.cache/tollgate-kafka).
# Version: 4.1.1. kafkajs 2.2.4 negotiates API versions that Kafka 4.x still serves (KIP-896 kept
# the baseline of the clients it surveyed); the Kafka tests prove it on every run.
set -euo pipefail

KAFKA_VERSION="${TOLLGATE_KAFKA_VERSION:-4.1.1}"
CACHE="${TOLLGATE_KAFKA_CACHE:-$HOME/.cache/tollgate-kafka}"
LIBS="$CACHE/$KAFKA_VERSION/libs"

fetch() {
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  mkdir -p "$CACHE"
  # Test files starting brokers at once on an empty cache: one resolves, the others wait for it.
  exec 9>"$CACHE/.lock"
  flock 9
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { echo "kafka.sh: mvn is required to resolve the broker jars" >&2; exit 1; }
  local work="$CACHE/$KAFKA_VERSION/pom"
  mkdir -p "$work" "$LIBS"
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.tollgate</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

write_config() { # DIR PORT CONTROLLER_PORT
  local dir="$1" port="$2" cport="$3"
  mkdir -p "$dir/logs"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/logs
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
}

# Small heap and C1 only: a test broker should start fast, not peak.
JAVA=(java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j2.level=WARN -cp "$LIBS/*")

run() { # DIR PORT CONTROLLER_PORT
  local dir="$1" port="$2" cport="$3"
  command -v java >/dev/null || { echo "kafka.sh: java (17+) is required" >&2; exit 1; }
  fetch
  write_config "$dir" "$port" "$cport"
  if [ ! -f "$dir/logs/meta.properties" ]; then
    local id
    id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    "${JAVA[@]}" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; exit 1; }
  fi
  if [ -n "${TOLLGATE_KAFKA_PARENT_PID:-}" ]; then
    # Tests: the broker dies with the process that started it, even when that one is killed and
    # cannot stop it. $$ is this shell, which becomes the broker at `exec` below.
    ( while kill -0 "$TOLLGATE_KAFKA_PARENT_PID" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done
      kill -KILL $$ 2>/dev/null ) &
  fi
  exec "${JAVA[@]}" kafka.Kafka "$dir/server.properties"
}

case "${1:-}" in
  fetch) fetch; echo "$LIBS" ;;
  run) shift; run "$@" ;;
  start)
    dir="$(realpath -m "${2:-.kafka-data}")"; port="${3:-9092}"
    mkdir -p "$dir"
    nohup bash "$0" run "$dir" "$port" "$((port + 1))" >"$dir/broker.out" 2>&1 &
    echo $! >"$dir/broker.pid"
    for _ in $(seq 1 120); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "kafka on 127.0.0.1:$port"; exit 0; fi
      kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null || { cat "$dir/broker.out" >&2; exit 1; }
      sleep 0.5
    done
    echo "kafka.sh: broker did not listen within 60 s" >&2; exit 1 ;;
  stop)
    dir="$(realpath -m "${2:-.kafka-data}")"
    if [ -f "$dir/broker.pid" ]; then kill "$(cat "$dir/broker.pid")" 2>/dev/null || true; rm -f "$dir/broker.pid"; fi ;;
  *) echo "usage: $0 fetch | run DIR PORT CONTROLLER_PORT | start [DIR] [PORT] | stop [DIR]" >&2; exit 2 ;;
esac
