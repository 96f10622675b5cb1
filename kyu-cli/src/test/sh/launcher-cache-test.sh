#!/usr/bin/env bash
# Checks the launcher's start-up cache (docs/cli.md, "Start time") against a built kyu-cli/target/kyu.jar,
# on a copy of the launcher and jar in a temporary folder (nothing of the checkout is touched):
#   - runs that stop before the broker (--version, a usage error) leave no cache;
#   - the first one-shot run records, prints only its own output, and a cache appears beside the jar;
#   - a later run leaves the cache as it is;
#   - after the jar is rebuilt (newer than the cache) the next run records a fresh cache;
#   - a cache the JVM cannot use (garbage) changes nothing in a run's output or exit code;
#   - with kyu-cli/src/launcher/ClassFileUpgrade.java beside it, picocli's class files are upgraded once and
#     a cache is then recorded for the new class path.
# Needs JDK 24+ (the launcher picks the newest JDK 21+); with an older one the cache is off and it says so.
#   kyu-cli/src/test/sh/launcher-cache-test.sh
set -euo pipefail
checkout="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
jar="$checkout/kyu-cli/target/kyu.jar"
[ -f "$jar" ] || { echo "build the jar first: ./kyu --version" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/kyu-cli/target"
cp "$checkout/kyu" "$tmp/kyu"
mkdir -p "$tmp/.mvn" && cp "$checkout/.mvn/find-jdk.sh" "$tmp/.mvn/" # the launcher's JDK search
cp "$jar" "$tmp/kyu-cli/target/kyu.jar"
export KYU_BROKER="sqlite:$tmp/jobs.db"
unset JAVA_OPTS KYU_CLASSPATH KYU_AOT
aot="$tmp/kyu-cli/target/aot"
fail() { echo "FAIL: $*" >&2; exit 1; }

# One enqueue: exit 0, stdout exactly {"id": "…"}, stderr empty.
enqueue() {
  "$tmp/kyu" enqueue kyu.noop --json > "$tmp/out" 2> "$tmp/err" || fail "$1: exit $? ($(cat "$tmp/err"))"
  [ ! -s "$tmp/err" ] || fail "$1: stderr not empty: $(cat "$tmp/err")"
  tr -d ' \n' < "$tmp/out" | grep -Eq '^\{"id":"[0-9a-f-]{36}"\}$' || fail "$1: stdout is not one id: $(cat "$tmp/out")"
}
await_cache() {
  for _ in $(seq 1 600); do
    compgen -G "$aot/*.lock" >/dev/null || break
    sleep 0.1
  done
  compgen -G "$aot/*.lock" >/dev/null && fail "the cache was not built within a minute"
  compgen -G "$aot/kyu-sqlite-*.aot" >/dev/null || fail "no cache in $aot after $1"
  ls "$aot"/kyu-sqlite-*.aot
}

# Runs that never reach the broker (--version, a usage error) leave no cache: it would lack the engine.
"$tmp/kyu" --version > /dev/null
if "$tmp/kyu" enqueue kyu.noop --count 0 > /dev/null 2>&1; then fail "--count 0 was accepted"; fi
for _ in $(seq 1 600); do compgen -G "$aot/*.lock" >/dev/null || break; sleep 0.1; done
compgen -G "$aot/kyu-*.aot" >/dev/null && fail "a run that stopped before the broker left a cache: $(ls "$aot")"
compgen -G "$aot/*.conf" >/dev/null && fail "a run's record was left behind: $(ls "$aot")"
echo "ok: --version and a usage error left no cache"

enqueue "first run"
if [ ! -d "$aot" ] || ! compgen -G "$aot/kyu-sqlite-*" >/dev/null; then
  echo "no cache recorded: the JDK the launcher found is older than 24; nothing more to check"
  exit 0
fi
cache="$(await_cache "the first run")"
echo "ok: the first run recorded $cache"

before="$(stat -c %Y.%s "$cache")"
enqueue "second run"
[ "$(stat -c %Y.%s "$cache")" = "$before" ] || fail "the second run rewrote the cache"
compgen -G "$aot/*.conf" >/dev/null && fail "the second run recorded again"
echo "ok: the second run used the cache as it was"

touch -d '+2 seconds' "$tmp/kyu-cli/target/kyu.jar" # as a rebuild does: the jar is newer than the cache
enqueue "run after a rebuild"
cache="$(await_cache "the run after a rebuild")"
[ ! "$tmp/kyu-cli/target/kyu.jar" -nt "$cache" ] || fail "the cache was not rebuilt after the jar changed"
echo "ok: the run after a rebuild recorded a fresh cache"

head -c 4096 /dev/urandom > "$cache"
touch -d '+4 seconds' "$cache"
enqueue "run with a garbage cache"
echo "ok: a garbage cache changed nothing in the run"

# With the class-file upgrade's source beside the launcher (as in a checkout): the next run has it make
# aot/upgraded-classes.jar and records nothing (the class path is about to change), the one after records
# a cache for the new class path, and the runs after use it.
mkdir -p "$tmp/kyu-cli/src/launcher"
cp "$checkout/kyu-cli/src/launcher/ClassFileUpgrade.java" "$tmp/kyu-cli/src/launcher/"
old_caches="$(ls "$aot"/kyu-sqlite-*.aot)"
enqueue "run that upgrades the class files"
for _ in $(seq 1 600); do compgen -G "$aot/*.lock" >/dev/null || break; sleep 0.1; done
[ -s "$aot/upgraded-classes.jar" ] || fail "no upgraded class files in $aot ($(ls "$aot"))"
[ "$(ls "$aot"/kyu-sqlite-*.aot)" = "$old_caches" ] || fail "the run that upgraded the class files recorded a cache"
unzip -l "$aot/upgraded-classes.jar" | grep -q 'picocli/CommandLine.class' || fail "picocli is not among the upgraded classes"
enqueue "first run with the upgraded class files"
await_cache "the first run with the upgraded class files" > /dev/null
[ "$(ls "$aot"/kyu-sqlite-*.aot | wc -l)" = 2 ] || fail "no cache recorded for the new class path: $(ls "$aot")"
enqueue "run with the upgraded class files and their cache"
echo "ok: the class files were upgraded once, then a cache recorded for them and used"

n="$("$tmp/kyu" inspect queues --json | tr -d ' \n' | grep -o '"QUEUED":[0-9]*' | cut -d: -f2)"
[ "$n" = 7 ] || fail "expected 7 queued jobs, found $n"
echo "ok: all 7 jobs stored"
echo "PASS"
