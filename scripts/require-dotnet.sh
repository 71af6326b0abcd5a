# Sourced by the scripts: stops early, with what to install, when the .NET 10 SDK is missing.
if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  echo "The .NET 10 SDK is needed: https://dotnet.microsoft.com/download/dotnet/10.0 (Debian/Ubuntu: apt-get install dotnet-sdk-10.0)" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
