#!/usr/bin/env bash
# The replay figures of issue 12 in one go, on the same data, one after the other:
#   1. bin/ordo backtest                        (the synchronous bound)
#   2. bin/ordo run --speed max --exit-at-end   (the actor engine with its H2 journal)
#   3. the same run again on the finished --data-dir (restart: recovery only, nothing left to replay)
# and prints wall seconds, the ratio run/backtest, peak RSS (/usr/bin/time -v), journal bytes and
# bytes per bar, and checks that both reports hold the same trades.
#
#   bench/replay.sh [DATA_FOLDER]        (default ../shared/data/nse_equity_5min)
#   ORDO_JAVA_OPTS=... bench/replay.sh   JVM options for every run (e.g. -Xmx2g)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/nse_equity_5min}
[ -d "$DATA" ] || { echo "bench/replay.sh: no data folder $DATA" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

bin/ordo --version >/dev/null # builds app/target/ordo.jar when the sources changed, outside the timings

# measure NAME COMMAND...: runs it under /usr/bin/time -v; sets WALL (s) and RSS (MB)
measure() {
  local name=$1
  shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.log" 2>&1 || { tail -5 "$WORK/$name.log" >&2; exit 1; }
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$WORK/$name.time")
  RSS=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/$name.time")
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) RAM"
echo "java:    $(java -version 2>&1 | head -1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before the runs"
echo "data:    $DATA"

measure backtest bin/ordo backtest --data "$DATA" --report "$WORK/backtest.json"
BT_WALL=$WALL BT_RSS=$RSS
measure run bin/ordo run --data "$DATA" --speed max --exit-at-end --data-dir "$WORK/d" --http-port 0 --report "$WORK/run.json"
RUN_WALL=$WALL RUN_RSS=$RSS
JOURNAL=$(stat -c %s "$WORK/d/journal.mv.db")
BARS=$(sed -nE 's/.*replay finished: .*, ([0-9]+) bars.*/\1/p' "$WORK/run.log" | tail -1)
measure restart bin/ordo run --data "$DATA" --speed max --exit-at-end --data-dir "$WORK/d" --http-port 0
RESTART_WALL=$WALL RESTART_RSS=$RSS
RESTART_BARS=$(sed -nE 's/.*replay finished: .*, ([0-9]+) bars.*/\1/p' "$WORK/restart.log" | tail -1)

python3 .ci/check_report.py same "$WORK/backtest.json" "$WORK/run.json" >/dev/null \
  && SAME="same trades as the backtester" || SAME="TRADES DIFFER from the backtester"
echo
printf '%-34s %9s %9s %s\n' "" "wall s" "RSS MB" ""
printf '%-34s %9.2f %9d %s\n' "bin/ordo backtest" "$BT_WALL" "$BT_RSS" "$(tail -1 "$WORK/backtest.log")"
printf '%-34s %9.2f %9d %s\n' "bin/ordo run --speed max" "$RUN_WALL" "$RUN_RSS" "$SAME"
printf '%-34s %9.2f %9d %s\n' "restart on the finished data dir" "$RESTART_WALL" "$RESTART_RSS" "${RESTART_BARS:-?} bars replayed again"
echo
awk -v r="$RUN_WALL" -v b="$BT_WALL" 'BEGIN {printf "replay wall / backtest wall: %.1fx\n", r / b}'
awk -v j="$JOURNAL" -v n="$BARS" 'BEGIN {printf "journal: %d bytes (%.1f MB) for %d bars: %.1f bytes per bar\n", j, j / 1048576, n, j / n}'
