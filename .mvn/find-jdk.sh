# Finds a JDK 21 or newer on this machine. Sourced (POSIX sh) by ./mvnw, whose Maven must run on one (the
# formatter parses Java 21 sources with the JDK Maven runs on), and by the ./kyu launcher, which runs Kyu
# on one. Defines functions only:
#   java_major JAVA  the major version of a java binary (8 for 1.8.x), or 0 when it does not run
#   find_java        prints the java of the first JDK 21+ among $JAVA_HOME, java on the PATH, then the newest
#                    under /usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman/candidates/java, ~/.jdks; fails if none

java_major() {
  local v="" line home
  # Read from the JDK's `release` file when there is one, with shell builtins: starting `java -version` for
  # every candidate JDK cost more than the command itself (start time, docs/cli.md).
  home="$(readlink -f "$(command -v "$1")" 2>/dev/null)" || true
  home="${home%/bin/java}"
  if [ -n "$home" ] && [ -r "$home/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) v="${line#JAVA_VERSION=\"}"; v="${v%%\"*}"; break ;; esac
    done < "$home/release"
  fi
  [ -z "$v" ] && v="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)" || true
  [ -z "$v" ] && { echo 0; return; }
  case "$v" in 1.*) v="${v#1.}" ;; esac
  v="${v%%[!0-9]*}"
  echo "${v:-0}"
}

find_java() {
  local candidate major best="" best_major=0 noglob=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]; then
    echo "$JAVA_HOME/bin/java"; return
  fi
  if command -v java >/dev/null 2>&1 && [ "$(java_major java)" -ge 21 ]; then
    command -v java; return
  fi
  # The search needs globbing, which mvnw turns off (set -f): on for the loop, then as it was.
  case $- in *f*) noglob=1; set +f ;; esac
  for candidate in /usr/lib/jvm/*/bin/java /usr/java/*/bin/java /opt/java/*/bin/java \
                   "${HOME:-/nonexistent}"/.sdkman/candidates/java/*/bin/java "${HOME:-/nonexistent}"/.jdks/*/bin/java; do
    [ -x "$candidate" ] || continue
    major="$(java_major "$candidate")"
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$candidate"; best_major="$major"; fi
  done
  if [ "$noglob" = 1 ]; then set -f; fi
  [ -n "$best" ] && echo "$best"
}
