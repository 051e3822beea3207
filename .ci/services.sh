# Sourced by .ci/run: installs and starts what the storage tests need.
#  - PostgreSQL on 127.0.0.1:${TFBLEND_PG_PORT:-55432} in a throwaway cluster, exported as TFBLEND_PG_URL
#  - Debian's python3-optuna, used by the Optuna interoperability tests (TFBLEND_PYTHON)
# Every step is idempotent; a machine that already has the packages skips apt.

need_pkgs=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
/usr/bin/python3 -c 'import optuna' >/dev/null 2>&1 || need_pkgs+=(python3-optuna)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "ci: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_port=${TFBLEND_PG_PORT:-55432}
pg_dir=$(mktemp -d /tmp/tfblend-pg.XXXXXX)
chown postgres:postgres "$pg_dir"
su postgres -s /bin/bash -c "'$pg_bin/initdb' -D '$pg_dir/data' -U postgres --auth=trust -E UTF8 >/dev/null"
su postgres -s /bin/bash -c "'$pg_bin/pg_ctl' -D '$pg_dir/data' -o \"-c listen_addresses=127.0.0.1 -p $pg_port -k /tmp\" -l '$pg_dir/log' -w start >/dev/null"
su postgres -s /bin/bash -c "'$pg_bin/createdb' -h 127.0.0.1 -p $pg_port -U postgres tfblend"
stop_pg() { su postgres -s /bin/bash -c "'$pg_bin/pg_ctl' -D '$pg_dir/data' -m fast stop >/dev/null" || true; rm -rf "$pg_dir"; }
trap stop_pg EXIT
export TFBLEND_PG_URL="jdbc:postgresql://127.0.0.1:$pg_port/tfblend?user=postgres"
export TFBLEND_PYTHON=/usr/bin/python3
echo "ci: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port; Optuna $(/usr/bin/python3 -c 'import optuna; print(optuna.__version__)')"
