#!/usr/bin/env bash
# The README's test command. On a fresh Debian machine (as root) it installs what is missing (Chromium for the
# end-to-end tests, the PostgreSQL server), starts a throw-away PostgreSQL cluster (data under TestResults, its own
# port, stopped at the end), runs every test on SQLite and PostgreSQL, and prints one line: "N passed, N failed".
# Without root or apt it still runs: the PostgreSQL variants are then skipped and say how to enable them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

results="$root/TestResults/ci"
pgdir="$root/TestResults/postgres"
pgport="${ORGCONSOLE_TEST_POSTGRES_PORT:-55439}"

apt_install() {
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "test.sh: cannot install $* (needs root and apt-get)" >&2
    fi
}

# The end-to-end tests drive Debian's Chromium (Playwright's own browser download is not used).
if [[ ! -x /usr/bin/chromium ]]; then apt_install chromium; fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [[ -z "${ORGCONSOLE_TEST_POSTGRES:-}" ]]; then
    if [[ -z "$(pg_bin)" ]]; then apt_install postgresql; fi
    bin="$(pg_bin)"
    if [[ -n "$bin" ]]; then
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres system user (or to us when not root).
        as_pg=()
        if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi
        rm -rf "$pgdir"
        mkdir -p "$pgdir"
        if [[ $(id -u) -eq 0 ]]; then
            chown postgres "$pgdir"
            chmod 755 "$root/TestResults"
            # A checkout the postgres user cannot reach (e.g. under /root): keep the cluster in /tmp instead.
            if ! runuser -u postgres -- test -w "$pgdir"; then
                pgdir="$(mktemp -d /tmp/orgconsole-postgres.XXXXXX)"
                chown postgres "$pgdir"
            fi
        fi
        "${as_pg[@]}" "$bin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log"
        "${as_pg[@]}" "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
            -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
        trap '"${as_pg[@]}" "$bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
        export ORGCONSOLE_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=postgres"
    else
        echo "test.sh: no PostgreSQL server; the PostgreSQL tests will be skipped" >&2
    fi
fi

rm -rf "$results"
mkdir -p "$results"

# Two runs, one per provider: EF Core's compiled queries bind to the model of the provider they first ran on, and an app
# process serves one provider, so the PostgreSQL variants get a test process of their own.
status=0
dotnet test OrgConsole.sln --blame-hang-timeout 5m --filter "FullyQualifiedName!~OrgConsole.Tests.Postgres." \
    --logger "trx;LogFileName=sqlite.trx" --results-directory "$results" || status=$?
if [[ -n "${ORGCONSOLE_TEST_POSTGRES:-}" ]]; then
    dotnet test OrgConsole.sln --no-build --blame-hang-timeout 5m --filter "FullyQualifiedName~OrgConsole.Tests.Postgres." \
        --logger "trx;LogFileName=postgres.trx" --results-directory "$results" || status=$?
fi

passed=0
failed=0
while IFS= read -r -d '' trx; do
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)"
    p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
done < <(find "$results" -name '*.trx' -print0)

echo "${passed} passed, ${failed} failed"

if [[ $status -ne 0 ]]; then
    echo "dotnet test exited with $status" >&2
    exit "$status"
fi
if [[ $failed -gt 0 ]]; then
    exit 1
fi
if [[ $((passed + failed)) -eq 0 ]]; then
    echo "no test ran" >&2
    exit 1
fi
