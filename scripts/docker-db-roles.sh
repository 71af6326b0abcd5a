#!/usr/bin/env bash
# Run once by the postgres image when its volume is new (docker-entrypoint-initdb.d): the two roles the service needs.
# tracker_owner owns the database and applies the schema (`db-apply`, the compose file's migrate service);
# tracker_service is what the API connects as: `db-apply` grants it everything but changing or removing the event log.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE tracker_owner LOGIN PASSWORD '${TRACKER_OWNER_PASSWORD}';
CREATE ROLE tracker_service LOGIN PASSWORD '${TRACKER_SERVICE_PASSWORD}';
ALTER DATABASE "$POSTGRES_DB" OWNER TO tracker_owner;
SQL
