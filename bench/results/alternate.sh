# Sourced by the before/after scripts in bench/results/*/ (one way to alternate two builds on a shared machine):
# every run is a fresh JVM with the launcher's flags (the calling folder's flags.txt), old and new alternating in
# one session, each run headed by its pair, build, label and the load average at its start.
#   OLD, NEW                  the two built worktrees (the calling script sets them; the environment may override)
#   compile_helper SRC TAG    compile a helper against each build's benchmarks.jar into /tmp/TAG-old, /tmp/TAG-new
#   alternate PAIRS LABEL CMD [ARGS]
#                             PAIRS x (old, new): set the build's $which, $jar (bench/target/benchmarks.jar),
#                             $ipam_jar (tools/target/ipam.jar) and $cp (the helper's classes and $jar), then run
#                             CMD ARGS (a function of the calling script)
#   run_java ARGS             java with the flags and ARGS, SLF4J's warnings left out
set -euo pipefail
FLAGS=$(cat "$HERE/flags.txt")
TAG=none

build()
{
  which=$1
  local root=$OLD
  [ "$which" = new ] && root=$NEW
  jar=$root/bench/target/benchmarks.jar
  ipam_jar=$root/tools/target/ipam.jar
  cp=/tmp/$TAG-$which:$jar
}

compile_helper()
{
  TAG=$2
  for v in old new; do
    build "$v"
    mkdir -p "/tmp/$TAG-$v" && javac -nowarn -cp "$jar" -d "/tmp/$TAG-$v" "$1"
  done
}

run_java()
{
  # shellcheck disable=SC2086
  java $FLAGS "$@" 2>&1 | grep -v SLF4J
}

alternate()
{
  local pairs=$1 label=$2
  shift 2
  for pair in $(seq 1 "$pairs"); do
    for v in old new; do
      build "$v"
      echo "=== pair $pair $v${label:+ $label} loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
      "$@"
    done
  done
}
