#!/usr/bin/env bash
# Run once by the postgres image when its volume is new (docker-entrypoint-initdb.d): the two roles the service needs.
# tracker_owner owns the database and applies the schema (`db-apply`, the compose file's migrate service);
# tracker_service is what the API connects as: `db-apply` grants it everything but changing or removing the event log.
# The passwords are passed as psql variables, so any character in them is safe.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$TRACKER_OWNER_PASSWORD" -v service_password="$TRACKER_SERVICE_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE tracker_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE tracker_service LOGIN PASSWORD :'service_password';
ALTER DATABASE :"db" OWNER TO tracker_owner;
SQL
