#!/usr/bin/env bash
# Re-packs the two local shim packages into shims/packages (their output is committed; restore only reads it).
set -euo pipefail
cd "$(dirname "$0")"
for nuspec in Patched.DistributedLock.Postgres/Patched.DistributedLock.Postgres.nuspec IdentityModel/IdentityModel.nuspec; do
  dotnet pack Shims.csproj -p:ShimNuspec="$nuspec" --nologo -v quiet
done
rm -rf bin obj
ls -1 packages
