# Builds the API the same way the README does (restore with the repo's NuGet.config, then publish).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The restore in a layer of its own, from the project files only: a change to the code does not download packages again.
COPY NuGet.config global.json Directory.Build.props Directory.Packages.props ./
COPY src/Tracker.Domain/Tracker.Domain.csproj src/Tracker.Domain/
COPY src/Tracker.Projections/Tracker.Projections.csproj src/Tracker.Projections/
COPY src/Tracker.Api/Tracker.Api.csproj src/Tracker.Api/
RUN dotnet restore src/Tracker.Api/Tracker.Api.csproj
COPY src/ src/
COPY data/catalogue/ data/catalogue/
# The compiler (Roslyn, which WolverineFx.RuntimeCompilation brings for Development) stays out of the image: outside
# Development the handler code is loaded from the generated files and nothing is compiled (checked: the published
# service without these files applies the schema, starts and reports ready).
RUN dotnet publish src/Tracker.Api/Tracker.Api.csproj -c Release --no-restore -o /app \
 && find /app -name 'Microsoft.CodeAnalysis*' -delete

# The runtime only: no SDK, no compiler.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The checkpoint signing key's volume, writable by the service's user (a new named volume takes this ownership).
RUN mkdir -p /keys && chown "$APP_UID" /keys
# The image's unprivileged user (uid 1654), not root.
USER $APP_UID
ENV ASPNETCORE_URLS=http://+:8080 \
    Audit__Checkpoints__SigningKeyFile=/keys/checkpoint-signing.pem
EXPOSE 8080
# Ready, not just listening: /health/ready answers 200 only when the database answers and the log's guards hold. The image
# has no curl; bash speaks the one HTTP request it needs.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Tracker.Api.dll"]
